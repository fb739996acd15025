/* npz.h - NumPy .npz archives of float32 arrays.
 * Writing: a zip of uncompressed .npy (format 1.0, '<f4', C order) members with a fixed
 * timestamp, so the same weights give byte-identical files; written atomically.
 * Reading: what numpy.savez and numpy.savez_compressed write (stored or deflated members,
 * ZIP64 extra fields and end records), '<f4' or '<f8' (converted to float32), C order.
 * The file is untrusted: every offset and size in it is checked against the file's real
 * size (and the limits below) before it is used or anything is allocated for it, and each
 * problem is one line naming the member, e.g. "member 'layers.0.weight': ...". */
#ifndef DS_NPZ_H
#define DS_NPZ_H

#include <stddef.h>

#include "../common/err.h"

#define NPZ_MAX_DIMS 4

/* Limits of the reader, so a hostile file is refused instead of attempted. NPZ_MAX_BYTES
 * bounds the file, each member's uncompressed size, and the float32 data of all arrays
 * together: 2 GiB, twice the largest net deepstep trains (NET_MAX_PARAMS floats). */
#define NPZ_MAX_BYTES ((size_t)1 << 31)
#define NPZ_MAX_MEMBERS 4096
#define NPZ_MAX_HEADER 65535 /* a .npy header dict, in bytes (numpy's own is < 200 here) */
#define NPZ_DEFLATE_MAX_RATIO 1032 /* deflate cannot expand one byte into more than this */

typedef struct npz_array {
    char name[128]; /* without ".npy" */
    int ndim;
    size_t shape[NPZ_MAX_DIMS];
    size_t count;
    float *data;
} npz_array;

typedef struct npz {
    npz_array *arrays;
    int n;
} npz;

/* Adds a copy of data. */
void npz_add(npz *z, const char *name, const float *data, int ndim, const size_t *shape);
const npz_array *npz_find(const npz *z, const char *name);
void npz_free(npz *z);

int npz_save(const npz *z, const char *path, ds_error *err);
/* Reads every member of the archive at path (a regular file of at most NPZ_MAX_BYTES).
 * On error fills err (file = path) and leaves *z empty. */
int npz_load(npz *z, const char *path, ds_error *err);

#endif
