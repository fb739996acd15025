/* layers.c - forward and backward of each layer kind (see net.h for what each buffer holds).
 * Backward accumulates into parameter gradients and into dL/da of the layers below, so
 * residual blocks need no special case beyond adding into their begin marker. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

#include "gemm.h"
#include "net.h"

/* ---- dense kernels -------------------------------------------------------------- */

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

/* z = x W^T + b through the blocked kernel: W is transposed into wt (in, out) first so the
 * kernel streams contiguous rows (a cost of in*out against B*in*out multiply-adds). */
void dense_forward(float *restrict z, const float *restrict x, const float *restrict W,
                   const float *restrict b, float *restrict wt, int B, int n_in, int n_out)
{
    size_t need = (size_t)n_in * n_out;
    enum { T = 16 }; /* transpose in 16 x 16 tiles, so reads and writes both stay in cache */
    if (need <= 4096) /* small: it all fits in cache anyway */
        for (int o = 0; o < n_out; o++)
            for (int i = 0; i < n_in; i++)
                wt[(size_t)i * n_out + o] = W[(size_t)o * n_in + i];
    else
    for (int o0 = 0; o0 < n_out; o0 += T)
        for (int i0 = 0; i0 < n_in; i0 += T)
            for (int o = o0; o < o0 + T && o < n_out; o++)
                for (int i = i0; i < i0 + T && i < n_in; i++)
                    wt[(size_t)i * n_out + o] = W[(size_t)o * n_in + i];
    for (int r = 0; r < B; r++)
        memcpy(z + (size_t)r * n_out, b, (size_t)n_out * sizeof(float));
    gemm_acc(z, (size_t)n_out, x, n_in, 1, wt, (size_t)n_out, B, n_out, n_in);
}

/* dW += dz^T x, db += sum of dz's rows, dx += dz W (all accumulated). */
void dense_backward(float *restrict dx, float *restrict dW, float *restrict db,
                    const float *restrict dz, const float *restrict x, const float *restrict W,
                    int B, int n_in, int n_out)
{
    for (int r = 0; r < B; r++)
        for (int o = 0; o < n_out; o++)
            db[o] += dz[(size_t)r * n_out + o];
    /* dW (out x in): A(o, r) = dz[r][o], B = x (rows r) */
    gemm_acc(dW, (size_t)n_in, dz, 1, n_out, x, (size_t)n_in, n_out, n_in, B);
    /* dx (B x in): A(r, o) = dz[r][o], B = W (rows o) */
    if (dx)
        gemm_acc(dx, (size_t)n_in, dz, n_out, 1, W, (size_t)n_in, B, n_in, n_out);
}

/* The textbook loops for the backward pass, kept next to the fast one for the tests. */
void dense_backward_ref(float *dx, float *dW, float *db, const float *dz, const float *x, const float *W, int B,
                        int n_in, int n_out)
{
    for (int r = 0; r < B; r++)
        for (int o = 0; o < n_out; o++) {
            float g = dz[(size_t)r * n_out + o];
            db[o] += g;
            for (int i = 0; i < n_in; i++) {
                dW[(size_t)o * n_in + i] += g * x[(size_t)r * n_in + i];
                if (dx)
                    dx[(size_t)r * n_in + i] += g * W[(size_t)o * n_in + i];
            }
        }
}

/* ---- batch normalisation -------------------------------------------------------- */

static void batchnorm_forward(layer *L, const float *x, float *xhat, float *z, int B, bool train)
{
    int n = L->n_out;
    for (int j = 0; j < n; j++) {
        double mean, var;
        if (train) {
            double s = 0.0, sq = 0.0;
            for (int r = 0; r < B; r++)
                s += x[(size_t)r * n + j];
            mean = s / B;
            for (int r = 0; r < B; r++) {
                double d = x[(size_t)r * n + j] - mean;
                sq += d * d;
            }
            var = sq / B; /* biased, to normalise */
            L->batch_mean[j] = (float)mean;
            L->batch_var[j] = (float)var;
            /* running estimates use the unbiased variance, as torch does */
            double unbiased = B > 1 ? var * B / (B - 1) : var;
            L->running_mean[j] = (float)((1.0 - BN_MOMENTUM) * L->running_mean[j] + BN_MOMENTUM * mean);
            L->running_var[j] = (float)((1.0 - BN_MOMENTUM) * L->running_var[j] + BN_MOMENTUM * unbiased);
        } else {
            mean = L->running_mean[j];
            var = L->running_var[j];
        }
        /* x - mean in double, as torch's CPU kernel (its accumulation type for float): on a
         * nearly tied batch (variance below eps) the float difference x - (float)mean kept
         * only a few digits, the x_hat no longer summed to 0 over the batch, and the gradient
         * through the layer (which must sum to 0) was off by 1e-3 where torch's is 1e-7 */
        double inv = 1.0 / sqrt(var + BN_EPS);
        for (int r = 0; r < B; r++) {
            size_t k = (size_t)r * n + j;
            xhat[k] = (float)(((double)x[k] - mean) * inv);
            z[k] = L->W[j] * xhat[k] + L->b[j];
        }
    }
}

/* The sums run in double over x_hat recomputed in double from the layer's input x (as
 * torch's CPU kernel does with its accumulation type), not over the stored float x_hat: on a
 * nearly tied batch the float one loses the digits that make dL/dx sum to 0 over the batch. */
static void batchnorm_backward(layer *L, float *dx, const float *dz, const float *x, int B)
{
    int n = L->n_out;
    for (int j = 0; j < n; j++) {
        double mean = 0.0, var = 0.0;
        for (int r = 0; r < B; r++)
            mean += x[(size_t)r * n + j];
        mean /= B;
        for (int r = 0; r < B; r++) {
            double d = x[(size_t)r * n + j] - mean;
            var += d * d;
        }
        double inv = 1.0 / sqrt(var / B + BN_EPS), gamma = L->W[j];
        double sum_dz = 0.0, sum_dz_xhat = 0.0;
        for (int r = 0; r < B; r++) {
            size_t k = (size_t)r * n + j;
            double xh = (x[k] - mean) * inv;
            sum_dz += dz[k];
            sum_dz_xhat += dz[k] * xh;
        }
        L->dW[j] += (float)sum_dz_xhat;
        L->db[j] += (float)sum_dz;
        if (!dx)
            continue;
        for (int r = 0; r < B; r++) { /* dL/dx = gamma inv / B (B dz - sum dz - x_hat sum dz x_hat) */
            size_t k = (size_t)r * n + j;
            double xh = (x[k] - mean) * inv;
            dx[k] += (float)(gamma * inv / B * (B * (double)dz[k] - sum_dz - xh * sum_dz_xhat));
        }
    }
}

/* ---- layer normalisation -------------------------------------------------------- */

void layernorm_row_stats(const float *x, int n_features, double *mean, double *var)
{
    double s = 0.0, sq = 0.0;
    for (int j = 0; j < n_features; j++)
        s += x[j];
    *mean = s / n_features;
    for (int j = 0; j < n_features; j++) {
        double d = x[j] - *mean;
        sq += d * d;
    }
    *var = sq / n_features; /* biased, as torch.nn.LayerNorm */
}

/* Each row normalised over its own features: no other row and no running estimate enters,
 * so training and evaluation compute the same thing. */
static void layernorm_forward(const layer *L, const float *x, float *xhat, float *z, int B)
{
    int n = L->n_out;
    for (int r = 0; r < B; r++) {
        const float *xr = x + (size_t)r * n;
        double mean, var;
        layernorm_row_stats(xr, n, &mean, &var);
        float inv = (float)(1.0 / sqrt(var + LN_EPS)), m = (float)mean;
        for (int j = 0; j < n; j++) {
            size_t k = (size_t)r * n + j;
            xhat[k] = (xr[j] - m) * inv;
            z[k] = L->W[j] * xhat[k] + L->b[j];
        }
    }
}

/* batchnorm_backward's formula with rows and features swapped: the sums run over a row's
 * features, dx = inv/n (n dxhat - sum dxhat - x_hat sum dxhat x_hat), dxhat = dz gamma. */
static void layernorm_backward(layer *L, float *dx, const float *dz, const float *xhat, const float *x, int B)
{
    int n = L->n_out;
    for (int r = 0; r < B; r++) {
        double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0;
        for (int j = 0; j < n; j++) {
            size_t k = (size_t)r * n + j;
            L->dW[j] += dz[k] * xhat[k];
            L->db[j] += dz[k];
            double dxh = (double)dz[k] * L->W[j];
            sum_dxhat += dxh;
            sum_dxhat_xhat += dxh * xhat[k];
        }
        if (!dx)
            continue;
        double mean, var;
        layernorm_row_stats(x + (size_t)r * n, n, &mean, &var);
        double inv = 1.0 / sqrt(var + LN_EPS);
        for (int j = 0; j < n; j++) {
            size_t k = (size_t)r * n + j;
            double dxh = (double)dz[k] * L->W[j];
            dx[k] += (float)(inv / n * (n * dxh - sum_dxhat - xhat[k] * sum_dxhat_xhat));
        }
    }
}

/* ---- dispatch ------------------------------------------------------------------- */

void net_forward_layer(net *n, workspace *ws, int i, bool train)
{
    layer *L = &n->layers[i];
    const float *x = net_layer_input(n, ws, i);
    int B = ws->rows;
    size_t len = (size_t)B * L->n_out;
    float *z = ws->z[i], *a = ws->a[i], *aux = ws->aux[i];
    switch (L->kind) {
    case LAYER_DENSE:
        dense_forward(z, x, L->W, L->b, n->wt, B, L->n_in, L->n_out);
        break;
    case LAYER_BATCHNORM:
        batchnorm_forward(L, x, aux, z, B, train);
        break;
    case LAYER_LAYERNORM:
        layernorm_forward(L, x, aux, z, B);
        break;
    case LAYER_DROPOUT:
        if (!train || L->p == 0.0f)
            for (size_t k = 0; k < len; k++)
                aux[k] = 1.0f;
        else if (!n->freeze_masks) {
            float keep = 1.0f / (1.0f - L->p);
            for (size_t k = 0; k < len; k++)
                aux[k] = rng_uniform(&n->dropout_rng) < L->p ? 0.0f : keep;
        }
        for (size_t k = 0; k < len; k++)
            z[k] = x[k] * aux[k];
        break;
    case LAYER_RESIDUAL_BEGIN:
        memcpy(z, x, len * sizeof *z);
        break;
    case LAYER_RESIDUAL_END: {
        const float *skip = ws->a[L->partner];
        for (size_t k = 0; k < len; k++)
            z[k] = x[k] + skip[k];
        break;
    }
    default:
        break;
    }
    /* precision: z (and the norms' x_hat, dropout's output) as stored, then a */
    fp_round_array(z, len, n->precision);
    if (L->kind == LAYER_BATCHNORM || L->kind == LAYER_LAYERNORM)
        fp_round_array(aux, len, n->precision);
    act_forward(L->act, a, z, B, L->n_out);
    fp_round_array(a, len, n->precision);
}

/* Round W and b's gradients to the precision, counting the ones that underflow to 0. */
static void round_grads(net *n, layer *L)
{
    L->grad_underflow = 0;
    if (n->precision == FP32 || n->precision == FP64)
        return;
    for (size_t k = 0; k < L->n_params; k++) {
        float g = L->dW[k], r = (float)fp_round(g, n->precision);
        L->grad_underflow += g != 0.0f && r == 0.0f;
        L->dW[k] = r;
    }
}

void net_backward_layer(net *n, workspace *ws, int i)
{
    layer *L = &n->layers[i];
    int B = ws->rows;
    size_t len = (size_t)B * L->n_out;
    bool fused_last = i == n->n_layers - 1 && loss_is_fused(n->loss, L->act);
    if (!fused_last) {
        fp_round_array(ws->da[i], len, n->precision); /* every contribution to dL/da has arrived */
        act_backward(L->act, ws->dz[i], ws->da[i], ws->z[i], ws->a[i], B, L->n_out);
    }
    fp_round_array(ws->dz[i], len, n->precision);
    const float *dz = ws->dz[i];
    float *dx = i > 0 ? ws->da[i - 1] : NULL;
    switch (L->kind) {
    case LAYER_DENSE:
        dense_backward(dx, L->dW, L->db, dz, net_layer_input(n, ws, i), L->W, B, L->n_in, L->n_out);
        break;
    case LAYER_BATCHNORM:
        batchnorm_backward(L, dx, dz, net_layer_input(n, ws, i), B);
        break;
    case LAYER_LAYERNORM:
        layernorm_backward(L, dx, dz, ws->aux[i], net_layer_input(n, ws, i), B);
        break;
    case LAYER_DROPOUT:
        if (dx)
            for (size_t k = 0; k < len; k++)
                dx[k] += dz[k] * ws->aux[i][k];
        break;
    case LAYER_RESIDUAL_BEGIN:
        if (dx)
            for (size_t k = 0; k < len; k++)
                dx[k] += dz[k];
        break;
    case LAYER_RESIDUAL_END: {
        float *dskip = ws->da[L->partner];
        for (size_t k = 0; k < len; k++)
            dskip[k] += dz[k];
        if (dx)
            for (size_t k = 0; k < len; k++)
                dx[k] += dz[k];
        break;
    }
    default:
        break;
    }
    round_grads(n, L);
}
