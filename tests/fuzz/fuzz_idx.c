/* fuzz_idx.c - libFuzzer harness for IDX datasets (dataset_load_idx), built twice:
 *   fuzz_idx     the two files are written as they are (zlib's gzread reads raw files, and
 *                gzip ones too, so corrupt gzip streams are reached from here as well);
 *   fuzz_idx_gz  (-DFUZZ_IDX_GZIP) both files are gzip-compressed first, so the fuzzer
 *                mutates the decompressed IDX bytes behind a valid gzip stream.
 * Input layout: 2 bytes little-endian L, then L bytes of the labels file (L is clamped to
 * what is there), then the rest is the images file. */
#include "fuzz_common.h"

#include <zlib.h>

#include "data/dataset.h"

static int tmp_images = -1, tmp_labels = -1;

#ifdef FUZZ_IDX_GZIP
static unsigned char *gz_buf;
static size_t gz_cap;

/* data as a gzip stream in gz_buf (grown as needed); returns its length. */
static size_t gzip_bytes(const uint8_t *data, size_t n)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, 6, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    size_t need = deflateBound(&s, (uLong)n) + 32;
    if (need > gz_cap) {
        free(gz_buf);
        gz_buf = malloc(need);
        if (!gz_buf)
            abort();
        gz_cap = need;
    }
    s.next_in = (Bytef *)(uintptr_t)data;
    s.avail_in = (uInt)n;
    s.next_out = gz_buf;
    s.avail_out = (uInt)gz_cap;
    if (deflate(&s, Z_FINISH) != Z_STREAM_END)
        abort();
    size_t out = s.total_out;
    deflateEnd(&s);
    return out;
}
#define FUZZ_TAG "idxgz"
#define FUZZ_SUFFIX ".gz"
#else
#define FUZZ_TAG "idx"
#define FUZZ_SUFFIX ""
#endif

static void put_file(int tmp, const uint8_t *data, size_t n)
{
#ifdef FUZZ_IDX_GZIP
    size_t z = gzip_bytes(data, n);
    fuzz_temp_write(tmp, gz_buf, z);
#else
    fuzz_temp_write(tmp, data, n);
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (tmp_images < 0) {
        tmp_images = fuzz_temp_new(FUZZ_TAG "-images", FUZZ_SUFFIX);
        tmp_labels = fuzz_temp_new(FUZZ_TAG "-labels", FUZZ_SUFFIX);
    }
    if (size < 2)
        return 0;
    size_t L = (size_t)data[0] | (size_t)data[1] << 8;
    data += 2, size -= 2;
    if (L > size)
        L = size;
    put_file(tmp_labels, data, L);
    put_file(tmp_images, data + L, size - L);
    dataset ds;
    ds_error err;
    memset(&err, 0, sizeof err);
    int rc = dataset_load_idx(&ds, fuzz_temp_path(tmp_images), fuzz_temp_path(tmp_labels), &err);
    fuzz_say(&err, rc);
    if (rc != 0) {
        FUZZ_CHECK(err.msg[0] != '\0');
        dataset_destroy(&ds);
        return 0;
    }
    FUZZ_CHECK(ds.n > 0 && ds.n <= DATA_MAX_ROWS);
    FUZZ_CHECK(ds.d > 0 && ds.d <= DATA_MAX_FEATURES);
    FUZZ_CHECK(ds.raw_u8 != NULL && ds.labels != NULL);
    FUZZ_CHECK(ds.n_classes >= 1 && ds.n_classes <= 256);
    for (int i = 0; i < ds.n; i++)
        FUZZ_CHECK(ds.labels[i] >= 0 && ds.labels[i] < ds.n_classes);
    dataset_destroy(&ds);
    return 0;
}
