/* idx.c - MNIST's IDX format, gzip-compressed or raw (zlib's gzread reads both).
 * Images: magic 0x00000803, then n, rows, cols (big-endian u32), then n*rows*cols bytes.
 * Labels: magic 0x00000801, then n, then n bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../common/xalloc.h"
#include "dataset.h"

static int read_exact(gzFile f, void *buf, size_t n, size_t *got)
{
    size_t total = 0;
    while (total < n) {
        size_t chunk = n - total > (1u << 30) ? (1u << 30) : n - total;
        int r = gzread(f, (char *)buf + total, (unsigned)chunk);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        total += (size_t)r;
    }
    *got = total;
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the header words of an IDX file: magic then `dims` sizes. */
static gzFile open_idx(const char *path, uint32_t magic, int dims, uint32_t *size, ds_error *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        err_set(err, path, 0, "cannot open: %s", strerror(errno ? errno : ENOENT));
        return NULL;
    }
    unsigned char head[16];
    size_t want = 4 + 4 * (size_t)dims, got = 0;
    if (read_exact(f, head, want, &got) != 0) {
        err_set(err, path, 0, "not a valid gzip stream");
        gzclose(f);
        return NULL;
    }
    if (got < want) {
        err_set(err, path, 0, "truncated header: %zu of %zu bytes", got, want);
        gzclose(f);
        return NULL;
    }
    uint32_t m = be32(head);
    if (m != magic) {
        err_set(err, path, 0, "bad magic number 0x%08x (expected 0x%08x: %s)", m, magic,
                magic == 0x803 ? "IDX images, unsigned bytes, 3 dimensions" : "IDX labels, unsigned bytes, 1 dimension");
        gzclose(f);
        return NULL;
    }
    for (int i = 0; i < dims; i++)
        size[i] = be32(head + 4 + 4 * i);
    return f;
}

int dataset_load_idx(dataset *ds, const char *images, const char *labels, ds_error *err)
{
    memset(ds, 0, sizeof *ds);
    uint32_t isz[3], lsz[1];
    gzFile fi = open_idx(images, 0x00000803, 3, isz, err);
    if (!fi)
        return -1;
    gzFile fl = open_idx(labels, 0x00000801, 1, lsz, err);
    if (!fl) {
        gzclose(fi);
        return -1;
    }
    int rc = -1;
    uint8_t *lab = NULL;
    size_t got = 0;
    if (isz[0] == 0 || isz[0] > DATA_MAX_ROWS || isz[1] == 0 || isz[2] == 0 ||
        (uint64_t)isz[1] * isz[2] > DATA_MAX_FEATURES) {
        err_set(err, images, 0, "refusing %u images of %ux%u pixels (at most %d images of %d pixels)", isz[0],
                isz[1], isz[2], DATA_MAX_ROWS, DATA_MAX_FEATURES);
        goto done;
    }
    if (lsz[0] != isz[0]) {
        err_set(err, labels, 0, "%u labels for %u images", lsz[0], isz[0]);
        goto done;
    }
    int n = (int)isz[0], d = (int)(isz[1] * isz[2]);
    dataset_alloc(ds, n, d, true);
    size_t want = (size_t)n * d;
    if (read_exact(fi, ds->raw_u8, want, &got) != 0 || got < want) {
        err_set(err, images, 0, "truncated: expected %zu bytes of pixels, found %zu", want, got);
        goto done;
    }
    lab = xcalloc((size_t)n, 1);
    if (read_exact(fl, lab, (size_t)n, &got) != 0 || got < (size_t)n) {
        err_set(err, labels, 0, "truncated: expected %d label bytes, found %zu", n, got);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        ds->labels[i] = lab[i];
        ds->n_classes = lab[i] + 1 > ds->n_classes ? lab[i] + 1 : ds->n_classes;
    }
    rc = 0;
done:
    if (rc != 0)
        dataset_destroy(ds);
    free(lab);
    gzclose(fi);
    gzclose(fl);
    return rc;
}
