/* idx.c - MNIST's IDX format, gzip-compressed or raw (zlib's gzread reads both).
 * Images: magic 0x00000803, then n, rows, cols (big-endian u32), then n*rows*cols bytes.
 * Labels: magic 0x00000801, then n, then n bytes.
 *
 * A header is sixteen bytes anyone can write, so nothing it declares is allocated on trust:
 * the sizes are checked against the dataset limits, a raw file's declared data against its
 * real size, and a gzip file (whose inflated size is unknown until it is read) is read into
 * a buffer that grows as the data arrives, so a short file costs what it holds. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../common/fileio.h"
#include "../common/xalloc.h"
#include "dataset.h"

#define IDX_IMAGES 0x00000803u
#define IDX_LABELS 0x00000801u
#define IDX_FIRST_READ ((size_t)1 << 20) /* gzip: the buffer starts here and doubles */

typedef struct idx_file {
    const char *path;
    gzFile gz;
    off_t size;       /* bytes on disk */
    int header;       /* bytes of magic and sizes */
    int raw;          /* not gzip: size tells up front whether the data is all there */
    uint32_t dim[3];  /* the declared sizes */
} idx_file;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* zlib's message without the "<fd:N>: " gzdopen puts in front of it. */
static int gz_fail(const idx_file *f, ds_error *err)
{
    int code = 0;
    const char *msg = gzerror(f->gz, &code);
    const char *colon = strstr(msg, ": ");
    return err_set(err, f->path, 0, "corrupt gzip data: %s", colon ? colon + 2 : msg);
}

/* Up to n bytes into buf: 0 with *got (short only at the end), or -1 when zlib fails. */
static int read_upto(gzFile gz, void *buf, size_t n, size_t *got)
{
    size_t total = 0;
    while (total < n) {
        size_t chunk = n - total > (1u << 30) ? (1u << 30) : n - total;
        int r = gzread(gz, (char *)buf + total, (unsigned)chunk);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        total += (size_t)r;
    }
    *got = total;
    return 0;
}

/* gzdopen on a descriptor file_open_regular has checked, so a directory, device or FIFO is
 * refused with fileio's one line before zlib reads (or blocks on) it. */
static int open_checked(idx_file *f, const char *path, ds_error *err)
{
    FILE *fp = file_open_regular(path, "rb", &f->size, err);
    if (!fp)
        return -1;
    int fd = dup(fileno(fp));
    fclose(fp);
    f->gz = fd < 0 ? NULL : gzdopen(fd, "rb");
    if (!f->gz) {
        int e = errno ? errno : ENOMEM;
        if (fd >= 0)
            close(fd);
        return file_err_cannot_open(err, path, e);
    }
    return 0;
}

/* Opens path and reads its magic and `dims` sizes into f. */
static int idx_open(idx_file *f, const char *path, uint32_t magic, int dims, ds_error *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->header = 4 + 4 * dims;
    if (open_checked(f, path, err) != 0)
        return -1;
    unsigned char head[16];
    size_t got = 0;
    if (read_upto(f->gz, head, (size_t)f->header, &got) != 0)
        return gz_fail(f, err);
    /* The magic first: a labels file given for the images is shorter than an image header,
     * and "bad magic" says what is wrong where "truncated header" would mislead. */
    uint32_t m = got >= 4 ? be32(head) : magic;
    if (m != magic)
        return err_set(err, path, 0, "bad magic number 0x%08x (expected 0x%08x: %s)", m, magic,
                       magic == IDX_IMAGES ? "IDX images, unsigned bytes, 3 dimensions"
                                           : "IDX labels, unsigned bytes, 1 dimension");
    if (got < (size_t)f->header)
        return err_set(err, path, 0, "truncated header: %zu of %d bytes", got, f->header);
    for (int i = 0; i < dims; i++)
        f->dim[i] = be32(head + 4 + 4 * i);
    f->raw = gzdirect(f->gz);
    return 0;
}

static void idx_close(idx_file *f)
{
    if (f->gz)
        gzclose(f->gz);
    f->gz = NULL;
}

/* The image sizes against the limits, before anything is allocated for them. */
static int check_images(const idx_file *im, const idx_file *lab, ds_error *err)
{
    const uint32_t *s = im->dim;
    if (s[0] == 0)
        return err_set(err, im->path, 0, "no images (the header declares 0)");
    if (s[1] == 0 || s[2] == 0)
        return err_set(err, im->path, 0, "images of %ux%u pixels have no pixels", s[1], s[2]);
    /* u32 x u32 fits in 64 bits; dataset_check_shape bounds the rest. */
    if (dataset_check_shape(s[0], (uint64_t)s[1] * s[2], "images", "pixels", im->path, 0, err) != 0)
        return -1;
    if (lab->dim[0] != s[0])
        return err_set(err, lab->path, 0, "%u labels for %u images", lab->dim[0], s[0]);
    return 0;
}

/* After the data: one more read makes zlib check the gzip trailer (CRC-32 and length), and
 * a stream cut inside its trailer shows as Z_BUF_ERROR ("unexpected end of file"), which
 * gzread reports as a short read, not as -1. Bytes after the data are not an error. */
static int gz_check_end(const idx_file *f)
{
    unsigned char extra;
    int code = Z_OK;
    if (gzread(f->gz, &extra, 1) < 0)
        return -1;
    gzerror(f->gz, &code);
    return code == Z_OK ? 0 : -1;
}

/* Reads n items of `unit` bytes ("images", "labels") into a new buffer. A raw file shorter
 * than its header declares is refused before allocating; gzip data is read into a buffer
 * that doubles from IDX_FIRST_READ only as bytes arrive. */
static int idx_read(idx_file *f, size_t n, size_t unit, const char *what, uint8_t **out, ds_error *err)
{
    size_t want = n * unit; /* within DATA_MAX_VALUES: checked by the caller */
    if (f->raw && (uint64_t)f->size - (uint64_t)f->header < want)
        return err_set(err, f->path, 0, "truncated: %llu of %zu %s",
                       (unsigned long long)(((uint64_t)f->size - (uint64_t)f->header) / unit), n, what);
    size_t cap = f->raw || want < IDX_FIRST_READ ? want : IDX_FIRST_READ, got = 0;
    uint8_t *buf = xrealloc(NULL, cap, 1);
    for (;;) {
        size_t more = 0;
        if (read_upto(f->gz, buf + got, cap - got, &more) != 0) {
            free(buf);
            return gz_fail(f, err);
        }
        got += more;
        if (got < cap || cap == want)
            break;
        cap = cap > want / 2 ? want : 2 * cap;
        buf = xrealloc(buf, cap, 1);
    }
    if (got == want && !f->raw && gz_check_end(f) != 0) {
        free(buf);
        return gz_fail(f, err);
    }
    if (got < want) {
        free(buf);
        return err_set(err, f->path, 0, "truncated: %zu of %zu %s", got / unit, n, what);
    }
    *out = buf;
    return 0;
}

static int *labels_of(const uint8_t *bytes, int n, int *n_classes)
{
    int *labels = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++) {
        labels[i] = bytes[i];
        *n_classes = bytes[i] + 1 > *n_classes ? bytes[i] + 1 : *n_classes;
    }
    return labels;
}

int dataset_load_idx(dataset *ds, const char *images, const char *labels, ds_error *err)
{
    dataset_count_load();
    memset(ds, 0, sizeof *ds);
    idx_file fi, fl = {0};
    uint8_t *pix = NULL, *lab = NULL;
    int rc = -1;
    if (idx_open(&fi, images, IDX_IMAGES, 3, err) != 0 || idx_open(&fl, labels, IDX_LABELS, 1, err) != 0 ||
        check_images(&fi, &fl, err) != 0)
        goto done;
    int n = (int)fi.dim[0], d = (int)(fi.dim[1] * fi.dim[2]);
    if (idx_read(&fi, (size_t)n, (size_t)d, "images", &pix, err) != 0 ||
        idx_read(&fl, (size_t)n, 1, "labels", &lab, err) != 0)
        goto done;
    int n_classes = 0;
    int *y = labels_of(lab, n, &n_classes);
    dataset_adopt(ds, n, d, pix, true, y);
    ds->n_classes = n_classes;
    pix = NULL;
    rc = 0;
done:
    free(pix);
    free(lab);
    idx_close(&fi);
    idx_close(&fl);
    return rc;
}
