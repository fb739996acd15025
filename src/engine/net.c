#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

static const char *const init_names[INIT_COUNT] = {"uniform", "gaussian", "lecun", "xavier", "he"};

const char *init_name(init_kind k) { return (k >= 0 && k < INIT_COUNT) ? init_names[k] : "?"; }
const char *init_names_list(void) { return "uniform, gaussian, lecun, xavier, he"; }

int init_parse(const char *name, init_kind *out)
{
    for (int i = 0; i < INIT_COUNT; i++)
        if (strcmp(name, init_names[i]) == 0) {
            *out = (init_kind)i;
            return 0;
        }
    return -1;
}

static int workspace_create(workspace *ws, const net *n, int cap)
{
    size_t floats = (size_t)cap * n->n_in + (size_t)cap;
    for (int i = 0; i < n->n_layers; i++)
        floats += 5 * (size_t)cap * n->layers[i].n_out;
    ws->cap = cap;
    ws->rows = 0;
    ws->block = xcalloc(floats, sizeof(float));
    ws->block_floats = floats;
    ws->ptrs = xcalloc(5 * (size_t)n->n_layers, sizeof(float *));
    ws->z = ws->ptrs;
    ws->a = ws->ptrs + n->n_layers;
    ws->da = ws->ptrs + 2 * n->n_layers;
    ws->dz = ws->ptrs + 3 * n->n_layers;
    ws->aux = ws->ptrs + 4 * n->n_layers;
    float *p = ws->block;
    ws->x = p;
    p += (size_t)cap * n->n_in;
    ws->sample_loss = p;
    p += cap;
    for (int i = 0; i < n->n_layers; i++) {
        size_t len = (size_t)cap * n->layers[i].n_out;
        ws->z[i] = p, p += len;
        ws->a[i] = p, p += len;
        ws->da[i] = p, p += len;
        ws->dz[i] = p, p += len;
        ws->aux[i] = p, p += len;
    }
    return 0;
}

static void workspace_destroy(workspace *ws)
{
    free(ws->block);
    free(ws->ptrs);
    memset(ws, 0, sizeof *ws);
}

static const char *const kind_names[LAYER_KIND_COUNT] = {"dense", "batchnorm", "dropout", "residual begin",
                                                          "residual end", "layernorm"};

const char *layer_kind_name(layer_kind k) { return (k >= 0 && k < LAYER_KIND_COUNT) ? kind_names[k] : "?"; }

/* Widths, partners and parameter counts of every layer; checks limits and residual blocks. */
static int plan_layers(net *n, const layer_spec *specs, int n_layers, int n_in, size_t *params,
                       size_t *buffers, size_t *widest, ds_error *err)
{
    int stack[NET_MAX_LAYERS], depth = 0, width = n_in;
    *params = *buffers = 0;
    *widest = (size_t)n_in;
    for (int i = 0; i < n_layers; i++) {
        layer *L = &n->layers[i];
        const layer_spec *sp = &specs[i];
        L->kind = sp->kind;
        L->act = sp->kind == LAYER_DROPOUT || sp->kind == LAYER_RESIDUAL_BEGIN ? ACT_LINEAR : sp->act;
        L->init = sp->init;
        L->p = sp->p;
        L->partner = -1;
        L->n_in = width;
        L->n_out = sp->kind == LAYER_DENSE ? sp->units : width;
        if (L->n_out < 1 || L->n_out > NET_MAX_UNITS)
            return err_set(err, NULL, i + 1, "width %d is out of range (1..%d)", L->n_out, NET_MAX_UNITS);
        if (sp->kind == LAYER_DENSE)
            L->n_weights = (size_t)L->n_out * L->n_in;
        else if (sp->kind == LAYER_BATCHNORM || sp->kind == LAYER_LAYERNORM)
            L->n_weights = (size_t)L->n_out;
        L->n_params = L->n_weights ? L->n_weights + (size_t)L->n_out : 0;
        if (sp->kind == LAYER_BATCHNORM)
            *buffers += 4 * (size_t)L->n_out;
        if (sp->kind == LAYER_RESIDUAL_BEGIN)
            stack[depth++] = i;
        if (sp->kind == LAYER_RESIDUAL_END) {
            if (depth == 0)
                return err_set(err, NULL, i + 1, "'residual end' without a 'residual begin' before it");
            L->partner = stack[--depth];
            int w0 = n->layers[L->partner].n_out;
            if (w0 != width)
                return err_set(err, NULL, i + 1,
                               "the residual block ends with width %d but began with width %d "
                               "(its input is added to its output, so they must match)", width, w0);
        }
        *params += L->n_params;
        if (*params > NET_MAX_PARAMS)
            return err_set(err, NULL, i + 1, "the net would have more than %zu parameters", NET_MAX_PARAMS);
        *widest = *widest > (size_t)L->n_out ? *widest : (size_t)L->n_out;
        width = L->n_out;
    }
    if (depth > 0)
        return err_set(err, NULL, stack[depth - 1] + 1, "'residual begin' is never closed by 'residual end'");
    return 0;
}

int net_create(net *n, int n_in, const layer_spec *specs, int n_layers, loss_kind loss,
               int batch_cap, int eval_cap, ds_error *err)
{
    memset(n, 0, sizeof *n);
    if (n_layers < 1 || n_layers > NET_MAX_LAYERS)
        return err_set(err, NULL, 0, "a net needs 1 to %d layers, not %d", NET_MAX_LAYERS, n_layers);
    if (n_in < 1 || n_in > NET_MAX_UNITS)
        return err_set(err, NULL, 0, "input width %d is out of range (1..%d)", n_in, NET_MAX_UNITS);
    n->layers = xcalloc((size_t)n_layers, sizeof(layer));
    size_t total, buffers, widest;
    if (plan_layers(n, specs, n_layers, n_in, &total, &buffers, &widest, err) != 0) {
        free(n->layers);
        n->layers = NULL;
        return -1;
    }
    if ((size_t)batch_cap * widest * 5 * n_layers > ((size_t)1 << 30)) {
        free(n->layers);
        n->layers = NULL;
        return err_set(err, NULL, 0, "batch of %d rows is too large for this net", batch_cap);
    }
    n->n_in = n_in;
    n->n_layers = n_layers;
    n->loss = loss;
    n->n_params = total;
    n->params = xcalloc(total, sizeof(float));
    n->grads = xcalloc(total, sizeof(float));
    n->params_prev = xcalloc(total, sizeof(float));
    n->n_buffers = buffers;
    n->buffers = xcalloc(buffers, sizeof(float));
    size_t wt = 1;
    for (int i = 0; i < n_layers; i++)
        wt = n->layers[i].n_weights > wt ? n->layers[i].n_weights : wt;
    n->wt = xcalloc(wt, sizeof(float));
    size_t off = 0, boff = 0;
    for (int i = 0; i < n_layers; i++) {
        layer *L = &n->layers[i];
        L->param_off = off;
        L->W = n->params + off;
        L->b = L->W + L->n_weights;
        L->dW = n->grads + off;
        L->db = L->dW + L->n_weights;
        L->W_prev = n->params_prev + off;
        L->b_prev = L->W_prev + L->n_weights;
        off += L->n_params;
        if (L->kind == LAYER_BATCHNORM) {
            L->running_mean = n->buffers + boff;
            L->running_var = L->running_mean + L->n_out;
            L->batch_mean = L->running_var + L->n_out;
            L->batch_var = L->batch_mean + L->n_out;
            boff += 4 * (size_t)L->n_out;
        }
    }
    rng_seed(&n->dropout_rng, 0, RNG_STREAM_DROPOUT);
    workspace_create(&n->train, n, batch_cap);
    workspace_create(&n->eval, n, eval_cap);
    return 0;
}

void net_destroy(net *n)
{
    workspace_destroy(&n->train);
    workspace_destroy(&n->eval);
    free(n->params);
    free(n->grads);
    free(n->params_prev);
    free(n->buffers);
    free(n->wt);
    free(n->layers);
    memset(n, 0, sizeof *n);
}

void net_init_params(net *n, rng *r)
{
    for (int i = 0; i < n->n_layers; i++) {
        layer *L = &n->layers[i];
        if (L->kind == LAYER_BATCHNORM) { /* torch: gamma 1, beta 0, running mean 0, var 1 */
            for (int k = 0; k < L->n_out; k++) {
                L->W[k] = 1.0f, L->b[k] = 0.0f;
                L->running_mean[k] = 0.0f, L->running_var[k] = 1.0f;
            }
            continue;
        }
        if (L->kind == LAYER_LAYERNORM) { /* torch: gamma 1, beta 0 */
            for (int k = 0; k < L->n_out; k++)
                L->W[k] = 1.0f, L->b[k] = 0.0f;
            continue;
        }
        if (L->kind != LAYER_DENSE)
            continue;
        size_t nw = L->n_weights;
        double fan_in = L->n_in, fan_out = L->n_out;
        double sd = 1.0;
        switch (L->init) {
        case INIT_GAUSSIAN: sd = 1.0; break;
        case INIT_LECUN: sd = sqrt(1.0 / fan_in); break;
        case INIT_XAVIER: sd = sqrt(2.0 / (fan_in + fan_out)); break;
        case INIT_HE: sd = sqrt(2.0 / fan_in); break;
        default: break;
        }
        if (L->init == INIT_UNIFORM) {
            double bound = 1.0 / sqrt(fan_in);
            for (size_t k = 0; k < nw; k++)
                L->W[k] = (float)((2.0 * rng_uniform(r) - 1.0) * bound);
            for (int k = 0; k < L->n_out; k++)
                L->b[k] = (float)((2.0 * rng_uniform(r) - 1.0) * bound);
        } else {
            for (size_t k = 0; k < nw; k++)
                L->W[k] = (float)(rng_gauss(r) * sd);
            memset(L->b, 0, (size_t)L->n_out * sizeof(float));
        }
    }
    memcpy(n->params_prev, n->params, n->n_params * sizeof(float));
}

int net_out_width(const net *n) { return n->layers[n->n_layers - 1].n_out; }

const float *net_layer_input(const net *n, const workspace *ws, int i)
{
    (void)n; /* kept in the signature: a layer's input will not always be the previous output */
    return i == 0 ? ws->x : ws->a[i - 1];
}

void net_forward(net *n, workspace *ws, int rows, bool train)
{
    ws->rows = rows;
    for (int i = 0; i < n->n_layers; i++)
        net_forward_layer(n, ws, i, train);
}

double net_loss(net *n, workspace *ws, const int *labels, bool grads)
{
    int last = n->n_layers - 1;
    return loss_compute(n->loss, n->layers[last].act, ws->z[last], ws->a[last], labels, ws->rows,
                        n->layers[last].n_out, ws->sample_loss, grads, ws->da[last], ws->dz[last]);
}

void net_zero_grad(net *n, workspace *ws)
{
    memset(n->grads, 0, n->n_params * sizeof(float));
    for (int i = 0; i < n->n_layers - 1; i++)
        memset(ws->da[i], 0, (size_t)ws->rows * n->layers[i].n_out * sizeof(float));
}
