/* dataset.h - rows of features with integer class labels.
 *
 * Raw values stay as loaded (bytes for IDX images, floats otherwise) and every
 * normalisation is a per-feature affine map x = raw * scale + shift applied when a batch is
 * gathered, so a 10k-image MNIST set costs its bytes, not four times them.
 *   none       scale 1, shift 0
 *   minmax     (x - min) / (max - min)               -> [0, 1]
 *   symmetric  2 (x - min) / (max - min) - 1         -> [-1, 1]
 *   zscore     (x - mean) / std, population std (ddof 0)
 * Statistics come from the training rows only; a constant feature maps to 0.
 */
#ifndef DS_DATASET_H
#define DS_DATASET_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../engine/rng.h"

#define DATA_MAX_ROWS 10000000
#define DATA_MAX_FEATURES 65536
#define DATA_MAX_CLASSES 1000

typedef enum norm_kind { NORM_NONE, NORM_MINMAX, NORM_SYMMETRIC, NORM_ZSCORE, NORM_COUNT } norm_kind;

typedef struct dataset {
    int n, d, n_classes; /* rows, features, 1 + the largest label */
    uint8_t *raw_u8;     /* (n, d) or NULL */
    float *raw_f32;      /* (n, d) or NULL */
    int *labels;         /* (n) */
    float *scale, *shift; /* (d) normalisation */
    char **feature_names; /* (d) or NULL */
} dataset;

typedef struct split {
    int n_train, n_val;
    int *train, *val; /* row indices, ascending (file order) */
} split;

void dataset_destroy(dataset *ds);
/* Allocates rows and labels; scale 1, shift 0. */
void dataset_alloc(dataset *ds, int n, int d, bool bytes);

int dataset_load_csv(dataset *ds, const char *path, ds_error *err);
int dataset_load_idx(dataset *ds, const char *images, const char *labels, ds_error *err);

typedef enum synth_kind { SYNTH_XOR, SYNTH_MOONS, SYNTH_CIRCLES, SYNTH_SPIRAL, SYNTH_BLOBS, SYNTH_RANDOM, SYNTH_COUNT } synth_kind;
typedef struct synth_params {
    synth_kind kind;
    int samples;   /* 0: the kind's default */
    float noise;   /* < 0: the kind's default */
    int classes;   /* spiral, blobs and random; 0: 3 (random: 10) */
    int features;  /* random only; 0: 2 */
} synth_params;
const char *synth_name(synth_kind k);
int synth_parse_kind(const char *name, synth_kind *out);
void synth_defaults(synth_params *p);
void dataset_synth(dataset *ds, const synth_params *p, rng *r);

const char *norm_name(norm_kind k);
int norm_parse(const char *name, norm_kind *out);

/* Hold out round(fraction * n) rows, chosen at random, at least one row for training. */
void split_make(split *s, int n, float val_fraction, rng *r);
void split_destroy(split *s);

/* Per-feature statistics from the given rows. */
void dataset_fit_norm(dataset *ds, norm_kind k, const int *rows, int n_rows);
/* x (n_rows, d) = normalised features of rows[0..n_rows), labels into y. */
void dataset_gather(const dataset *ds, const int *rows, int n_rows, float *x, int *y);

#endif
