#include "weights.h"

#include <string.h>

#include "npz.h"

int weights_save(const net *n, const char *path, ds_error *err)
{
    npz z = {0};
    for (int i = 0; i < n->n_layers; i++) {
        const layer *L = &n->layers[i];
        char name[64];
        size_t wshape[2] = {(size_t)L->n_out, (size_t)L->n_in}, bshape[1] = {(size_t)L->n_out};
        snprintf(name, sizeof name, "layers.%d.weight", i);
        npz_add(&z, name, L->W, 2, wshape);
        snprintf(name, sizeof name, "layers.%d.bias", i);
        npz_add(&z, name, L->b, 1, bshape);
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
    for (int i = 0; i < n->n_layers && rc == 0; i++) {
        const layer *L = &n->layers[i];
        char wn[64], bn[64];
        size_t wshape[2] = {(size_t)L->n_out, (size_t)L->n_in}, bshape[1] = {(size_t)L->n_out};
        snprintf(wn, sizeof wn, "layers.%d.weight", i);
        snprintf(bn, sizeof bn, "layers.%d.bias", i);
        rc = check_array(&z, wn, 2, wshape, path, err);
        if (rc == 0)
            rc = check_array(&z, bn, 1, bshape, path, err);
    }
    for (int i = 0; i < n->n_layers && rc == 0; i++) {
        layer *L = &n->layers[i];
        char name[64];
        snprintf(name, sizeof name, "layers.%d.weight", i);
        memcpy(L->W, npz_find(&z, name)->data, (size_t)L->n_out * L->n_in * sizeof(float));
        snprintf(name, sizeof name, "layers.%d.bias", i);
        memcpy(L->b, npz_find(&z, name)->data, (size_t)L->n_out * sizeof(float));
    }
    if (rc == 0)
        memcpy(n->params_prev, n->params, n->n_params * sizeof(float));
    npz_free(&z);
    return rc;
}
