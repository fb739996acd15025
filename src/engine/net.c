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
        floats += 4 * (size_t)cap * n->layers[i].n_out;
    ws->cap = cap;
    ws->rows = 0;
    ws->block = xcalloc(floats, sizeof(float));
    ws->ptrs = xcalloc(4 * (size_t)n->n_layers, sizeof(float *));
    ws->z = ws->ptrs;
    ws->a = ws->ptrs + n->n_layers;
    ws->da = ws->ptrs + 2 * n->n_layers;
    ws->dz = ws->ptrs + 3 * n->n_layers;
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
    }
    return 0;
}

static void workspace_destroy(workspace *ws)
{
    free(ws->block);
    free(ws->ptrs);
    memset(ws, 0, sizeof *ws);
}

int net_create(net *n, int n_in, const layer_spec *specs, int n_layers, loss_kind loss,
               int batch_cap, int eval_cap, ds_error *err)
{
    memset(n, 0, sizeof *n);
    if (n_layers < 1 || n_layers > NET_MAX_LAYERS)
        return err_set(err, NULL, 0, "a net needs 1 to %d layers, not %d", NET_MAX_LAYERS, n_layers);
    if (n_in < 1 || n_in > NET_MAX_UNITS)
        return err_set(err, NULL, 0, "input width %d is out of range (1..%d)", n_in, NET_MAX_UNITS);
    size_t total = 0, widest = (size_t)n_in;
    int prev = n_in;
    for (int i = 0; i < n_layers; i++) {
        if (specs[i].units < 1 || specs[i].units > NET_MAX_UNITS)
            return err_set(err, NULL, 0, "layer %d: width %d is out of range (1..%d)", i,
                           specs[i].units, NET_MAX_UNITS);
        total += (size_t)specs[i].units * prev + specs[i].units;
        if (total > NET_MAX_PARAMS)
            return err_set(err, NULL, 0, "the net would have more than %zu parameters",
                           NET_MAX_PARAMS);
        widest = widest > (size_t)specs[i].units ? widest : (size_t)specs[i].units;
        prev = specs[i].units;
    }
    if ((size_t)batch_cap * widest * 4 * n_layers > ((size_t)1 << 30))
        return err_set(err, NULL, 0, "batch of %d rows is too large for this net", batch_cap);

    n->n_in = n_in;
    n->n_layers = n_layers;
    n->loss = loss;
    n->n_params = total;
    n->params = xcalloc(total, sizeof(float));
    n->grads = xcalloc(total, sizeof(float));
    n->params_prev = xcalloc(total, sizeof(float));
    n->layers = xcalloc((size_t)n_layers, sizeof(layer));
    size_t off = 0;
    prev = n_in;
    for (int i = 0; i < n_layers; i++) {
        layer *L = &n->layers[i];
        L->kind = specs[i].kind;
        L->act = specs[i].act;
        L->init = specs[i].init;
        L->n_in = prev;
        L->n_out = specs[i].units;
        L->param_off = off;
        L->n_params = (size_t)L->n_out * L->n_in + L->n_out;
        L->W = n->params + off;
        L->b = L->W + (size_t)L->n_out * L->n_in;
        L->dW = n->grads + off;
        L->db = L->dW + (size_t)L->n_out * L->n_in;
        L->W_prev = n->params_prev + off;
        L->b_prev = L->W_prev + (size_t)L->n_out * L->n_in;
        off += L->n_params;
        prev = L->n_out;
    }
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
    free(n->layers);
    memset(n, 0, sizeof *n);
}

void net_init_params(net *n, rng *r)
{
    for (int i = 0; i < n->n_layers; i++) {
        layer *L = &n->layers[i];
        size_t nw = (size_t)L->n_out * L->n_in;
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

/* ---- kernels -------------------------------------------------------------------- */

/* The textbook loop the lessons point at: z[b][o] = b[o] + sum_i x[b][i] W[o][i]. */
void dense_forward_ref(float *z, const float *x, const float *W, const float *b, int B, int n_in, int n_out)
{
    for (int r = 0; r < B; r++)
        for (int o = 0; o < n_out; o++) {
            float s = b[o];
            for (int i = 0; i < n_in; i++)
                s += x[(size_t)r * n_in + i] * W[(size_t)o * n_in + i];
            z[(size_t)r * n_out + o] = s;
        }
}

/* Dot product with eight independent partial sums, which the compiler turns into SIMD
 * lanes without -ffast-math (the sum order is fixed, so results are reproducible). */
static inline float dot(const float *restrict x, const float *restrict w, int n)
{
    float acc[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            acc[k] += x[i + k] * w[i + k];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; i++)
        s += x[i] * w[i];
    return s;
}

void dense_forward(float *restrict z, const float *restrict x, const float *restrict W,
                   const float *restrict b, int B, int n_in, int n_out)
{
    for (int r = 0; r < B; r++) {
        const float *xr = x + (size_t)r * n_in;
        float *zr = z + (size_t)r * n_out;
        for (int o = 0; o < n_out; o++)
            zr[o] = b[o] + dot(xr, W + (size_t)o * n_in, n_in);
    }
}

void dense_backward(float *restrict dx, float *restrict dW, float *restrict db,
                    const float *restrict dz, const float *restrict x, const float *restrict W,
                    int B, int n_in, int n_out)
{
    for (int r = 0; r < B; r++) {
        const float *dzr = dz + (size_t)r * n_out;
        const float *xr = x + (size_t)r * n_in;
        for (int o = 0; o < n_out; o++) {
            float g = dzr[o];
            db[o] += g;
            float *dWo = dW + (size_t)o * n_in;
            for (int i = 0; i < n_in; i++)
                dWo[i] += g * xr[i];
        }
        if (dx) {
            float *dxr = dx + (size_t)r * n_in;
            for (int o = 0; o < n_out; o++) {
                float g = dzr[o];
                const float *Wo = W + (size_t)o * n_in;
                for (int i = 0; i < n_in; i++)
                    dxr[i] += g * Wo[i];
            }
        }
    }
}

/* ---- passes --------------------------------------------------------------------- */

void net_forward_layer(net *n, workspace *ws, int i)
{
    layer *L = &n->layers[i];
    dense_forward(ws->z[i], net_layer_input(n, ws, i), L->W, L->b, ws->rows, L->n_in, L->n_out);
    act_forward(L->act, ws->a[i], ws->z[i], ws->rows, L->n_out);
}

void net_forward(net *n, workspace *ws, int rows)
{
    ws->rows = rows;
    for (int i = 0; i < n->n_layers; i++)
        net_forward_layer(n, ws, i);
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

void net_backward_layer(net *n, workspace *ws, int i)
{
    layer *L = &n->layers[i];
    bool fused_last = i == n->n_layers - 1 && loss_is_fused(n->loss, L->act);
    if (!fused_last)
        act_backward(L->act, ws->dz[i], ws->da[i], ws->z[i], ws->a[i], ws->rows, L->n_out);
    dense_backward(i > 0 ? ws->da[i - 1] : NULL, L->dW, L->db, ws->dz[i],
                   net_layer_input(n, ws, i), L->W, ws->rows, L->n_in, L->n_out);
}
