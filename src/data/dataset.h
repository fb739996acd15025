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
#include "../common/rng.h"

/* Limits every loader and synthetic set checks before it allocates, so a hostile header or a
 * typo gets one line instead of an attempt at gigabytes. Full MNIST is 70,000 rows of 784
 * features (54.9M values): 14x under the rows limit and 4.9x under the values limit.
 *   rows      1,000,000  (the lesson parser's samples= limit too)
 *   features  65,536     (a 256x256 image)
 *   values    2^28 = 268,435,456 rows x features: 1 GiB as floats, 256 MiB as IDX bytes
 *   classes   1,000      (labels 0..999; IDX labels are bytes, 0..255)
 * A CSV line is at most DATA_MAX_LINE bytes: 65,536 fields of 31 characters, enough for any
 * printed float, and a file with no newline cannot be read whole into one line. */
#define DATA_MAX_ROWS 1000000
#define DATA_MAX_FEATURES 65536
#define DATA_MAX_VALUES (1 << 28)
#define DATA_MAX_CLASSES 1000
#define DATA_MAX_LINE (1 << 21)

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
    int n_train, n_val, n_test;
    int *train, *val, *test; /* row indices, ascending (file order) */
} split;

void dataset_destroy(dataset *ds);
/* Allocates rows and labels; scale 1, shift 0. n and d must pass dataset_check_shape. */
void dataset_alloc(dataset *ds, int n, int d, bool bytes);
/* Takes ownership of raw (n, d) bytes (bytes) or floats and of labels (n), shrinking both to
 * size (a loader that grew them while reading hands them over without a second copy). */
void dataset_adopt(dataset *ds, int n, int d, void *raw, bool bytes, int *labels);

/* 0 when n rows of d columns are within DATA_MAX_ROWS, DATA_MAX_FEATURES and DATA_MAX_VALUES,
 * else -1 with err = (file, line, "too many images: 10000000 (at most 1000000)" or
 * "too many values: 100000 rows x 65536 features = 6553600000 (at most 268435456, 1 GiB of
 * floats)"). rows and cols name the units ("rows"/"features", "images"/"pixels"). */
int dataset_check_shape(uint64_t n, uint64_t d, const char *rows, const char *cols, const char *file, int line,
                        ds_error *err);

int dataset_load_csv(dataset *ds, const char *path, ds_error *err);
int dataset_load_idx(dataset *ds, const char *images, const char *labels, ds_error *err);
/* Calls of the two loaders above since the program started, failed ones included. Read by
 * tests only: it is how they see that an ensemble's K members share one load of the files. */
long dataset_load_count(void);
void dataset_count_load(void); /* the loaders' side of it */

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
/* 0 when p (after synth_defaults) is within the limits above, else -1 with err->msg
 * ("random: too many values: ...") and no file: the caller knows the lesson line. */
int synth_check(const synth_params *p, ds_error *err);
/* Fills ds from p and r. Returns -1, allocating nothing and leaving ds empty, when p fails
 * synth_check (call that first for the message: this has no err to fill). */
int dataset_synth(dataset *ds, const synth_params *p, rng *r);

const char *norm_name(norm_kind k);
int norm_parse(const char *name, norm_kind *out);
/* "none, minmax, symmetric, zscore", from the same table as norm_name. */
const char *norm_names_list(void);

/* Hold out round(test_fraction * n) rows for testing, then round(val_fraction * n) for
 * validation, chosen at random from one shuffle (the test rows first, so without a test
 * split the validation rows are the ones they always were), leaving at least one row for
 * training. */
void split_make(split *s, int n, float val_fraction, float test_fraction, rng *r);
void split_destroy(split *s);

/* Ready ds for training: hold out test_fraction and val_fraction of its rows (split_make,
 * drawn from seed) and normalise it by the statistics of the rest. s is the caller's
 * (split_destroy). Every trainer and ensemble member on the same data and seed shares the
 * one result. */
void dataset_prepare(dataset *ds, split *s, float val_fraction, float test_fraction, norm_kind k, uint64_t seed);

/* Per-feature statistics from the given rows. */
void dataset_fit_norm(dataset *ds, norm_kind k, const int *rows, int n_rows);
/* x (n_rows, d) = normalised features of rows[0..n_rows), labels into y. */
void dataset_gather(const dataset *ds, const int *rows, int n_rows, float *x, int *y);

#endif
