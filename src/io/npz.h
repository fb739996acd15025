/* npz.h - NumPy .npz archives of float32 arrays.
 * Writing: a zip of uncompressed .npy (format 1.0, '<f4', C order) members with a fixed
 * timestamp, so the same weights give byte-identical files; written atomically.
 * Reading: what numpy.savez and numpy.savez_compressed write (stored or deflated members,
 * ZIP64 extra fields), '<f4' or '<f8' (converted to float32), C order. */
#ifndef DS_NPZ_H
#define DS_NPZ_H

#include <stddef.h>

#include "../common/err.h"

#define NPZ_MAX_DIMS 4

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
int npz_load(npz *z, const char *path, ds_error *err);

#endif
