#include "weights.h"

#include <string.h>

#include "npz.h"

/* The arrays of layer i: name suffix, data, shape. Dense: weight (out, in), bias (out,);
 * batchnorm: weight = gamma, bias = beta, running_mean, running_var, all (out,);
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

static int check_array(const npz *z, const char *name, int ndim, const size_t *shape, const char *path,
                       ds_error *err)
{
    const npz_array *a = npz_find(z, name);
    if (!a)
        return err_set(err, path, 0, "missing array '%s'", name);
    bool same = a->ndim == ndim;
    for (int k = 0; same && k < ndim; k++)
        same = a->shape[k] == shape[k];
    if (!same) {
        char got[64], want[64];
        shape_text(got, sizeof got, a->shape, a->ndim);
        shape_text(want, sizeof want, shape, ndim);
        return err_set(err, path, 0, "array '%s' has shape %s, the lesson's net needs %s", name, got, want);
    }
    return 0;
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
            rc = check_array(&z, name, arr[j].ndim, arr[j].shape, path, err);
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
