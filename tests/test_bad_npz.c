/* Hostile .npz files: offsets that wrap, sizes that lie, .npy headers that overflow, files
 * that are not files. Each test fails on the reader before its fix (an ASan read out of
 * bounds, an allocation of the claimed size, a wrong message or no message);
 * tests/bad/npz-*.case check the same through `deepstep run --load`, and test_io.c the
 * checks of loaded values (NaN, Inf, fp16 overflow, negative variance).
 * Archives are built here byte by byte (one stored or deflated member), so each breaks
 * exactly one field. */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <zlib.h>

#include "test_common.h"
#include "io/npz.h"

/* ---- building archives ---- */

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put16(buf *b, unsigned v)
{
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(b, x, 2);
}

static void put32(buf *b, uint32_t v)
{
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}

static void put64(buf *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

/* A .npy v1.0 of float32 values with the given header dict (padded as numpy pads). */
static buf npy(const char *dict, const float *v, size_t n)
{
    buf b = {0};
    put(&b, "\x93NUMPY\x01\x00", 8);
    size_t hl = strlen(dict) + 1, pad = (64 - (10 + hl) % 64) % 64;
    put16(&b, (unsigned)(hl + pad));
    put(&b, dict, strlen(dict));
    for (size_t i = 0; i < pad; i++)
        put(&b, " ", 1);
    put(&b, "\n", 1);
    put(&b, v, n * sizeof *v); /* little-endian hosts only, as numpy's '<f4' */
    return b;
}

static buf npy_vec3(void)
{
    static const float v[3] = {1, 2, 3};
    return npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", v, 3);
}

static buf deflate_raw(const buf *in)
{
    buf out = {0};
    uLong cap = compressBound(in->n) + 64;
    out.p = malloc(cap);
    z_stream s = {0};
    assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = in->p;
    s.avail_in = (uInt)in->n;
    s.next_out = out.p;
    s.avail_out = (uInt)cap;
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
    out.n = s.total_out;
    deflateEnd(&s);
    return out;
}

/* One member, "v.npy" unless named. Fields left 0 are the honest values: cd_* replace
 * what the central directory says; a cd_* of 0xFFFFFFFF is followed, as in ZIP64, by its
 * x_* value in a ZIP64 extra field (only those fields, in the order usize, csize, off). */
typedef struct zopt {
    const char *name;
    size_t name_len; /* 0: strlen(name) */
    int deflated;
    uint64_t cd_usize, cd_csize, cd_off; /* 0: honest */
    uint64_t x_usize, x_csize, x_off;
    int zip64_end;    /* write a ZIP64 end record and its locator */
    uint64_t z64_off; /* 0: the honest offset of that record */
    size_t cut_data;  /* drop this many bytes from the end of the member's data */
} zopt;

static buf zip64_extra(const zopt *o)
{
    buf x = {0};
    if (o->cd_usize == 0xFFFFFFFF)
        put64(&x, o->x_usize);
    if (o->cd_csize == 0xFFFFFFFF)
        put64(&x, o->x_csize);
    if (o->cd_off == 0xFFFFFFFF)
        put64(&x, o->x_off);
    return x;
}

static buf zip_of(const buf *member, const zopt *o)
{
    const char *name = o->name ? o->name : "v.npy";
    size_t nl = o->name_len ? o->name_len : strlen(name);
    buf x = zip64_extra(o);
    buf data = o->deflated ? deflate_raw(member) : (buf){0};
    if (!o->deflated)
        put(&data, member->p, member->n);
    data.n -= o->cut_data;
    uint32_t crc = (uint32_t)crc32(0L, member->p, (uInt)member->n);
    buf z = {0};
    put32(&z, 0x04034b50), put16(&z, 20), put16(&z, 0), put16(&z, o->deflated ? 8 : 0);
    put32(&z, 0x210000), put32(&z, crc), put32(&z, (uint32_t)data.n), put32(&z, (uint32_t)member->n);
    put16(&z, (unsigned)nl), put16(&z, 0), put(&z, name, nl), put(&z, data.p, data.n);
    size_t cd = z.n;
    put32(&z, 0x02014b50), put16(&z, 20), put16(&z, 20), put16(&z, 0), put16(&z, o->deflated ? 8 : 0);
    put32(&z, 0x210000), put32(&z, crc);
    put32(&z, (uint32_t)(o->cd_csize ? o->cd_csize : data.n));
    put32(&z, (uint32_t)(o->cd_usize ? o->cd_usize : member->n));
    put16(&z, (unsigned)nl), put16(&z, x.n ? 4 + (unsigned)x.n : 0), put16(&z, 0), put16(&z, 0), put16(&z, 0);
    put32(&z, 0x81A40000u), put32(&z, (uint32_t)o->cd_off);
    put(&z, name, nl);
    if (x.n)
        put16(&z, 1), put16(&z, (unsigned)x.n), put(&z, x.p, x.n);
    size_t cd_size = z.n - cd, z64 = z.n;
    if (o->zip64_end) {
        put32(&z, 0x06064b50), put64(&z, 44), put16(&z, 45), put16(&z, 45), put32(&z, 0), put32(&z, 0);
        put64(&z, 1), put64(&z, 1), put64(&z, cd_size), put64(&z, cd);
        put32(&z, 0x07064b50), put32(&z, 0), put64(&z, o->z64_off ? o->z64_off : z64), put32(&z, 1);
    }
    put32(&z, 0x06054b50), put16(&z, 0), put16(&z, 0), put16(&z, 1), put16(&z, 1);
    put32(&z, (uint32_t)cd_size), put32(&z, o->zip64_end ? 0xFFFFFFFFu : (uint32_t)cd), put16(&z, 0);
    free(data.p);
    free(x.p);
    return z;
}

/* Loads the archive from a file; npz_load's status, its message in err. An error must
 * name the file and leave nothing loaded. (No cmocka asserts: a forked child uses it.) */
static int load_zip(const buf *member, const zopt *o, npz *out, ds_error *err)
{
    buf z = zip_of(member, o);
    char p[256];
    temp_file(p, sizeof p, ".npz", z.p, z.n);
    free(z.p);
    int rc = npz_load(out, p, err);
    if (rc != 0 && (strcmp(err->file, p) != 0 || out->n != 0 || out->arrays))
        rc = -2;
    unlink(p);
    return rc;
}

/* In the child: 0 when the archive is refused with msg, else 1 (and says why). */
static int refused_with(const buf *member, const zopt *o, const char *msg)
{
    npz out;
    ds_error err = {0};
    int rc = load_zip(member, o, &out, &err);
    if (rc == 0)
        npz_free(&out);
    if (rc == -1 && strcmp(err.msg, msg) == 0)
        return 0;
    fprintf(stderr, "status %d, message\n  %s\nexpected\n  %s\n", rc, err.msg, msg);
    return 1;
}

static void expect_zip(const buf *member, const zopt *o, const char *msg)
{
    npz out;
    ds_error err = {0};
    int rc = load_zip(member, o, &out, &err);
    if (!msg) {
        if (rc != 0)
            print_error("unexpected error: %s\n", err.msg);
        assert_int_equal(rc, 0);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.arrays[0].name, "v");
        assert_int_equal(out.arrays[0].count, 3);
        assert_true(out.arrays[0].data[2] == 3.0f);
        npz_free(&out);
    } else {
        assert_int_equal(rc, -1);
        assert_string_equal(err.msg, msg);
    }
}

/* ---- the zip layer ---- */

/* What the checks must still accept: stored and deflated members, ZIP64 extra fields and
 * end records, and a deflated member large enough that its buffer grows several times. */
static void test_valid_forms_still_load(void **s)
{
    (void)s;
    enum { BIG = 300000 };
    float *v = malloc(BIG * sizeof *v);
    for (int i = 0; i < BIG; i++)
        v[i] = (float)(i % 1000) * 0.5f;
    buf big = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (300000,), }", v, BIG);
    npz out;
    ds_error err = {0};
    assert_int_equal(load_zip(&big, &(zopt){.deflated = 1}, &out, &err), 0);
    assert_int_equal(out.arrays[0].count, BIG);
    assert_memory_equal(out.arrays[0].data, v, BIG * sizeof *v);
    npz_free(&out);
    free(big.p);
    free(v);
    buf m = npy_vec3();
    expect_zip(&m, &(zopt){0}, NULL);
    expect_zip(&m, &(zopt){.deflated = 1}, NULL);
    expect_zip(&m, &(zopt){.zip64_end = 1}, NULL);
    expect_zip(&m, &(zopt){.cd_usize = 0xFFFFFFFF, .cd_csize = 0xFFFFFFFF, .cd_off = 0xFFFFFFFF,
                           .x_usize = m.n, .x_csize = m.n, .x_off = 0, .zip64_end = 1},
               NULL);
    expect_zip(&m, &(zopt){.deflated = 1, .cd_off = 0xFFFFFFFF, .x_off = 0}, NULL);
    free(m.p);
}

/* The ZIP64 locator's record offset was checked as `z64 + 56 > len`: 2^64 - 16 wrapped to
 * 40 and the reader read 16 bytes before its buffer. Every wrapping or out-of-file offset
 * is refused, including one that would overlap the locator itself. */
static void test_zip64_locator_offsets_that_wrap(void **s)
{
    (void)s;
    buf m = npy_vec3();
    size_t cd_end = 30 + 5 + m.n + 46 + 5; /* the record starts right after the directory */
    uint64_t offs[] = {UINT64_MAX, UINT64_MAX - 15, UINT64_MAX - 55, UINT64_MAX - 56, (uint64_t)1 << 63,
                       cd_end + 1, cd_end + 56, 100000};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++) {
        char msg[160];
        snprintf(msg, sizeof msg, "corrupt ZIP64 directory (its end record at offset %llu is outside the file)",
                 (unsigned long long)offs[i]);
        expect_zip(&m, &(zopt){.zip64_end = 1, .z64_off = offs[i]}, msg);
    }
    expect_zip(&m, &(zopt){.zip64_end = 1, .z64_off = 1},
               "corrupt ZIP64 directory (no end record at offset 1)");
    free(m.p);
}

/* The ZIP64 extra field's local-header offset was checked as `off + 30 > len`. */
static void test_zip64_extra_offsets_that_wrap(void **s)
{
    (void)s;
    buf m = npy_vec3();
    uint64_t offs[] = {UINT64_MAX, UINT64_MAX - 9, UINT64_MAX - 29, UINT64_MAX - 30, (uint64_t)1 << 63, 100000};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++) {
        char msg[160];
        snprintf(msg, sizeof msg, "member 'v.npy': local header offset %llu is outside the file",
                 (unsigned long long)offs[i]);
        expect_zip(&m, &(zopt){.cd_off = 0xFFFFFFFF, .x_off = offs[i]}, msg);
    }
    expect_zip(&m, &(zopt){.cd_off = 1}, "member 'v.npy': bad local header");
    /* A compressed size of 2^64 - 1 from the extra field: past the end, not wrapped. */
    expect_zip(&m, &(zopt){.cd_csize = 0xFFFFFFFF, .x_csize = UINT64_MAX}, "member 'v.npy' is truncated");
    expect_zip(&m, &(zopt){.cd_csize = 0xFFFFFFFF, .x_csize = UINT64_MAX - 40}, "member 'v.npy' is truncated");
    free(m.p);
}

/* ---- sizes checked before allocating ---- */

/* Archives whose sizes lie; returns how many were not refused with their message. Runs
 * in a child under a memory limit (below). */
static int check_lying_sizes(void)
{
    buf m = npy_vec3(), d = deflate_raw(&m);
    char msg[200];
    int bad = 0;
    snprintf(msg, sizeof msg, "member 'v.npy': stored sizes disagree (2147483648 bytes declared, %zu stored)", m.n);
    bad += refused_with(&m, &(zopt){.cd_usize = (uint64_t)1 << 31}, msg);
    bad += refused_with(&m, &(zopt){.cd_usize = 0xFFFFFFFF, .x_usize = (uint64_t)1 << 40},
                        "member 'v.npy' declares 1099511627776 bytes uncompressed, more than 2 GiB");
    snprintf(msg, sizeof msg,
             "member 'v.npy' declares 2147483647 bytes from %zu compressed, more than deflate can give (1032 per byte)",
             d.n);
    bad += refused_with(&m, &(zopt){.deflated = 1, .cd_usize = 0x7FFFFFFF}, msg);
    /* 400 KiB that do not compress, claiming 400 MiB: within deflate's ratio, so only the
     * inflated output itself can show the lie; the buffer grows with that output. */
    buf noise = {0};
    uint32_t x = 12345;
    for (int i = 0; i < 400 * 1024; i++) {
        x = x * 1103515245u + 12345u;
        unsigned char c = (unsigned char)(x >> 24);
        put(&noise, &c, 1);
    }
    snprintf(msg, sizeof msg, "member 'v.npy': inflates to %zu bytes, not the 419430400 it declares", noise.n);
    bad += refused_with(&noise, &(zopt){.deflated = 1, .cd_usize = 400u << 20}, msg);
    /* A file over 2 GiB (sparse) is refused from its size, not read. */
    int fd = open("build/tmp/huge.npz", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || ftruncate(fd, ((off_t)1 << 31) + 1) != 0)
        bad++;
    close(fd);
    npz z;
    ds_error err = {0};
    if (npz_load(&z, "build/tmp/huge.npz", &err) != -1 || strcmp(err.msg, "larger than 2 GiB (2147483649 bytes)"))
        bad++, fprintf(stderr, "huge file: %s\n", err.msg);
    unlink("build/tmp/huge.npz");
    free(m.p), free(d.p), free(noise.p);
    return bad;
}


/* Before the fix each of these allocated what the file claimed (2 GiB, 400 MiB, or the
 * whole 2 GiB file) before finding the lie; under a 256 MiB address-space limit that ends
 * the child with "out of memory". ASan reserves terabytes of shadow memory, so under ASan
 * the limit is left off and only the messages are checked. */
static void test_sizes_checked_before_allocating(void **s)
{
    (void)s;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (cap_address_space((size_t)256 << 20) != 0)
            _exit(3);
        _exit(check_lying_sizes() == 0 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_inflated_size_must_match(void **s)
{
    (void)s;
    buf m = npy_vec3();
    char msg[160];
    snprintf(msg, sizeof msg, "member 'v.npy': inflates to more than the %zu bytes it declares", m.n - 1);
    expect_zip(&m, &(zopt){.deflated = 1, .cd_usize = m.n - 1}, msg);
    snprintf(msg, sizeof msg, "member 'v.npy': inflates to %zu bytes, not the %zu it declares", m.n, m.n + 1);
    expect_zip(&m, &(zopt){.deflated = 1, .cd_usize = m.n + 1}, msg);
    expect_zip(&m, &(zopt){.deflated = 1, .cut_data = 3}, "member 'v.npy': corrupt deflate data");
    free(m.p);
}

/* ---- the .npy header ---- */

static void expect_npy(const char *dict, const char *msg)
{
    static const float v[8] = {0};
    buf m = npy(dict, v, 8);
    expect_zip(&m, &(zopt){0}, msg);
    free(m.p);
}

static void test_npy_headers(void **s)
{
    (void)s;
    /* 2^31 * 2^31 * 4 floats is 2^66 bytes: the product wrapped a 64-bit size to 0 */
    expect_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648, 4), }",
               "member 'v': shape is too large (more than 2 GiB of data)");
    expect_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
               "member 'v': shape is too large (more than 2 GiB of data)");
    expect_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (268435457,), }",
               "member 'v': shape is too large (more than 2 GiB of data)");
    expect_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (18446744073709551616,), }",
               "member 'v': malformed shape");
    expect_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-8,), }", "member 'v': malformed shape");
    expect_npy("{'descr': '<f4', 'fortran_order': False, 'shape': 8, }", "member 'v': malformed shape");
    expect_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 8), }",
               "member 'v': more than 4 dimensions");
    expect_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (9,), }",
               "member 'v': data is shorter than its shape says");
    expect_npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (8,), }",
               "member 'v': fortran_order is neither True nor False");
    expect_npy("{'descr': '\x1b[2J', 'fortran_order': False, 'shape': (8,), }",
               "member 'v': dtype '?[2J' is not float32 ('<f4') or float64 ('<f8')");
}

/* Header lengths and versions, patched into a good .npy. */
static void expect_npy_bytes(const unsigned char *patch, size_t at, size_t n, size_t keep, const char *msg)
{
    buf m = npy_vec3();
    memcpy(m.p + at, patch, n);
    if (keep)
        m.n = keep;
    expect_zip(&m, &(zopt){0}, msg);
    free(m.p);
}

static void test_npy_header_lengths(void **s)
{
    (void)s;
    expect_npy_bytes((const unsigned char *)"\x04", 6, 1, 0, "member 'v': unsupported .npy version 4");
    expect_npy_bytes((const unsigned char *)"\xff\x00", 8, 2, 0, "member 'v': truncated .npy header");
    expect_npy_bytes((const unsigned char *)"\x02\x00\x00\x00\x01\x00", 6, 6, 0,
                     "member 'v': .npy header of 65536 bytes is longer than 65535");
    expect_npy_bytes((const unsigned char *)"\x02\x00\xff\xff\xff\xff", 6, 6, 0,
                     "member 'v': .npy header of 4294967295 bytes is longer than 65535");
    expect_npy_bytes((const unsigned char *)"\x02", 6, 1, 11, "member 'v': truncated .npy header");
    expect_npy_bytes((const unsigned char *)"\x93", 0, 1, 9, "member 'v' is not a .npy array");
    expect_npy_bytes((const unsigned char *)"\x93NUMPZ", 0, 6, 0, "member 'v' is not a .npy array");
}

/* ---- names ---- */

static void test_member_names(void **s)
{
    (void)s;
    buf m = npy_vec3();
    char msg[160];
    snprintf(msg, sizeof msg, "member 'v??[31m.npy': stored sizes disagree (1 bytes declared, %zu stored)", m.n);
    expect_zip(&m, &(zopt){.name = "v\n\x1b[31m.npy", .cd_usize = 1}, msg);
    /* A NUL in a name no longer ends it: "v\0x.npy" is not the array "v". */
    npz out;
    ds_error err = {0};
    assert_int_equal(load_zip(&m, &(zopt){.name = "v\0x.npy", .name_len = 7}, &out, &err), 0);
    assert_string_equal(out.arrays[0].name, "v?x");
    npz_free(&out);
    free(m.p);
}

/* ---- files that are not files ---- */

static void expect_load(const char *path, const char *msg)
{
    npz z;
    ds_error err = {0};
    assert_int_equal(npz_load(&z, path, &err), -1);
    assert_string_equal(err.file, path);
    assert_string_equal(err.msg, msg);
}

static void test_not_regular_files(void **s)
{
    (void)s;
    expect_load("tests/bad", "is a directory, not a file");
    expect_load("/dev/null", "not a regular file (a device, pipe or socket)");
    unlink("build/tmp/fifo.npz");
    assert_int_equal(mkfifo("build/tmp/fifo.npz", 0600), 0);
    expect_load("build/tmp/fifo.npz", "not a regular file (a device, pipe or socket)"); /* no hang */
    unlink("build/tmp/fifo.npz");
    char p[256];
    temp_file(p, sizeof p, ".npz", "", 0);
    expect_load(p, "not a .npz file (the file is empty)");
    unlink(p);
}

/* ---- every byte changed, every length cut ---- */

/* Loads path and checks the outcome is an array set or one clean line naming the file. */
static void load_any(const char *path)
{
    npz z;
    ds_error err = {0};
    if (npz_load(&z, path, &err) == 0) {
        for (int i = 0; i < z.n; i++)
            assert_true(z.arrays[i].count == 0 || z.arrays[i].data);
        npz_free(&z);
        return;
    }
    assert_string_equal(err.file, path);
    assert_true(err.msg[0] != '\0');
    for (const char *c = err.msg; *c; c++)
        assert_true(*c >= 0x20 && *c < 0x7f);
}

/* Every byte of the file set to 0x00, 0xFF, 0x80 and flipped in its low bit, every 8-byte
 * run set to 0xFF (a 64-bit offset of 2^64 - 1), and every prefix. */
static void mutate_all(const unsigned char *orig, size_t n)
{
    unsigned char *cur = malloc(n);
    char p[256];
    for (size_t i = 0; i < n; i++) {
        const unsigned char vals[4] = {0x00, 0xFF, 0x80, (unsigned char)(orig[i] ^ 1)};
        for (int k = 0; k < 5; k++) {
            memcpy(cur, orig, n);
            if (k < 4)
                cur[i] = vals[k];
            else
                memset(cur + i, 0xFF, n - i < 8 ? n - i : 8);
            temp_file(p, sizeof p, ".npz", cur, n);
            load_any(p);
            unlink(p);
        }
        temp_file(p, sizeof p, ".npz", orig, i);
        load_any(p);
        unlink(p);
    }
    free(cur);
}

/* A small deterministic fuzzer over numpy's own files (stored, deflated) and the ZIP64
 * forms built here (extra fields with all three values, the ZIP64 end record). Under ASan
 * the 8-byte runs over the locator's and the extra field's offsets reproduce the two reads
 * out of bounds the old wrapping checks allowed. */
static void test_mutations_fail_cleanly(void **s)
{
    (void)s;
    const char *files[] = {"tests/fixtures/numpy_savez.npz", "tests/fixtures/numpy_savez_compressed.npz"};
    for (size_t f = 0; f < 2; f++) {
        FILE *in = fopen(files[f], "rb");
        assert_non_null(in);
        unsigned char orig[4096];
        size_t n = fread(orig, 1, sizeof orig, in);
        fclose(in);
        assert_true(n > 100 && n < sizeof orig);
        mutate_all(orig, n);
    }
    buf m = npy_vec3();
    for (int deflated = 0; deflated < 2; deflated++) {
        zopt o = {.deflated = deflated, .cd_usize = 0xFFFFFFFF, .cd_csize = 0xFFFFFFFF, .cd_off = 0xFFFFFFFF,
                  .x_usize = m.n, .zip64_end = 1};
        buf d = deflate_raw(&m);
        o.x_csize = deflated ? d.n : m.n;
        free(d.p);
        buf z = zip_of(&m, &o);
        mutate_all(z.p, z.n);
        free(z.p);
    }
    free(m.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_forms_still_load),
        cmocka_unit_test(test_zip64_locator_offsets_that_wrap),
        cmocka_unit_test(test_zip64_extra_offsets_that_wrap),
        cmocka_unit_test(test_sizes_checked_before_allocating),
        cmocka_unit_test(test_inflated_size_must_match),
        cmocka_unit_test(test_npy_headers),
        cmocka_unit_test(test_npy_header_lengths),
        cmocka_unit_test(test_member_names),
        cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_mutations_fail_cleanly),
    };
    return cmocka_run_group_tests_name("bad_npz", tests, NULL, NULL);
}
