/* Hostile and malformed data: headers that declare gigabytes, files that end early,
 * non-regular files, lines without end, sizes past the documented limits. Every message is
 * asserted exactly; the allocation tests run the loader in a child whose address space is
 * capped, so a loader that allocates what a header declares dies there instead of passing. */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <zlib.h>

#include "test_common.h"
#include "data/dataset.h"

/* Far below what the hostile headers below declare (256 MiB and more), far above what the
 * loaders need to refuse them (a 1 MiB first read buffer). */
#define CAPPED_BYTES ((rlim_t)128 << 20)


static char img_path[256], lab_path[256];

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* An IDX image header (and `extra` data bytes of value 7) into img_path, raw or gzip. */
static void write_images(uint32_t n, uint32_t r, uint32_t c, size_t extra, int gz)
{
    size_t len = 16 + extra;
    unsigned char *b = calloc(len, 1);
    be32(b, 0x803), be32(b + 4, n), be32(b + 8, r), be32(b + 12, c);
    memset(b + 16, 7, extra);
    temp_file(img_path, sizeof img_path, gz ? ".idx.gz" : ".idx", b, gz ? 0 : len);
    if (gz) {
        gzFile f = gzopen(img_path, "wb");
        gzwrite(f, b, (unsigned)len);
        gzclose(f);
    }
    free(b);
}

static void write_labels(uint32_t n, size_t extra)
{
    unsigned char b[8 + 16] = {0};
    be32(b, 0x801), be32(b + 4, n);
    temp_file(lab_path, sizeof lab_path, ".idx", b, 8 + extra);
}

typedef int (*load_fn)(dataset *ds, ds_error *err);

static int load_idx_paths(dataset *ds, ds_error *err) { return dataset_load_idx(ds, img_path, lab_path, err); }
static int load_csv_img_path(dataset *ds, ds_error *err) { return dataset_load_csv(ds, img_path, err); }

/* Runs load in a child with RLIMIT_AS at CAPPED_BYTES (skipped under ASan, whose shadow
 * memory needs terabytes of address space, and where the platform refuses the limit) and
 * returns the error it printed as "file: msg" in out. Fails if the load succeeded or died. */
static void load_capped(load_fn load, char *out, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        cap_address_space(CAPPED_BYTES);
        dataset ds;
        ds_error err = {0};
        int rc = load(&ds, &err);
        char msg[1100];
        err_format(&err, msg, sizeof msg);
        ssize_t w = write(fds[1], msg, strlen(msg));
        _exit(rc == -1 && w >= 0 ? 0 : 3);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < cap && (r = read(fds[0], out + got, cap - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        print_error("child: %s status %d, said '%s'\n", WIFEXITED(status) ? "exit" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void expect_capped(load_fn load, const char *file, const char *msg)
{
    char want[1100], got[1100];
    snprintf(want, sizeof want, "%s: %s", file, msg);
    load_capped(load, got, sizeof got);
    assert_string_equal(got, want);
}

static void expect_idx(const char *file, const char *msg)
{
    dataset ds;
    ds_error err = {0};
    assert_int_equal(dataset_load_idx(&ds, img_path, lab_path, &err), -1);
    assert_string_equal(err.file, file);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, msg);
}

/* ---- 1. IDX: nothing a header declares is allocated on trust ------------------------- */

/* The 16-byte header: 10,000,000 images of 256x256 used to calloc 655 GB. */
static void test_idx_655gb_header_refused_before_allocating(void **s)
{
    (void)s;
    for (int gz = 0; gz < 2; gz++) {
        write_images(10000000, 256, 256, 0, gz);
        write_labels(10000000, 0);
        expect_capped(load_idx_paths, img_path, "too many images: 10000000 (at most 1000000)");
    }
}

/* Within every limit (4096 x 256 x 256 is exactly 2^28 bytes), but a raw file of 16 bytes
 * holds none of it: refused from its size, before allocating 256 MiB. */
static void test_idx_raw_header_checked_against_file_size(void **s)
{
    (void)s;
    write_images(4096, 256, 256, 0, 0);
    write_labels(4096, 0);
    expect_capped(load_idx_paths, img_path, "truncated: 0 of 4096 images");
    write_images(60000, 28, 28, 784 * 2 + 5, 0); /* two whole images and five bytes */
    write_labels(60000, 0);
    expect_idx(img_path, "truncated: 2 of 60000 images");
}

/* gzip: the inflated size is unknown up front, so the buffer grows as data arrives. */
static void test_idx_gzip_header_does_not_allocate_declared_size(void **s)
{
    (void)s;
    write_images(4096, 256, 256, 0, 1);
    write_labels(4096, 0);
    expect_capped(load_idx_paths, img_path, "truncated: 0 of 4096 images");
    write_images(4096, 256, 256, 20 * 65536 + 100, 1); /* 1.25 MiB: the buffer grows once */
    expect_capped(load_idx_paths, img_path, "truncated: 20 of 4096 images");
    write_images(40, 256, 256, 39 * 65536, 1); /* 2.4 MiB: it doubles twice, then stops at 40 */
    write_labels(40, 0);
    expect_idx(img_path, "truncated: 39 of 40 images");
}

static void test_idx_labels_truncated_and_counts_agree(void **s)
{
    (void)s;
    write_images(3, 2, 2, 12, 0);
    write_labels(3, 2);
    expect_idx(lab_path, "truncated: 2 of 3 labels");
    write_labels(4000000000u, 0); /* the 8-byte label header of the issue */
    expect_capped(load_idx_paths, lab_path, "4000000000 labels for 3 images");
    write_labels(3, 3);
    dataset ds;
    ds_error err = {0};
    assert_int_equal(dataset_load_idx(&ds, img_path, lab_path, &err), 0);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 4);
    assert_int_equal(ds.raw_u8[11], 7);
    dataset_destroy(&ds);
}

/* Sizes: zero, past each limit, and products that overflow 32 and 64 bits. */
static void test_idx_declared_sizes(void **s)
{
    (void)s;
    write_labels(1, 1);
    write_images(0, 28, 28, 0, 0);
    expect_idx(img_path, "no images (the header declares 0)");
    write_images(1, 0, 28, 0, 0);
    expect_idx(img_path, "images of 0x28 pixels have no pixels");
    write_images(1, 300, 300, 0, 0);
    expect_idx(img_path, "too many pixels: 90000 (at most 65536)");
    write_images(1, 0xffffffffu, 0xffffffffu, 0, 0);
    expect_idx(img_path, "too many pixels: 18446744065119617025 (at most 65536)");
    write_images(65536, 65536, 1, 0, 0); /* 2^32 bytes: 0 in 32-bit arithmetic */
    expect_idx(img_path, "too many values: 65536 images x 65536 pixels = 4294967296 (at most 268435456, 1 GiB of floats)");
    write_images(1000000, 28, 28, 0, 0); /* a million MNIST images: 3 GB as floats */
    expect_idx(img_path, "too many values: 1000000 images x 784 pixels = 784000000 (at most 268435456, 1 GiB of floats)");
}

/* A gzip file whose CRC-32 does not match its data, and one cut inside its deflate data. */
static void test_idx_gzip_corrupt_and_cut(void **s)
{
    (void)s;
    write_images(2, 2, 2, 8, 1);
    write_labels(2, 2);
    FILE *f = fopen(img_path, "r+b");
    assert_non_null(f);
    fseek(f, -8, SEEK_END); /* the trailer: CRC-32, then the length */
    int c = fgetc(f);
    fseek(f, -8, SEEK_END);
    fputc(c ^ 0xff, f);
    fclose(f);
    expect_idx(img_path, "corrupt gzip data: incorrect data check");
    /* Every pixel there, the trailer's length field cut off: still a damaged file. */
    write_images(2, 2, 2, 8, 1);
    struct stat sb;
    assert_int_equal(stat(img_path, &sb), 0);
    assert_int_equal(truncate(img_path, sb.st_size - 4), 0);
    expect_idx(img_path, "corrupt gzip data: unexpected end of file");
    /* 200 images of 8x8 that do not compress (a linear congruential byte stream), then
     * the file cut in half: stored deflate blocks decode byte by byte up to the cut. */
    unsigned char pix[16 + 200 * 64];
    be32(pix, 0x803), be32(pix + 4, 200), be32(pix + 8, 8), be32(pix + 12, 8);
    uint32_t x = 12345;
    for (size_t i = 16; i < sizeof pix; i++)
        x = x * 1103515245u + 12345u, pix[i] = (unsigned char)(x >> 23);
    uLongf clen = compressBound(sizeof pix) + 32;
    unsigned char *z = malloc(clen);
    z_stream st = {0};
    assert_int_equal(deflateInit2(&st, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    st.next_in = pix, st.avail_in = sizeof pix, st.next_out = z, st.avail_out = (uInt)clen;
    assert_int_equal(deflate(&st, Z_FINISH), Z_STREAM_END);
    size_t half = st.total_out / 2;
    deflateEnd(&st);
    temp_file(img_path, sizeof img_path, ".idx.gz", z, half);
    free(z);
    write_labels(200, 0);
    dataset ds;
    ds_error err = {0};
    assert_int_equal(dataset_load_idx(&ds, img_path, lab_path, &err), -1);
    unsigned got = 0;
    assert_int_equal(sscanf(err.msg, "truncated: %u of 200 images", &got), 1);
    assert_true(got > 80 && got < 100); /* about half of 200, however zlib blocks the data */
}

/* ---- 3. only regular files are read ---------------------------------------------------- */

static void test_not_regular_files(void **s)
{
    (void)s;
    dataset ds;
    ds_error err = {0};
    assert_int_equal(dataset_load_csv(&ds, "build/tmp", &err), -1);
    assert_string_equal(err.file, "build/tmp");
    assert_string_equal(err.msg, "is a directory, not a file");
    write_labels(1, 1);
    assert_int_equal(dataset_load_idx(&ds, "build/tmp", lab_path, &err), -1);
    assert_string_equal(err.msg, "is a directory, not a file");
    write_images(1, 1, 1, 1, 0);
    assert_int_equal(dataset_load_idx(&ds, img_path, "/dev/null", &err), -1);
    assert_string_equal(err.file, "/dev/null");
    assert_string_equal(err.msg, "not a regular file (a device, pipe or socket)");
    /* /dev/zero used to be read as one line until memory ran out (4.2 GB, 12 s). */
    snprintf(img_path, sizeof img_path, "/dev/zero");
    expect_capped(load_csv_img_path, "/dev/zero", "not a regular file (a device, pipe or socket)");
    expect_capped(load_idx_paths, "/dev/zero", "not a regular file (a device, pipe or socket)");
    /* A FIFO with no writer: opening it to read would block forever. */
    snprintf(img_path, sizeof img_path, "build/tmp/fifo%d", (int)getpid());
    unlink(img_path);
    assert_int_equal(mkfifo(img_path, 0600), 0);
    expect_capped(load_csv_img_path, img_path, "not a regular file (a device, pipe or socket)");
    expect_capped(load_idx_paths, img_path, "not a regular file (a device, pipe or socket)");
    unlink(img_path);
}

/* ---- 3. CSV lines are bounded ---------------------------------------------------------- */

static void expect_csv(const char *text, size_t len, int line, const char *msg)
{
    char path[256];
    dataset ds;
    ds_error err = {0};
    temp_file(path, sizeof path, ".csv", text, len);
    assert_int_equal(dataset_load_csv(&ds, path, &err), -1);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    assert_string_equal(err.msg, msg);
}

/* "a,label\n" then a row of exactly `len` bytes: zeros, then "1,1". */
static char *row_of_length(size_t len, size_t *total)
{
    const char *head = "a,label\n";
    char *t = malloc(strlen(head) + len + 1);
    strcpy(t, head);
    char *row = t + strlen(head);
    memset(row, '0', len - 3);
    memcpy(row + len - 3, "1,1", 3);
    row[len] = '\n';
    *total = strlen(head) + len + 1;
    return t;
}

static void test_csv_line_length_cap(void **s)
{
    (void)s;
    size_t total;
    char *text = row_of_length(DATA_MAX_LINE, &total); /* the longest line allowed loads */
    char path[256];
    dataset ds;
    ds_error err = {0};
    temp_file(path, sizeof path, ".csv", text, total);
    assert_int_equal(dataset_load_csv(&ds, path, &err), 0);
    assert_true(ds.n == 1 && ds.raw_f32[0] == 1.0f && ds.labels[0] == 1);
    dataset_destroy(&ds);
    free(text);
    text = row_of_length(DATA_MAX_LINE + 1, &total);
    expect_csv(text, total, 2, "line longer than 2097152 bytes");
    free(text);
    /* No newline at all: a 3 MiB header line. */
    size_t n = 3u << 20;
    text = malloc(n);
    memset(text, 'a', n);
    expect_csv(text, n, 1, "line longer than 2097152 bytes");
    free(text);
}

static void test_csv_binary_and_limits(void **s)
{
    (void)s;
    expect_csv("a,label\n1\0,0\n", 13, 2, "a NUL byte at column 2: binary data, not CSV text");
    expect_csv("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8, 1, "a NUL byte at column 4: binary data, not CSV text");
    /* 65,537 feature columns "a," and the label. */
    size_t d = DATA_MAX_FEATURES + 1, len = 2 * d + 6;
    char *text = malloc(len + 1);
    for (size_t j = 0; j < d; j++)
        memcpy(text + 2 * j, "a,", 2);
    memcpy(text + 2 * d, "label\n", 6);
    expect_csv(text, len, 1, "too many features: 65537 (at most 65536)");
    free(text);
    /* 1,000,001 rows of "0,0". */
    size_t rows = DATA_MAX_ROWS + 1;
    len = 8 + 4 * rows;
    text = malloc(len);
    memcpy(text, "a,label\n", 8);
    for (size_t i = 0; i < rows; i++)
        memcpy(text + 8 + 4 * i, "0,0\n", 4);
    expect_csv(text, len, DATA_MAX_ROWS + 2, "too many rows: 1000001 (at most 1000000)");
    free(text);
}

/* ---- 2. synthetic sets and the shared limits -------------------------------------------- */

static void expect_synth(synth_kind k, int samples, int features, int classes, const char *msg)
{
    synth_params p = {.kind = k, .samples = samples, .noise = -1, .classes = classes, .features = features};
    ds_error err = {0};
    assert_int_equal(synth_check(&p, &err), -1);
    assert_string_equal(err.file, "");
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, msg);
    dataset ds;
    rng r;
    rng_seed(&r, 1, 2);
    assert_int_equal(dataset_synth(&ds, &p, &r), -1); /* refused before allocating */
    assert_null(ds.raw_f32);
    assert_int_equal(ds.n, 0);
}

static void test_synth_limits(void **s)
{
    (void)s;
    /* The 256 GB set: each option in range, their product not. */
    expect_synth(SYNTH_RANDOM, 1000000, 65536, 0,
                 "random: too many values: 1000000 samples x 65536 features = 65536000000 (at most 268435456, 1 GiB of floats)");
    expect_synth(SYNTH_RANDOM, 1000001, 1, 0, "random: too many samples: 1000001 (at most 1000000)");
    expect_synth(SYNTH_RANDOM, 10, 65537, 0, "random: too many features: 65537 (at most 65536)");
    expect_synth(SYNTH_BLOBS, 10, 0, 1001, "blobs: classes=1001 is not a whole number from 2 to 1000");
    expect_synth(SYNTH_MOONS, 1000001, 0, 0, "moons: too many samples: 1000001 (at most 1000000)");
    /* MNIST's shape as a random set fits, and so does the largest set allowed. */
    synth_params p = {.kind = SYNTH_RANDOM, .samples = 60000, .noise = -1, .classes = 10, .features = 784};
    assert_int_equal(synth_check(&p, NULL), 0);
    p.samples = 4096, p.features = 65536;
    assert_int_equal(synth_check(&p, NULL), 0);
    p.samples = 2, p.features = 3;
    dataset ds;
    rng r;
    rng_seed(&r, 1, 2);
    assert_int_equal(dataset_synth(&ds, &p, &r), 0);
    assert_int_equal(ds.n * ds.d, 6);
    dataset_destroy(&ds);
}

static void test_check_shape_boundaries(void **s)
{
    (void)s;
    ds_error err = {0};
    assert_int_equal(dataset_check_shape(DATA_MAX_ROWS, 268, "rows", "features", "f.csv", 3, &err), 0);
    assert_int_equal(dataset_check_shape(4096, DATA_MAX_FEATURES, "rows", "features", "f.csv", 3, &err), 0);
    assert_int_equal(dataset_check_shape(4097, DATA_MAX_FEATURES, "rows", "features", "f.csv", 3, &err), -1);
    assert_string_equal(err.file, "f.csv");
    assert_int_equal(err.line, 3);
    assert_string_equal(err.msg, "too many values: 4097 rows x 65536 features = 268500992 (at most 268435456, 1 GiB of floats)");
    /* The largest u32 x u32 header: bounded before the product is formed. */
    assert_int_equal(dataset_check_shape(0xffffffffu, 0xfffffffe00000001ull, "images", "pixels", "i", 0, &err), -1);
    assert_string_equal(err.msg, "too many images: 4294967295 (at most 1000000)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_655gb_header_refused_before_allocating),
        cmocka_unit_test(test_idx_raw_header_checked_against_file_size),
        cmocka_unit_test(test_idx_gzip_header_does_not_allocate_declared_size),
        cmocka_unit_test(test_idx_labels_truncated_and_counts_agree),
        cmocka_unit_test(test_idx_declared_sizes),
        cmocka_unit_test(test_idx_gzip_corrupt_and_cut),
        cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_csv_line_length_cap),
        cmocka_unit_test(test_csv_binary_and_limits),
        cmocka_unit_test(test_synth_limits),
        cmocka_unit_test(test_check_shape_boundaries),
    };
    return cmocka_run_group_tests_name("bad_data", tests, NULL, NULL);
}
