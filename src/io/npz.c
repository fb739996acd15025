#include "npz.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../common/xalloc.h"
#include "atomic.h"

#define NPZ_MAX_BYTES ((size_t)1 << 31)
#define NPZ_MAX_MEMBERS 4096

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

typedef struct zip_buf {
    const unsigned char *p;
    size_t len;
    const char *path;
    ds_error *err;
} zip_buf;

static int bad(const zip_buf *zb, const char *what) { return err_set(zb->err, zb->path, 0, "%s", what); }

/* Parses the .npy bytes of one member into a. */
static int npy_decode(const zip_buf *zb, const char *member, const unsigned char *b, size_t len, npz_array *a)
{
    char msg[300];
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0) {
        snprintf(msg, sizeof msg, "member '%s' is not a .npy array", member);
        return bad(zb, msg);
    }
    size_t hl, hoff;
    if (b[6] == 1)
        hl = get16(b + 8), hoff = 10;
    else if ((b[6] == 2 || b[6] == 3) && len >= 12)
        hl = get32(b + 8), hoff = 12;
    else {
        snprintf(msg, sizeof msg, "member '%s': unsupported .npy version %u", member, b[6]);
        return bad(zb, msg);
    }
    if (hoff + hl > len) {
        snprintf(msg, sizeof msg, "member '%s': truncated .npy header", member);
        return bad(zb, msg);
    }
    char *h = xcalloc(hl + 1, 1);
    memcpy(h, b + hoff, hl);
    int rc = -1, f8 = 0;
    char *descr = strstr(h, "'descr':"), *fo = strstr(h, "'fortran_order':"), *sh = strstr(h, "'shape':");
    if (!descr || !fo || !sh) {
        snprintf(msg, sizeof msg, "member '%s': .npy header lacks descr, fortran_order or shape", member);
        bad(zb, msg);
        goto out;
    }
    if (strncmp(descr + 8, " '<f4'", 6) == 0)
        f8 = 0;
    else if (strncmp(descr + 8, " '<f8'", 6) == 0)
        f8 = 1;
    else {
        char d[16] = "";
        sscanf(descr + 8, " '%15[^']'", d);
        snprintf(msg, sizeof msg, "member '%s': dtype '%s' is not float32 ('<f4') or float64 ('<f8')", member, d);
        bad(zb, msg);
        goto out;
    }
    if (strncmp(fo + 16, " False", 6) != 0) {
        snprintf(msg, sizeof msg, "member '%s': Fortran-ordered arrays are not supported (save a C-ordered copy)", member);
        bad(zb, msg);
        goto out;
    }
    char *p = strchr(sh, '(');
    char *close = p ? strchr(p, ')') : NULL;
    if (!p || !close) {
        snprintf(msg, sizeof msg, "member '%s': malformed shape", member);
        bad(zb, msg);
        goto out;
    }
    a->ndim = 0;
    a->count = 1;
    for (p++; p < close;) {
        while (p < close && (*p == ' ' || *p == ','))
            p++;
        if (p >= close)
            break;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || a->ndim == NPZ_MAX_DIMS || v > (1ull << 31)) {
            snprintf(msg, sizeof msg, "member '%s': unsupported shape", member);
            bad(zb, msg);
            goto out;
        }
        a->shape[a->ndim++] = (size_t)v;
        a->count *= (size_t)v;
        p = end;
    }
    size_t esz = f8 ? 8 : 4, data_off = hoff + hl;
    if (a->count > NPZ_MAX_BYTES / esz || len - data_off < a->count * esz) {
        snprintf(msg, sizeof msg, "member '%s': data is shorter than its shape says", member);
        bad(zb, msg);
        goto out;
    }
    a->data = xcalloc(a->count ? a->count : 1, sizeof(float));
    for (size_t i = 0; i < a->count; i++) {
        const unsigned char *q = b + data_off + i * esz;
        if (f8) {
            uint64_t bits = get64(q);
            double d;
            memcpy(&d, &bits, 8);
            a->data[i] = (float)d;
        } else {
            uint32_t bits = get32(q);
            memcpy(&a->data[i], &bits, 4);
        }
    }
    rc = 0;
out:
    free(h);
    return rc;
}

static int inflate_raw(const unsigned char *src, size_t n, unsigned char *dst, size_t out)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
        return -1;
    s.next_in = (Bytef *)src;
    s.avail_in = (uInt)n;
    s.next_out = dst;
    s.avail_out = (uInt)out;
    int r = inflate(&s, Z_FINISH);
    size_t got = s.total_out;
    inflateEnd(&s);
    return r == Z_STREAM_END && got == out ? 0 : -1;
}

/* Sizes and offset of a central directory entry, with ZIP64 extra fields applied. */
static void apply_zip64(const unsigned char *extra, size_t elen, uint64_t *usize, uint64_t *csize, uint64_t *off)
{
    size_t i = 0;
    while (i + 4 <= elen) {
        unsigned id = get16(extra + i), sz = get16(extra + i + 2);
        if (i + 4 + sz > elen)
            return;
        if (id == 1) {
            const unsigned char *q = extra + i + 4, *e = q + sz;
            if (*usize == 0xFFFFFFFFu && q + 8 <= e)
                *usize = get64(q), q += 8;
            if (*csize == 0xFFFFFFFFu && q + 8 <= e)
                *csize = get64(q), q += 8;
            if (*off == 0xFFFFFFFFu && q + 8 <= e)
                *off = get64(q);
        }
        i += 4 + sz;
    }
}

static int read_member(zip_buf *zb, const unsigned char *cd, npz *z)
{
    unsigned method = get16(cd + 10), nlen = get16(cd + 28), elen = get16(cd + 30);
    uint32_t crc = get32(cd + 16);
    uint64_t csize = get32(cd + 20), usize = get32(cd + 24), off = get32(cd + 42);
    apply_zip64(cd + 46 + nlen, elen, &usize, &csize, &off);
    char name[160];
    snprintf(name, sizeof name, "%.*s", (int)(nlen < 150 ? nlen : 150), (const char *)cd + 46);
    char msg[300];
    if (off + 30 > zb->len || get32(zb->p + off) != 0x04034b50) {
        snprintf(msg, sizeof msg, "member '%s': bad local header", name);
        return bad(zb, msg);
    }
    uint64_t data = off + 30 + get16(zb->p + off + 26) + get16(zb->p + off + 28);
    if (data > zb->len || csize > zb->len - data || usize > NPZ_MAX_BYTES) {
        snprintf(msg, sizeof msg, "member '%s' is truncated", name);
        return bad(zb, msg);
    }
    unsigned char *raw;
    if (method == 0) {
        raw = xcalloc(usize ? usize : 1, 1);
        memcpy(raw, zb->p + data, usize < csize ? usize : csize);
        if (usize != csize) {
            free(raw);
            snprintf(msg, sizeof msg, "member '%s': stored sizes disagree", name);
            return bad(zb, msg);
        }
    } else if (method == 8) {
        raw = xcalloc(usize ? usize : 1, 1);
        if (inflate_raw(zb->p + data, csize, raw, usize) != 0) {
            free(raw);
            snprintf(msg, sizeof msg, "member '%s': corrupt deflate data", name);
            return bad(zb, msg);
        }
    } else {
        snprintf(msg, sizeof msg, "member '%s': compression method %u is not supported", name, method);
        return bad(zb, msg);
    }
    if ((uint32_t)crc32(0L, raw, (uInt)usize) != crc) {
        free(raw);
        snprintf(msg, sizeof msg, "member '%s': CRC mismatch (file is corrupt)", name);
        return bad(zb, msg);
    }
    npz_array a;
    memset(&a, 0, sizeof a);
    size_t nl = strlen(name);
    if (nl > 4 && strcmp(name + nl - 4, ".npy") == 0)
        name[nl - 4] = '\0';
    snprintf(a.name, sizeof a.name, "%s", name);
    int rc = npy_decode(zb, name, raw, usize, &a);
    free(raw);
    if (rc != 0)
        return -1;
    z->arrays = xrealloc(z->arrays, (size_t)z->n + 1, sizeof *z->arrays);
    z->arrays[z->n++] = a;
    return 0;
}

static int parse_zip(zip_buf *zb, npz *z)
{
    if (zb->len < 22)
        return bad(zb, "not a .npz file (too short to be a zip archive)");
    size_t eocd = (size_t)-1;
    size_t lo = zb->len > 22 + 65535 ? zb->len - 22 - 65535 : 0;
    for (size_t i = zb->len - 22 + 1; i-- > lo;)
        if (get32(zb->p + i) == 0x06054b50) {
            eocd = i;
            break;
        }
    if (eocd == (size_t)-1)
        return bad(zb, "not a .npz file (no zip end-of-directory record)");
    uint64_t count = get16(zb->p + eocd + 10), cd_size = get32(zb->p + eocd + 12), cd_off = get32(zb->p + eocd + 16);
    if (cd_off == 0xFFFFFFFFu && eocd >= 20 && get32(zb->p + eocd - 20) == 0x07064b50) {
        uint64_t z64 = get64(zb->p + eocd - 20 + 8);
        if (z64 + 56 > zb->len || get32(zb->p + z64) != 0x06064b50)
            return bad(zb, "corrupt ZIP64 directory");
        count = get64(zb->p + z64 + 32);
        cd_size = get64(zb->p + z64 + 40);
        cd_off = get64(zb->p + z64 + 48);
    }
    if (cd_off > zb->len || cd_size > zb->len - cd_off || count > NPZ_MAX_MEMBERS)
        return bad(zb, "corrupt zip directory");
    size_t p = (size_t)cd_off, end = (size_t)(cd_off + cd_size);
    for (uint64_t i = 0; i < count; i++) {
        if (p + 46 > end || get32(zb->p + p) != 0x02014b50)
            return bad(zb, "corrupt zip directory entry");
        size_t step = 46 + (size_t)get16(zb->p + p + 28) + get16(zb->p + p + 30) + get16(zb->p + p + 32);
        if (p + step > end)
            return bad(zb, "corrupt zip directory entry");
        if (read_member(zb, zb->p + p, z) != 0)
            return -1;
        p += step;
    }
    return 0;
}

int npz_load(npz *z, const char *path, ds_error *err)
{
    memset(z, 0, sizeof *z);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, path, 0, "cannot open: %s", strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= NPZ_MAX_BYTES) {
                fclose(f);
                free(buf);
                return err_set(err, path, 0, "larger than 2 GiB");
            }
            cap = cap ? 2 * cap : 65536;
            buf = xrealloc(buf, cap, 1);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        return err_set(err, path, 0, "read error");
    }
    zip_buf zb = {.p = buf, .len = len, .path = path, .err = err};
    int rc = parse_zip(&zb, z);
    free(buf);
    if (rc != 0)
        npz_free(z);
    return rc;
}
