#include "weights.h"

#include <math.h>
#include <string.h>

#include "../engine/fp.h"
#include "npz.h"

/* The arrays of layer i: name suffix, data, shape. Dense: weight (out, in), bias (out,);
 * batchnorm: weight = gamma, bias = beta, running_mean, running_var, all (out,);
 * layernorm: weight = gamma, bias = beta, both (out,) (torch.nn.LayerNorm's state_dict);
 * dropout and residual markers have none. */
typedef struct layer_array {
    const char *suffix;
    float *data;
    int ndim;
    size_t shape[2];
} layer_array;

static int layer_arrays(const layer *L, layer_array out[4])
{
    size_t o = (size_t)L->n_out;
    if (L->kind == LAYER_DENSE) {
        out[0] = (layer_array){"weight", L->W, 2, {o, (size_t)L->n_in}};
        out[1] = (layer_array){"bias", L->b, 1, {o, 0}};
        return 2;
    }
    if (L->kind == LAYER_BATCHNORM) {
        out[0] = (layer_array){"weight", L->W, 1, {o, 0}};
        out[1] = (layer_array){"bias", L->b, 1, {o, 0}};
        out[2] = (layer_array){"running_mean", L->running_mean, 1, {o, 0}};
        out[3] = (layer_array){"running_var", L->running_var, 1, {o, 0}};
        return 4;
    }
    if (L->kind == LAYER_LAYERNORM) {
        out[0] = (layer_array){"weight", L->W, 1, {o, 0}};
        out[1] = (layer_array){"bias", L->b, 1, {o, 0}};
        return 2;
    }
    return 0;
}

int weights_save(const net *n, const char *path, ds_error *err)
{
    npz z = {0};
    for (int i = 0; i < n->n_layers; i++) {
        layer_array arr[4];
        int k = layer_arrays(&n->layers[i], arr);
        for (int j = 0; j < k; j++) {
            char name[64];
            snprintf(name, sizeof name, "layers.%d.%s", i, arr[j].suffix);
            npz_add(&z, name, arr[j].data, arr[j].ndim, arr[j].shape);
        }
    }
    int rc = npz_save(&z, path, err);
    npz_free(&z);
    return rc;
}

static void shape_text(char *buf, size_t cap, const size_t *shape, int ndim)
{
    if (ndim == 1)
        snprintf(buf, cap, "(%zu,)", shape[0]);
    else if (ndim == 2)
        snprintf(buf, cap, "(%zu, %zu)", shape[0], shape[1]);
    else
        snprintf(buf, cap, "(%d dimensions)", ndim);
}

/* Every value must be usable: a NaN or Inf loaded here would surface steps later as
 * "training diverged" blamed on the learning rate, so it is refused now, by name and flat
 * index. The same for a finite value the experiment's precision rounds to Inf (fp16 tops
 * out at 65504) and a negative running variance (its square root is NaN). */
static int check_values(const npz_array *a, const char *suffix, fp_format prec, const char *path, ds_error *err)
{
    const char *what = strncmp(suffix, "running_", 8) == 0 ? "running statistics" : "weights";
    for (size_t i = 0; i < a->count; i++) {
        float v = a->data[i];
        if (isnan(v))
            return err_set(err, path, 0, "%s[%zu] is NaN; %s must be finite", a->name, i, what);
        if (isinf(v))
            return err_set(err, path, 0, "%s[%zu] is %s; %s must be finite", a->name, i, v > 0 ? "+Inf" : "-Inf",
                           what);
        if (isinf(fp_round_f(v, prec)))
            return err_set(err, path, 0, "%s[%zu] = %g overflows %s (largest %g), the precision this experiment uses",
                           a->name, i, (double)v, fp_spec_of(prec)->name, fp_max(prec));
        if (v < 0 && strcmp(suffix, "running_var") == 0)
            return err_set(err, path, 0, "%s[%zu] = %g; a variance cannot be negative", a->name, i, (double)v);
    }
    return 0;
}

static int check_array(const npz *z, const char *name, const layer_array *want, fp_format prec, const char *path,
                       ds_error *err)
{
    const npz_array *a = npz_find(z, name);
    if (!a)
        return err_set(err, path, 0, "missing array '%s'", name);
    bool same = a->ndim == want->ndim;
    for (int k = 0; same && k < want->ndim; k++)
        same = a->shape[k] == want->shape[k];
    if (!same) {
        char got[64], need[64];
        shape_text(got, sizeof got, a->shape, a->ndim);
        shape_text(need, sizeof need, want->shape, want->ndim);
        return err_set(err, path, 0, "array '%s' has shape %s, the lesson's net needs %s", name, got, need);
    }
    return check_values(a, want->suffix, prec, path, err);
}

int weights_load(net *n, const char *path, ds_error *err)
{
    npz z;
    if (npz_load(&z, path, err) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < n->n_layers && rc == 0; i++) { /* check everything before changing anything */
        layer_array arr[4];
        int k = layer_arrays(&n->layers[i], arr);
        for (int j = 0; j < k && rc == 0; j++) {
            char name[64];
            snprintf(name, sizeof name, "layers.%d.%s", i, arr[j].suffix);
            rc = check_array(&z, name, &arr[j], n->precision, path, err);
        }
    }
    for (int i = 0; i < n->n_layers && rc == 0; i++) {
        layer_array arr[4];
        int k = layer_arrays(&n->layers[i], arr);
        for (int j = 0; j < k; j++) {
            char name[64];
            snprintf(name, sizeof name, "layers.%d.%s", i, arr[j].suffix);
            const npz_array *a = npz_find(&z, name);
            memcpy(arr[j].data, a->data, a->count * sizeof(float));
        }
    }
    if (rc == 0)
        memcpy(n->params_prev, n->params, n->n_params * sizeof(float));
    npz_free(&z);
    return rc;
}
