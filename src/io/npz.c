#include "npz.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../common/fileio.h"
#include "../common/xalloc.h"
#include "atomic.h"

void npz_add(npz *z, const char *name, const float *data, int ndim, const size_t *shape)
{
    z->arrays = xrealloc(z->arrays, (size_t)z->n + 1, sizeof *z->arrays);
    npz_array *a = &z->arrays[z->n++];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->ndim = ndim;
    a->count = 1;
    for (int i = 0; i < ndim; i++) {
        a->shape[i] = shape[i];
        a->count *= shape[i];
    }
    a->data = xcalloc(a->count, sizeof(float));
    memcpy(a->data, data, a->count * sizeof(float));
}

const npz_array *npz_find(const npz *z, const char *name)
{
    for (int i = 0; i < z->n; i++)
        if (strcmp(z->arrays[i].name, name) == 0)
            return &z->arrays[i];
    return NULL;
}

void npz_free(npz *z)
{
    for (int i = 0; i < z->n; i++)
        free(z->arrays[i].data);
    free(z->arrays);
    z->arrays = NULL;
    z->n = 0;
}

/* ---- writing -------------------------------------------------------------------- */

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static unsigned get16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t get32(const unsigned char *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* The .npy bytes of one array: header padded so the data starts at a multiple of 64. */
static unsigned char *npy_encode(const npz_array *a, size_t *len)
{
    char dict[256], shape[160] = "";
    for (int i = 0; i < a->ndim; i++) {
        char one[32];
        snprintf(one, sizeof one, "%zu%s", a->shape[i], a->ndim == 1 ? "," : (i + 1 < a->ndim ? ", " : ""));
        strcat(shape, one);
    }
    int dl = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", shape);
    size_t head = 10 + (size_t)dl + 1;
    size_t padded = (head + 63) / 64 * 64;
    *len = padded + a->count * 4;
    unsigned char *b = xcalloc(*len, 1);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    put16(b + 8, (unsigned)(padded - 10));
    memcpy(b + 10, dict, (size_t)dl);
    memset(b + 10 + dl, ' ', padded - 10 - (size_t)dl - 1);
    b[padded - 1] = '\n';
    for (size_t i = 0; i < a->count; i++) {
        uint32_t bits;
        memcpy(&bits, &a->data[i], 4);
        put32(b + padded + 4 * i, bits);
    }
    return b;
}

typedef struct member_info {
    uint32_t crc, size, offset;
} member_info;

int npz_save(const npz *z, const char *path, ds_error *err)
{
    atomic_file af;
    if (atomic_open(&af, path, err) != 0)
        return -1;
    member_info *info = xcalloc((size_t)(z->n ? z->n : 1), sizeof *info);
    uint64_t pos = 0;
    int rc = 0;
    for (int i = 0; i < z->n && rc == 0; i++) {
        size_t len;
        unsigned char *npy = npy_encode(&z->arrays[i], &len);
        char name[140];
        int nl = snprintf(name, sizeof name, "%s.npy", z->arrays[i].name);
        if (pos + 30 + (uint64_t)nl + len > 0xFFFFFFFFu) {
            rc = err_set(err, path, 0, "archive would exceed 4 GiB");
            free(npy);
            break;
        }
        info[i].crc = (uint32_t)crc32(0L, npy, (uInt)len);
        info[i].size = (uint32_t)len;
        info[i].offset = (uint32_t)pos;
        unsigned char h[30] = {0};
        put32(h, 0x04034b50);
        put16(h + 4, 20);
        put16(h + 8, 0);                  /* stored */
        put16(h + 10, 0), put16(h + 12, 0x21); /* 1980-01-01 00:00: fixed, so files are reproducible */
        put32(h + 14, info[i].crc);
        put32(h + 18, info[i].size);
        put32(h + 22, info[i].size);
        put16(h + 26, (unsigned)nl);
        fwrite(h, 1, 30, af.f);
        fwrite(name, 1, (size_t)nl, af.f);
        fwrite(npy, 1, len, af.f);
        pos += 30 + (uint64_t)nl + len;
        free(npy);
    }
    uint64_t cd_start = pos;
    for (int i = 0; i < z->n && rc == 0; i++) {
        char name[140];
        int nl = snprintf(name, sizeof name, "%s.npy", z->arrays[i].name);
        unsigned char h[46] = {0};
        put32(h, 0x02014b50);
        put16(h + 4, 20), put16(h + 6, 20);
        put16(h + 12, 0), put16(h + 14, 0x21);
        put32(h + 16, info[i].crc);
        put32(h + 20, info[i].size);
        put32(h + 24, info[i].size);
        put16(h + 28, (unsigned)nl);
        put32(h + 38, 0x81A40000u); /* -rw-r--r-- */
        put32(h + 42, info[i].offset);
        fwrite(h, 1, 46, af.f);
        fwrite(name, 1, (size_t)nl, af.f);
        pos += 46 + (uint64_t)nl;
    }
    if (rc == 0) {
        unsigned char e[22] = {0};
        put32(e, 0x06054b50);
        put16(e + 8, (unsigned)z->n), put16(e + 10, (unsigned)z->n);
        put32(e + 12, (uint32_t)(pos - cd_start));
        put32(e + 16, (uint32_t)cd_start);
        fwrite(e, 1, 22, af.f);
        rc = atomic_commit(&af, err);
    } else
        atomic_abort(&af);
    free(info);
    return rc;
}

/* ---- reading -------------------------------------------------------------------- */

/* Every offset and size below comes from the file. They are compared by subtraction from
 * bounds already known to hold (never `off + n > len`, which wraps for an offset near
 * 2^64), and every declared size is checked against the bytes really present before
 * anything is allocated for it. */

typedef struct zip_buf {
    const unsigned char *p;
    size_t len;
    const char *path;
    ds_error *err;
    size_t kept; /* bytes of float32 data in the arrays read so far */
} zip_buf;

/* The member being read: its name as shown in messages ('?' for bytes that are not
 * printable ASCII, so a name cannot break the one-line message or send escape codes). */
typedef struct member {
    char name[132];
    unsigned method;
    uint32_t crc;
    uint64_t csize, usize, off;
} member;

static int bad(const zip_buf *zb, const char *fmt, ...) DS_PRINTF(2, 3);
static int bad(const zip_buf *zb, const char *fmt, ...)
{
    char msg[sizeof zb->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(zb->err, zb->path, 0, "%s", msg);
}

/* True when n bytes at off lie inside a buffer of len bytes (no wrap for any off, n). */
static bool span_ok(size_t len, uint64_t off, uint64_t n) { return off <= len && n <= len - off; }

static void printable(char *dst, size_t cap, const unsigned char *src, size_t n)
{
    size_t k = 0;
    for (; k < n && k + 1 < cap; k++)
        dst[k] = src[k] >= 0x20 && src[k] < 0x7f ? (char)src[k] : '?';
    dst[k] = '\0';
}

/* ---- .npy ---- */

/* The header dict's descr: 0 for '<f4', 1 for '<f8'; otherwise an error. */
static int npy_dtype(const zip_buf *zb, const char *m, const char *h, int *f8)
{
    const char *d = strstr(h, "'descr':");
    if (strncmp(d + 8, " '<f4'", 6) == 0 || strncmp(d + 8, " '<f8'", 6) == 0) {
        *f8 = d[12] == '8'; /* d + 8 is " '<f8'" */
        return 0;
    }
    char raw[16] = "", shown[16];
    sscanf(d + 8, " '%15[^']'", raw);
    printable(shown, sizeof shown, (const unsigned char *)raw, strlen(raw));
    return bad(zb, "member '%s': dtype '%s' is not float32 ('<f4') or float64 ('<f8')", m, shown);
}

/* The shape tuple after 'shape':, into a. The product is checked for overflow: (2^31,
 * 2^31, 4) of '<f4' would wrap a 64-bit size to 0 bytes. */
static int npy_shape(const zip_buf *zb, const char *m, const char *h, size_t esz, npz_array *a)
{
    const char *p = strstr(h, "'shape':") + 8;
    p += strspn(p, " ");
    const char *close = *p == '(' ? strchr(p, ')') : NULL;
    if (!close)
        return bad(zb, "member '%s': malformed shape", m);
    a->ndim = 0;
    a->count = 1;
    for (p++; p < close;) {
        p += strspn(p, " ,");
        if (p >= close)
            break;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || *p == '-')
            return bad(zb, "member '%s': malformed shape", m);
        if (a->ndim == NPZ_MAX_DIMS)
            return bad(zb, "member '%s': more than %d dimensions", m, NPZ_MAX_DIMS);
        a->shape[a->ndim++] = (size_t)v;
        if (v > SIZE_MAX || !size_mul(a->count, (size_t)v, &a->count) || a->count > NPZ_MAX_BYTES / esz)
            return bad(zb, "member '%s': shape is too large (more than 2 GiB of data)", m);
        p = end;
    }
    return 0;
}

/* The header dict h (NUL-terminated): descr, fortran_order and shape. */
static int npy_dict(const zip_buf *zb, const char *m, const char *h, npz_array *a, int *f8)
{
    const char *fo = strstr(h, "'fortran_order':");
    if (!strstr(h, "'descr':") || !fo || !strstr(h, "'shape':"))
        return bad(zb, "member '%s': .npy header lacks descr, fortran_order or shape", m);
    if (npy_dtype(zb, m, h, f8) != 0)
        return -1;
    if (strncmp(fo + 16, " True", 5) == 0)
        return bad(zb, "member '%s': Fortran-ordered arrays are not supported (save a C-ordered copy)", m);
    if (strncmp(fo + 16, " False", 6) != 0)
        return bad(zb, "member '%s': fortran_order is neither True nor False", m);
    return npy_shape(zb, m, h, *f8 ? 8 : 4, a);
}

/* The header of a .npy: magic, version, header length (bounded by the member's bytes and
 * NPZ_MAX_HEADER before it is copied), then the dict. Sets *data_off. */
static int npy_header(const zip_buf *zb, const char *m, const unsigned char *b, size_t len, npz_array *a,
                      int *f8, size_t *data_off)
{
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        return bad(zb, "member '%s' is not a .npy array", m);
    if (b[6] < 1 || b[6] > 3)
        return bad(zb, "member '%s': unsupported .npy version %u", m, b[6]);
    size_t hoff = b[6] == 1 ? 10 : 12;
    if (len < hoff)
        return bad(zb, "member '%s': truncated .npy header", m);
    size_t hl = b[6] == 1 ? get16(b + 8) : get32(b + 8);
    if (hl > NPZ_MAX_HEADER)
        return bad(zb, "member '%s': .npy header of %zu bytes is longer than %d", m, hl, NPZ_MAX_HEADER);
    if (hl > len - hoff)
        return bad(zb, "member '%s': truncated .npy header", m);
    char *h = xcalloc(hl + 1, 1);
    memcpy(h, b + hoff, hl);
    *data_off = hoff + hl;
    int rc = npy_dict(zb, m, h, a, f8);
    free(h);
    return rc;
}

/* Parses the .npy bytes of one member into a. The data is allocated only after the shape
 * is known to fit the member's real bytes and the 2 GiB of all arrays together. */
static int npy_decode(zip_buf *zb, const char *m, const unsigned char *b, size_t len, npz_array *a)
{
    int f8 = 0;
    size_t off = 0;
    if (npy_header(zb, m, b, len, a, &f8, &off) != 0)
        return -1;
    size_t esz = f8 ? 8 : 4;
    if (a->count > (len - off) / esz)
        return bad(zb, "member '%s': data is shorter than its shape says", m);
    if (a->count * 4 > NPZ_MAX_BYTES - zb->kept)
        return bad(zb, "member '%s': the arrays hold more than 2 GiB together", m);
    a->data = xcalloc(a->count ? a->count : 1, sizeof(float));
    for (size_t i = 0; i < a->count; i++) {
        const unsigned char *q = b + off + i * esz;
        if (f8) {
            uint64_t bits = get64(q);
            double d;
            memcpy(&d, &bits, 8);
            /* Converting a finite double beyond float's range is undefined in C; NaN and
             * Inf pass through for the caller to judge. */
            if (isfinite(d) && fabs(d) > FLT_MAX) {
                free(a->data);
                a->data = NULL;
                return bad(zb, "member '%s': element %zu is %g, outside the float32 range", m, i, d);
            }
            a->data[i] = (float)d;
        } else {
            uint32_t bits = get32(q);
            memcpy(&a->data[i], &bits, 4);
        }
    }
    zb->kept += a->count * 4;
    return 0;
}

/* ---- zip members ---- */

/* Inflates a raw deflate stream that must give exactly want bytes into *out. The buffer
 * grows with the output really produced (up to want), so a size that lies costs no more
 * memory than the stream holds; one spare byte past want tells "too long" from "exact".
 * Returns 0, or -1 corrupt, -2 longer than want, -3 shorter (*got says how long). */
static int inflate_exact(const unsigned char *src, size_t n, size_t want, unsigned char **out, size_t *got)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
        return -1;
    size_t cap = want < 65536 ? want : 65536;
    unsigned char *buf = xcalloc(cap ? cap : 1, 1);
    unsigned char spare;
    s.next_in = (Bytef *)src;
    s.avail_in = (uInt)n; /* n <= NPZ_MAX_BYTES fits */
    int r = Z_OK;
    while (r == Z_OK && s.total_out <= want) {
        size_t done = s.total_out;
        if (done == cap && cap < want) {
            cap = cap < want / 2 ? 2 * cap : want;
            buf = xrealloc(buf, cap, 1);
        }
        s.next_out = done < cap ? buf + done : &spare;
        s.avail_out = done < cap ? (uInt)(cap - done) : 1;
        r = inflate(&s, Z_NO_FLUSH);
    }
    *got = s.total_out;
    inflateEnd(&s);
    int rc = *got > want ? -2 : r != Z_STREAM_END ? -1 : *got < want ? -3 : 0;
    if (rc != 0)
        free(buf);
    else
        *out = buf;
    return rc;
}

/* Sizes and offset of a central directory entry, with ZIP64 extra fields applied. */
static void apply_zip64(const unsigned char *extra, size_t elen, member *mb)
{
    size_t i = 0;
    while (elen - i >= 4) {
        unsigned id = get16(extra + i), sz = get16(extra + i + 2);
        if (sz > elen - i - 4)
            return;
        const unsigned char *q = extra + i + 4, *e = q + sz;
        if (id == 1 && mb->usize == 0xFFFFFFFFu && e - q >= 8)
            mb->usize = get64(q), q += 8;
        if (id == 1 && mb->csize == 0xFFFFFFFFu && e - q >= 8)
            mb->csize = get64(q), q += 8;
        if (id == 1 && mb->off == 0xFFFFFFFFu && e - q >= 8)
            mb->off = get64(q);
        i += 4 + sz;
    }
}

/* Checks the declared sizes against the member's real bytes and the limits, before any
 * allocation: a stored member's two sizes must agree, a deflated one cannot claim more
 * than deflate can expand its compressed bytes into. */
static int check_sizes(const zip_buf *zb, const member *mb)
{
    const char *m = mb->name;
    unsigned long long cs = mb->csize, us = mb->usize;
    if (mb->method != 0 && mb->method != 8)
        return bad(zb, "member '%s': compression method %u is not supported", m, mb->method);
    if (mb->usize > NPZ_MAX_BYTES)
        return bad(zb, "member '%s' declares %llu bytes uncompressed, more than 2 GiB", m, us);
    if (mb->method == 0 && mb->usize != mb->csize)
        return bad(zb, "member '%s': stored sizes disagree (%llu bytes declared, %llu stored)", m, us, cs);
    if (mb->method == 8 && mb->usize / NPZ_DEFLATE_MAX_RATIO > mb->csize)
        return bad(zb, "member '%s' declares %llu bytes from %llu compressed, more than deflate can give (%d per byte)",
                   m, us, cs, NPZ_DEFLATE_MAX_RATIO);
    return 0;
}

/* The member's uncompressed bytes: in place when stored, else inflated into *owned. */
static int member_bytes(const zip_buf *zb, const member *mb, const unsigned char *src, const unsigned char **b,
                        unsigned char **owned)
{
    *owned = NULL;
    if (mb->method == 0) {
        *b = src;
        return 0;
    }
    size_t got = 0;
    int r = inflate_exact(src, (size_t)mb->csize, (size_t)mb->usize, owned, &got);
    unsigned long long us = mb->usize;
    if (r == -2)
        return bad(zb, "member '%s': inflates to more than the %llu bytes it declares", mb->name, us);
    if (r == -3)
        return bad(zb, "member '%s': inflates to %zu bytes, not the %llu it declares", mb->name, got, us);
    if (r != 0)
        return bad(zb, "member '%s': corrupt deflate data", mb->name);
    *b = *owned;
    return 0;
}

/* Finds the member's data through its local header; *data is its offset in the file. */
static int locate_data(const zip_buf *zb, const member *mb, size_t *data)
{
    if (!span_ok(zb->len, mb->off, 30))
        return bad(zb, "member '%s': local header offset %llu is outside the file", mb->name,
                   (unsigned long long)mb->off);
    if (get32(zb->p + mb->off) != 0x04034b50)
        return bad(zb, "member '%s': bad local header", mb->name);
    /* off <= len - 30 and the two lengths are 16-bit: no wrap */
    uint64_t d = mb->off + 30 + get16(zb->p + mb->off + 26) + get16(zb->p + mb->off + 28);
    if (!span_ok(zb->len, d, mb->csize))
        return bad(zb, "member '%s' is truncated", mb->name);
    *data = (size_t)d;
    return 0;
}

/* cd: a central directory entry whose name and extra field lie inside the file. */
static int read_member(zip_buf *zb, const unsigned char *cd, npz *z)
{
    member mb = {.method = get16(cd + 10), .crc = get32(cd + 16), .csize = get32(cd + 20),
                 .usize = get32(cd + 24), .off = get32(cd + 42)};
    unsigned nlen = get16(cd + 28);
    apply_zip64(cd + 46 + nlen, get16(cd + 30), &mb);
    printable(mb.name, sizeof mb.name, cd + 46, nlen);
    npz_array a;
    memset(&a, 0, sizeof a);
    size_t nl = strlen(mb.name);
    snprintf(a.name, sizeof a.name, "%.*s", (int)(nl > 4 && strcmp(mb.name + nl - 4, ".npy") == 0 ? nl - 4 : nl),
             mb.name);
    /* numpy.load keeps the last of two same-named members; taking either would be a guess */
    if (npz_find(z, a.name))
        return bad(zb, "member '%s' appears twice", mb.name);
    size_t data = 0;
    if (locate_data(zb, &mb, &data) != 0 || check_sizes(zb, &mb) != 0)
        return -1;
    const unsigned char *b = NULL;
    unsigned char *owned;
    if (member_bytes(zb, &mb, zb->p + data, &b, &owned) != 0)
        return -1;
    int rc;
    if ((uint32_t)crc32(0L, b, (uInt)mb.usize) != mb.crc) /* usize <= 2 GiB fits uInt */
        rc = bad(zb, "member '%s': CRC mismatch (file is corrupt)", mb.name);
    else
        rc = npy_decode(zb, a.name, b, (size_t)mb.usize, &a);
    free(owned);
    if (rc != 0)
        return -1;
    z->arrays = xrealloc(z->arrays, (size_t)z->n + 1, sizeof *z->arrays);
    z->arrays[z->n++] = a;
    return 0;
}

/* ---- the zip directory ---- */

/* The end-of-central-directory record, searched backwards over the longest comment. */
static int find_eocd(const zip_buf *zb, size_t *eocd)
{
    if (zb->len == 0)
        return bad(zb, "not a .npz file (the file is empty)");
    if (zb->len < 22)
        return bad(zb, "not a .npz file (too short to be a zip archive)");
    size_t lo = zb->len > 22 + 65535 ? zb->len - 22 - 65535 : 0;
    for (size_t i = zb->len - 22 + 1; i-- > lo;)
        if (get32(zb->p + i) == 0x06054b50) {
            *eocd = i;
            return 0;
        }
    return bad(zb, "not a .npz file (no zip end-of-directory record)");
}

/* The ZIP64 end record the locator (20 bytes before the EOCD) points at: 56 bytes that
 * must lie before the locator. */
static int read_zip64_end(const zip_buf *zb, size_t loc, uint64_t *count, uint64_t *cd_size, uint64_t *cd_off)
{
    uint64_t z64 = get64(zb->p + loc + 8);
    if (!span_ok(loc, z64, 56))
        return bad(zb, "corrupt ZIP64 directory (its end record at offset %llu is outside the file)",
                   (unsigned long long)z64);
    if (get32(zb->p + z64) != 0x06064b50)
        return bad(zb, "corrupt ZIP64 directory (no end record at offset %llu)", (unsigned long long)z64);
    *count = get64(zb->p + z64 + 32);
    *cd_size = get64(zb->p + z64 + 40);
    *cd_off = get64(zb->p + z64 + 48);
    return 0;
}

static int parse_zip(zip_buf *zb, npz *z)
{
    size_t eocd = 0;
    if (find_eocd(zb, &eocd) != 0)
        return -1;
    const unsigned char *e = zb->p + eocd;
    uint64_t count = get16(e + 10), cd_size = get32(e + 12), cd_off = get32(e + 16);
    bool maxed = count == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu;
    if (maxed && eocd >= 20 && get32(e - 20) == 0x07064b50 &&
        read_zip64_end(zb, eocd - 20, &count, &cd_size, &cd_off) != 0)
        return -1;
    if (!span_ok(zb->len, cd_off, cd_size))
        return bad(zb, "corrupt zip directory (%llu bytes at offset %llu, past the end of the file)",
                   (unsigned long long)cd_size, (unsigned long long)cd_off);
    if (count > NPZ_MAX_MEMBERS)
        return bad(zb, "the zip directory lists %llu members, more than %d", (unsigned long long)count,
                   NPZ_MAX_MEMBERS);
    size_t p = (size_t)cd_off, end = (size_t)(cd_off + cd_size); /* both <= len now */
    for (uint64_t i = 0; i < count; i++) {
        if (end - p < 46 || get32(zb->p + p) != 0x02014b50)
            return bad(zb, "corrupt zip directory entry %llu", (unsigned long long)i + 1);
        size_t step = 46 + (size_t)get16(zb->p + p + 28) + get16(zb->p + p + 30) + get16(zb->p + p + 32);
        if (end - p < step)
            return bad(zb, "corrupt zip directory entry %llu", (unsigned long long)i + 1);
        if (read_member(zb, zb->p + p, z) != 0)
            return -1;
        p += step;
    }
    return 0;
}

/* The whole file in one allocation of its fstat size, refused up front when over the
 * limit (no buffer grown while reading), and only from a regular file: a directory or a
 * FIFO gets one clear line from file_open_regular instead of a read error or a hang. */
int npz_load(npz *z, const char *path, ds_error *err)
{
    memset(z, 0, sizeof *z);
    off_t size = 0;
    FILE *f = file_open_regular(path, "rb", &size, err);
    if (!f)
        return -1;
    if (size < 0 || (uintmax_t)size > NPZ_MAX_BYTES) {
        fclose(f);
        return err_set(err, path, 0, "larger than 2 GiB (%jd bytes)", (intmax_t)size);
    }
    size_t len = (size_t)size;
    unsigned char *buf = xcalloc(len ? len : 1, 1);
    size_t got = fread(buf, 1, len, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr || got != len) {
        free(buf);
        return rerr ? err_set(err, path, 0, "read error")
                    : err_set(err, path, 0, "changed while being read (%zu of %zu bytes)", got, len);
    }
    zip_buf zb = {.p = buf, .len = len, .path = path, .err = err};
    int rc = parse_zip(&zb, z);
    free(buf);
    if (rc != 0)
        npz_free(z);
    return rc;
}
