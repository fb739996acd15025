#include "dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/names.h"
#include "../common/xalloc.h"

/* The one list of normalisation names: the parser, its error message and the docs use it. */
#define NORM_NAMES(X) X(NORM_NONE, "none") X(NORM_MINMAX, "minmax") X(NORM_SYMMETRIC, "symmetric") X(NORM_ZSCORE, "zscore")

static const char *const norm_names[NORM_COUNT] = {NORM_NAMES(NAME_AT)};
static const char norm_list[] = NORM_NAMES(NAME_JOINED);

const char *norm_name(norm_kind k) { return (k >= 0 && k < NORM_COUNT) ? norm_names[k] : "?"; }

const char *norm_names_list(void) { return norm_list + NAME_LIST_SKIP; }

int norm_parse(const char *name, norm_kind *out)
{
    int i = names_find(norm_names, NORM_COUNT, name);
    if (i < 0)
        return -1;
    *out = (norm_kind)i;
    return 0;
}

void dataset_alloc(dataset *ds, int n, int d, bool bytes)
{
    memset(ds, 0, sizeof *ds);
    ds->n = n;
    ds->d = d;
    if (bytes)
        ds->raw_u8 = xcalloc((size_t)n * d, 1);
    else
        ds->raw_f32 = xcalloc((size_t)n * d, sizeof(float));
    ds->labels = xcalloc((size_t)n, sizeof(int));
    ds->scale = xcalloc((size_t)d, sizeof(float));
    ds->shift = xcalloc((size_t)d, sizeof(float));
    for (int j = 0; j < d; j++)
        ds->scale[j] = 1.0f;
}

void dataset_adopt(dataset *ds, int n, int d, void *raw, bool bytes, int *labels)
{
    memset(ds, 0, sizeof *ds);
    ds->n = n;
    ds->d = d;
    if (bytes)
        ds->raw_u8 = xrealloc(raw, (size_t)n * d, 1);
    else
        ds->raw_f32 = xrealloc(raw, (size_t)n * d, sizeof(float));
    ds->labels = xrealloc(labels, (size_t)n, sizeof(int));
    ds->scale = xcalloc((size_t)d, sizeof(float));
    ds->shift = xcalloc((size_t)d, sizeof(float));
    for (int j = 0; j < d; j++)
        ds->scale[j] = 1.0f;
}

int dataset_check_shape(uint64_t n, uint64_t d, const char *rows, const char *cols, const char *file, int line,
                        ds_error *err)
{
    if (n > DATA_MAX_ROWS)
        return err_set(err, file, line, "too many %s: %llu (at most %d)", rows, (unsigned long long)n, DATA_MAX_ROWS);
    if (d > DATA_MAX_FEATURES)
        return err_set(err, file, line, "too many %s: %llu (at most %d)", cols, (unsigned long long)d,
                       DATA_MAX_FEATURES);
    /* Both are bounded now, so the product cannot overflow 64 bits. */
    if (n * d > DATA_MAX_VALUES)
        return err_set(err, file, line, "too many values: %llu %s x %llu %s = %llu (at most %d, 1 GiB of floats)",
                       (unsigned long long)n, rows, (unsigned long long)d, cols, (unsigned long long)(n * d),
                       DATA_MAX_VALUES);
    return 0;
}

void dataset_destroy(dataset *ds)
{
    if (ds->feature_names)
        for (int j = 0; j < ds->d; j++)
            free(ds->feature_names[j]);
    free(ds->feature_names);
    free(ds->raw_u8);
    free(ds->raw_f32);
    free(ds->labels);
    free(ds->scale);
    free(ds->shift);
    memset(ds, 0, sizeof *ds);
}

static inline float raw_at(const dataset *ds, int row, int j)
{
    size_t i = (size_t)row * ds->d + j;
    return ds->raw_u8 ? (float)ds->raw_u8[i] : ds->raw_f32[i];
}

void dataset_fit_norm(dataset *ds, norm_kind k, const int *rows, int n_rows)
{
    for (int j = 0; j < ds->d; j++) {
        ds->scale[j] = 1.0f;
        ds->shift[j] = 0.0f;
        if (k == NORM_NONE || n_rows == 0)
            continue;
        double lo = INFINITY, hi = -INFINITY, sum = 0.0, sq = 0.0;
        for (int r = 0; r < n_rows; r++) {
            double v = raw_at(ds, rows[r], j);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            sum += v;
        }
        double mean = sum / n_rows;
        for (int r = 0; r < n_rows; r++) {
            double dv = raw_at(ds, rows[r], j) - mean;
            sq += dv * dv;
        }
        double sd = sqrt(sq / n_rows);
        double range = hi - lo;
        if (k == NORM_ZSCORE) {
            ds->scale[j] = sd > 0 ? (float)(1.0 / sd) : 0.0f;
            ds->shift[j] = sd > 0 ? (float)(-mean / sd) : 0.0f;
        } else if (range <= 0) {
            ds->scale[j] = 0.0f;
            ds->shift[j] = 0.0f;
        } else if (k == NORM_MINMAX) {
            ds->scale[j] = (float)(1.0 / range);
            ds->shift[j] = (float)(-lo / range);
        } else {
            ds->scale[j] = (float)(2.0 / range);
            ds->shift[j] = (float)(-2.0 * lo / range - 1.0);
        }
    }
}

void dataset_gather(const dataset *ds, const int *rows, int n_rows, float *x, int *y)
{
    int d = ds->d;
    for (int r = 0; r < n_rows; r++) {
        float *xr = x + (size_t)r * d;
        size_t base = (size_t)rows[r] * d;
        if (ds->raw_u8)
            for (int j = 0; j < d; j++)
                xr[j] = (float)ds->raw_u8[base + j] * ds->scale[j] + ds->shift[j];
        else
            for (int j = 0; j < d; j++)
                xr[j] = ds->raw_f32[base + j] * ds->scale[j] + ds->shift[j];
        if (y)
            y[r] = ds->labels[rows[r]];
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int *part(const int *perm, int n)
{
    int *p = xcalloc((size_t)(n ? n : 1), sizeof(int));
    memcpy(p, perm, (size_t)n * sizeof(int));
    /* Keep file order inside each part, so "shuffle = no" means file order. */
    qsort(p, (size_t)n, sizeof(int), cmp_int);
    return p;
}

static int held_out(double fraction, int n, int at_most)
{
    int k = (int)floor(fraction * n + 0.5);
    return k > at_most ? at_most : k < 0 ? 0 : k;
}

void split_make(split *s, int n, float val_fraction, float test_fraction, rng *r)
{
    int n_test = held_out(test_fraction, n, n - 1);
    int n_val = held_out(val_fraction, n, n - 1 - n_test);
    int *perm = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++)
        perm[i] = i;
    if (n_val + n_test > 0)
        rng_shuffle(r, perm, n);
    s->n_test = n_test;
    s->n_val = n_val;
    s->n_train = n - n_val - n_test;
    s->test = part(perm, n_test);
    s->val = part(perm + n_test, n_val);
    s->train = part(perm + n_test + n_val, s->n_train);
    free(perm);
}

void dataset_prepare(dataset *ds, split *s, float val_fraction, float test_fraction, norm_kind k, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed, RNG_STREAM_DATA + 100); /* apart from the synthetic data's stream */
    split_make(s, ds->n, val_fraction, test_fraction, &r);
    dataset_fit_norm(ds, k, s->train, s->n_train);
}

/* One process-wide count: loaders have no context to hang it on, and tests want a total. */
static long load_count;

void dataset_count_load(void) { load_count++; }

long dataset_load_count(void) { return load_count; }

void split_destroy(split *s)
{
    free(s->train);
    free(s->val);
    free(s->test);
    memset(s, 0, sizeof *s);
}
