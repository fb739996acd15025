/* gradcheck.c - the numerical gradient check (d): the selected layer's backprop gradients
 * against derivatives computed in double by the complex step. */
#include "session.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

/* ---- gradient check -------------------------------------------------------------
 * Backprop runs in fp32, as training does; what it is compared with must be far more exact.
 * Central differences in fp32 (h = 1e-3 |w|) called correct code wrong: lesson 01's raw
 * inputs near 4000 made that h move z by 4, and fp32 kept few digits of the loss's change.
 * The complex step, dL/dw = Im L(w + ih) / h with h = 1e-20 in double, subtracts nothing and
 * has no step to tune: it is exact to double's 16 digits. The real parts of the complex pass
 * are the unperturbed pass's, computed once; only the imaginary parts are carried per
 * parameter. relu and leaky_relu take the branch the fp32 pass took. */

#define CSTEP_H 1e-20

typedef struct cstep {
    const net *n;
    const workspace *ws;
    const int *labels;
    int first, rows;     /* layers below `first` do not move: their float outputs are used */
    double *x;           /* (rows, n_in) the batch */
    double **rz, **ra;   /* [layer] (rows, out) the real parts: z and a of the pass in double */
    double **iz, **ia;   /* [layer] the imaginary parts of z and a (0 below `first`) */
    double **slope;      /* [layer] f'(z) of elementwise activations, by complex step */
    double **wt;         /* [layer] dense W transposed, (in, out), in double */
    double *block;
} cstep;

/* z[r] = bias + sum_k x[r][k] wt[k] for each row: rows of wt stream contiguously. */
static void dense_d(double *restrict z, const double *restrict x, const double *restrict wt, const float *bias, int B,
                    int in, int out)
{
    for (int r = 0; r < B; r++) {
        double *restrict zr = z + (size_t)r * out;
        for (int o = 0; o < out; o++)
            zr[o] = bias ? bias[o] : 0;
        for (int k = 0; k < in; k++) {
            double v = x[(size_t)r * in + k];
            if (v == 0) /* the imaginary parts of the first layer after the checked one: one column */
                continue;
            const double *restrict w = wt + (size_t)k * out;
            for (int o = 0; o < out; o++)
                zr[o] += v * w[o];
        }
    }
}

/* Batchnorm in training mode on x = rx + i ix (ix NULL: 0); gamma or beta of one unit has
 * +ih when pert >= 0 (the layer's own parameter index). rz NULL: the real part is kept. */
static void batchnorm_c(const layer *L, const double *rx, const double *ix, double *rz, double *iz, int B, long pert)
{
    int n = L->n_out;
    for (int j = 0; j < n; j++) {
        double complex mean = 0, var = 0;
        for (int r = 0; r < B; r++)
            mean += (rx[(size_t)r * n + j] + I * (ix ? ix[(size_t)r * n + j] : 0)) / B;
        for (int r = 0; r < B; r++) {
            double complex d = rx[(size_t)r * n + j] + I * (ix ? ix[(size_t)r * n + j] : 0) - mean;
            var += d * d / B;
        }
        double complex inv = 1 / csqrt(var + BN_EPS), gamma = L->W[j] + I * (pert == j ? CSTEP_H : 0);
        double complex beta = L->b[j] + I * (pert == n + j ? CSTEP_H : 0);
        for (int r = 0; r < B; r++) {
            size_t k = (size_t)r * n + j;
            double complex z = gamma * (rx[k] + I * (ix ? ix[k] : 0) - mean) * inv + beta;
            if (rz)
                rz[k] = creal(z);
            iz[k] = cimag(z);
        }
    }
}

/* Layernorm on x = rx + i ix (ix NULL: 0): each row over its own units; gamma or beta of
 * one unit has +ih when pert >= 0 (the layer's own parameter index). rz NULL: the real part
 * is kept. */
static void layernorm_c(const layer *L, const double *rx, const double *ix, double *rz, double *iz, int B, long pert)
{
    int n = L->n_out;
    for (int r = 0; r < B; r++) {
        const double *xr = rx + (size_t)r * n, *xi = ix ? ix + (size_t)r * n : NULL;
        double complex mean = 0, var = 0;
        for (int j = 0; j < n; j++)
            mean += (xr[j] + I * (xi ? xi[j] : 0)) / n;
        for (int j = 0; j < n; j++) {
            double complex d = xr[j] + I * (xi ? xi[j] : 0) - mean;
            var += d * d / n;
        }
        double complex inv = 1 / csqrt(var + LN_EPS);
        for (int j = 0; j < n; j++) {
            double complex gamma = L->W[j] + I * (pert == j ? CSTEP_H : 0);
            double complex beta = L->b[j] + I * (pert == n + j ? CSTEP_H : 0);
            double complex z = gamma * (xr[j] + I * (xi ? xi[j] : 0) - mean) * inv + beta;
            size_t k = (size_t)r * n + j;
            if (rz)
                rz[k] = creal(z);
            iz[k] = cimag(z);
        }
    }
}

/* One row's softmax of rz + i iz (iz NULL: 0); ra NULL: the real part is kept. */
static void softmax_c(const double *rz, const double *iz, double *ra, double *ia, int n)
{
    int m = 0;
    for (int j = 1; j < n; j++)
        m = rz[j] > rz[m] ? j : m;
    double complex zm = rz[m] + I * (iz ? iz[m] : 0), sum = 0;
    for (int j = 0; j < n; j++)
        sum += cexp(rz[j] + I * (iz ? iz[j] : 0) - zm);
    for (int j = 0; j < n; j++) {
        double complex a = cexp(rz[j] + I * (iz ? iz[j] : 0) - zm) / sum;
        if (ra)
            ra[j] = creal(a);
        ia[j] = cimag(a);
    }
}

/* An elementwise activation of a complex z; `positive`: the fp32 pass's z > 0. */
static double complex act_c(activation f, double complex z, bool positive)
{
    switch (f) {
    case ACT_SIGMOID: return creal(z) >= 0 ? 1 / (1 + cexp(-z)) : cexp(z) / (1 + cexp(z));
    case ACT_TANH: return ctanh(z);
    case ACT_RELU: return positive ? z : 0;
    case ACT_LEAKY_RELU: return positive ? z : LEAKY_RELU_SLOPE * z;
    case ACT_LINEAR:
    case ACT_SOFTMAX: /* over a row: the losses take it with z (cross-entropy), never here */
    case ACT_COUNT: return z;
    }
    return z; /* no default above: -Wswitch names a new activation that needs its line here */
}

/* The losses of loss.h on the last layer's complex z (cross-entropy, bce) or a (mse). */
static double complex loss_c(const cstep *c)
{
    const net *n = c->n;
    int last = n->n_layers - 1, B = c->rows, K = n->layers[last].n_out;
    double complex total = 0;
    for (int r = 0; r < B; r++) {
        size_t o = (size_t)r * K;
        const double *rz = c->rz[last] + o, *iz = c->iz[last] + o, *ra = c->ra[last] + o, *ia = c->ia[last] + o;
        switch (n->loss) { /* no default: -Wswitch names a new loss that needs its line here */
        case LOSS_CROSS_ENTROPY:
        case LOSS_BCE:
        case LOSS_MSE:
        case LOSS_COUNT: break;
        }
        if (n->loss == LOSS_CROSS_ENTROPY) {
            int m = 0;
            for (int j = 1; j < K; j++)
                m = rz[j] > rz[m] ? j : m;
            double complex zm = rz[m] + I * iz[m], sum = 0;
            for (int j = 0; j < K; j++)
                sum += cexp(rz[j] + I * iz[j] - zm);
            total += zm + clog(sum) - (rz[c->labels[r]] + I * iz[c->labels[r]]);
            continue;
        }
        for (int j = 0; j < K; j++) {
            double y = K == 1 ? c->labels[r] : c->labels[r] == j;
            double complex z = rz[j] + I * iz[j], d = ra[j] - y + I * ia[j];
            if (n->loss == LOSS_BCE) /* max(z,0) - z y + log(1 + e^-|z|), the branch by Re z */
                total += rz[j] > 0 ? z - z * y + clog(1 + cexp(-z)) : -z * y + clog(1 + cexp(z));
            else
                total += d * d;
        }
    }
    return total / (n->loss == LOSS_CROSS_ENTROPY ? B : (double)B * K);
}

/* Dropout and the residual markers: z = x * mask (dropout), x, or x + skip (residual end). */
static void pass_through(const cstep *c, int i, const double *x, const double *skip, double *z)
{
    const layer *L = &c->n->layers[i];
    for (size_t k = 0; k < (size_t)c->rows * L->n_out; k++)
        z[k] = x[k] * (L->kind == LAYER_DROPOUT ? c->ws->aux[i][k] : 1) + (L->kind == LAYER_RESIDUAL_END ? skip[k] : 0);
}

/* The imaginary parts of layer i's z when parameter j (of layer `first`) is w + ih. */
static void imag_z(cstep *c, int i, size_t j)
{
    const layer *L = &c->n->layers[i];
    int B = c->rows, out = L->n_out;
    size_t len = (size_t)B * out, local = j - L->param_off;
    const double *ix = i > c->first ? c->ia[i - 1] : NULL; /* the input of `first` does not move */
    double *iz = c->iz[i];
    if (L->kind == LAYER_DENSE && i == c->first) {
        bool weight = local < L->n_weights;
        size_t u = weight ? local / (size_t)L->n_in : local - L->n_weights;
        const double *x = i == 0 ? c->x : c->ra[i - 1];
        memset(iz, 0, len * sizeof *iz);
        for (int r = 0; r < B; r++)
            iz[(size_t)r * out + u] = CSTEP_H * (weight ? x[(size_t)r * L->n_in + local % (size_t)L->n_in] : 1);
    } else if (L->kind == LAYER_DENSE)
        dense_d(iz, ix, c->wt[i], NULL, B, L->n_in, out);
    else if (L->kind == LAYER_BATCHNORM)
        batchnorm_c(L, i == 0 ? c->x : c->ra[i - 1], ix, NULL, iz, B, i == c->first ? (long)local : -1);
    else if (L->kind == LAYER_LAYERNORM)
        layernorm_c(L, i == 0 ? c->x : c->ra[i - 1], ix, NULL, iz, B, i == c->first ? (long)local : -1);
    else /* no parameters, so never `first`: ix is set */
        pass_through(c, i, ix, c->ia[L->partner < 0 ? 0 : L->partner], iz);
}

/* dL/dw_j = Im L(w_j + ih) / h. */
static double cstep_grad(cstep *c, size_t j)
{
    for (int i = c->first; i < c->n->n_layers; i++) {
        const layer *L = &c->n->layers[i];
        size_t len = (size_t)c->rows * L->n_out;
        imag_z(c, i, j);
        for (int r = 0; r < c->rows && L->act == ACT_SOFTMAX; r++) {
            size_t o = (size_t)r * L->n_out;
            softmax_c(c->rz[i] + o, c->iz[i] + o, NULL, c->ia[i] + o, L->n_out);
        }
        for (size_t k = 0; k < len && L->act != ACT_SOFTMAX; k++)
            c->ia[i][k] = c->slope[i][k] * c->iz[i][k];
    }
    return cimag(loss_c(c)) / CSTEP_H;
}

/* The real parts: the forward pass in double from layer `first` on, in training mode
 * (batch statistics, the batch's dropout masks); below it, the fp32 pass's outputs. */
static void cstep_init(cstep *c, const net *n, const workspace *ws, const int *labels, int first)
{
    memset(c, 0, sizeof *c);
    c->n = n, c->ws = ws, c->labels = labels, c->first = first, c->rows = ws->rows;
    int B = ws->rows;
    size_t total = (size_t)B * n->n_in;
    for (int i = 0; i < n->n_layers; i++)
        total += (size_t)B * n->layers[i].n_out * 5 + (i >= first ? n->layers[i].n_weights : 0);
    double *q = c->block = xcalloc(total, sizeof(double));
    c->rz = xcalloc((size_t)n->n_layers * 6, sizeof(double *));
    c->ra = c->rz + n->n_layers, c->iz = c->ra + n->n_layers, c->ia = c->iz + n->n_layers;
    c->slope = c->ia + n->n_layers, c->wt = c->slope + n->n_layers;
    c->x = q, q += (size_t)B * n->n_in;
    for (size_t k = 0; k < (size_t)B * n->n_in; k++)
        c->x[k] = ws->x[k];
    for (int i = 0; i < n->n_layers; i++) {
        const layer *L = &n->layers[i];
        size_t len = (size_t)B * L->n_out;
        c->rz[i] = q, c->ra[i] = q + len, c->iz[i] = q + 2 * len, c->ia[i] = q + 3 * len, c->slope[i] = q + 4 * len;
        q += 5 * len;
        if (i < first) {
            for (size_t k = 0; k < len; k++)
                c->ra[i][k] = ws->a[i][k];
            continue;
        }
        const double *x = i == 0 ? c->x : c->ra[i - 1];
        if (L->kind == LAYER_DENSE) {
            c->wt[i] = q, q += L->n_weights;
            for (int o = 0; o < L->n_out; o++)
                for (int k = 0; k < L->n_in; k++)
                    c->wt[i][(size_t)k * L->n_out + o] = L->W[(size_t)o * L->n_in + k];
            dense_d(c->rz[i], x, c->wt[i], L->b, B, L->n_in, L->n_out);
        } else if (L->kind == LAYER_BATCHNORM)
            batchnorm_c(L, x, NULL, c->rz[i], c->iz[i], B, -1); /* iz: 0, rewritten per parameter */
        else if (L->kind == LAYER_LAYERNORM)
            layernorm_c(L, x, NULL, c->rz[i], c->iz[i], B, -1);
        else
            pass_through(c, i, x, c->ra[L->partner < 0 ? 0 : L->partner], c->rz[i]);
        for (int r = 0; r < B && L->act == ACT_SOFTMAX; r++)
            softmax_c(c->rz[i] + (size_t)r * L->n_out, NULL, c->ra[i] + (size_t)r * L->n_out, c->ia[i] + (size_t)r * L->n_out,
                      L->n_out);
        for (size_t k = 0; k < len && L->act != ACT_SOFTMAX; k++) {
            double complex a = act_c(L->act, c->rz[i][k] + I * CSTEP_H, ws->z[i][k] > 0);
            c->ra[i][k] = creal(a);
            c->slope[i][k] = cimag(a) / CSTEP_H;
        }
    }
}

/* How far fp32 backprop may be from the exact gradient of parameter j of layer i with no
 * bug: its sums round (about 1e-6 of the size of their terms), and a tanh or sigmoid slope
 * computed from a rounded a is off by up to ~1.2e-7 absolute, which in a saturated unit (slope
 * near 0; lesson 01's raw inputs) can be all of it. Summed over the batch's rows, times the
 * size of dL/da and of the input the parameter multiplies. */
static double fp32_slack(const cstep *c, int i, size_t j)
{
    const net *n = c->n;
    const workspace *ws = c->ws;
    const layer *L = &n->layers[i];
    size_t local = j - L->param_off;
    bool weight = local < L->n_weights, fused = i == n->n_layers - 1 && loss_is_fused(n->loss, L->act);
    bool squash = !fused && (L->act == ACT_TANH || L->act == ACT_SIGMOID), dense = L->kind == LAYER_DENSE;
    size_t u = !weight ? local - L->n_weights : (dense ? local / (size_t)L->n_in : local);
    size_t col = dense ? local % (size_t)L->n_in : local, width = dense ? (size_t)L->n_in : (size_t)L->n_out;
    const float *in = dense ? net_layer_input(n, ws, i) : ws->aux[i]; /* the norms: gamma multiplies x_hat */
    double sum = 0;
    for (int r = 0; r < ws->rows; r++) {
        size_t k = (size_t)r * L->n_out + u;
        double term = 1e-6 * fabs(ws->dz[i][k]) + (squash ? fabs(ws->da[i][k]) * fmin(1.2e-7, c->slope[i][k]) : 0);
        sum += term * (weight ? fabs(in[(size_t)r * width + col]) : 1.0);
    }
    return sum;
}

#define GC_PARAMS 20
#define GC_AGREE 1e-2 /* beyond rounding, correct fp32 backprop stays under 1e-3 in every lesson; 10% off is 5e-2 */

double session_gradcheck(session *s)
{
    trainer *t = &s->t;
    net *n = &t->net;
    workspace *ws = &n->train;
    int li = s->layer;
    const layer *L = &n->layers[li];
    char title[64];
    bool act = L->kind == LAYER_DENSE || L->act != ACT_LINEAR;
    snprintf(title, sizeof title, "layer %d (%s%s%s)", li, layer_kind_name(L->kind), act ? ", " : "",
             act ? act_name(L->act) : "");
    if (!L->n_params) { /* say which layers have some: "layers 0, 2" (a dozen, then "...") */
        char list[80] = "";
        for (int i = 0, shown = 0; i < n->n_layers && shown <= 12; i++)
            if (n->layers[i].n_params)
                snprintf(list + strlen(list), sizeof list - strlen(list), shown++ < 12 ? "%s%d" : "%s...",
                         list[0] ? ", " : "", i);
        snprintf(s->gradcheck, sizeof s->gradcheck, "%s has no parameters to check: select a layer with weights: %s %s",
                 title, strchr(list, ',') ? "layers" : "layer", list);
        return NAN;
    }
    if (ws->rows == 0) {
        snprintf(s->gradcheck, sizeof s->gradcheck, "gradient check of %s: load a batch first (n)", title);
        return NAN;
    }
    /* The check disturbs gradients, the workspace, batchnorm's statistics and the dropout
     * generator: a snapshot puts them back. Backprop runs in fp32 (see the note below). */
    trainer_snapshot before = {0};
    trainer_snapshot_save(t, &before);
    bool frozen = n->freeze_masks;
    fp_format precision = n->precision;
    n->precision = FP32;
    net_zero_grad(n, ws);
    /* Dropout: the masks this batch has drawn; where its forward pass has not been yet, the
     * ones it will draw (the generator is restored afterwards), not an old batch's or zeros. */
    int drawn = t->state.next_phase == PHASE_FORWARD ? t->state.next_layer : n->n_layers;
    for (int i = 0; i < n->n_layers; i++) {
        n->freeze_masks = i < drawn;
        net_forward_layer(n, ws, i, true);
    }
    net_loss(n, ws, t->labels, true);
    for (int i = n->n_layers - 1; i >= li; i--)
        net_backward_layer(n, ws, i);
    if (s->gradcheck_tamper)
        s->gradcheck_tamper(n);

    /* The parameters checked: the weight and the bias with the largest gradients, and evenly
     * spaced others. */
    size_t pick[GC_PARAMS], count = 0, off = L->param_off, nb = L->n_params - L->n_weights;
    pick[count++] = off + index_of_largest(n->grads + off, L->n_weights);
    if (nb)
        pick[count++] = off + L->n_weights + index_of_largest(n->grads + off + L->n_weights, nb);
    size_t want = L->n_params < GC_PARAMS ? L->n_params : GC_PARAMS;
    for (size_t q = 0; q < want && count < want; q++) { /* want distinct ones, two may be taken */
        size_t j = off + q * L->n_params / want, seen = 0;
        for (size_t k = 0; k < count; k++)
            seen += pick[k] == j;
        if (!seen)
            pick[count++] = j;
    }
    cstep c;
    cstep_init(&c, n, ws, t->labels, li);
    double num[GC_PARAMS], largest = 0;
    for (size_t q = 0; q < count; q++) {
        num[q] = cstep_grad(&c, pick[q]);
        largest = fmax(largest, fmax(fabs(num[q]), fabs(n->grads[pick[q]])));
    }
    /* |num - ana| / (|num| + |ana|), the denominator at least 1e-3 of the largest gradient
     * checked (fp32 cannot resolve much less than the terms it sums). A difference within
     * fp32_slack is rounding, not a wrong formula: it is shown but does not fail the check. */
    double worst = 0, wrong = 0;
    for (size_t q = 0; q < count; q++) {
        double ana = n->grads[pick[q]], diff = fabs(num[q] - ana);
        double rel = diff / fmax(fmax(fabs(num[q]) + fabs(ana), 1e-3 * largest), 1e-300);
        worst = fmax(worst, rel);
        if (!(diff <= fp32_slack(&c, li, pick[q])) && !(rel <= wrong)) /* NaN too: a diverged net fails */
            wrong = rel;
    }
    free(c.block);
    free(c.rz);

    n->freeze_masks = frozen;
    n->precision = precision;
    trainer_snapshot_restore(t, &before);
    trainer_snapshot_free(&before);

    char note[80] = "";
    if (precision != FP32) /* the format's rounding would swamp the comparison */
        snprintf(note, sizeof note, "; run in fp32, not %s: the check tests the math, not the rounding",
                 fp_spec_of(precision)->name);
    bool agree = wrong < GC_AGREE;
    if (isnan(wrong)) {
        snprintf(s->gradcheck, sizeof s->gradcheck, "gradient check, %s: the gradients are not numbers (NaN or Inf)%s: "
                 "nothing to compare", title, t->state.div.happened ? ", training has diverged" : "");
        return wrong;
    }
    snprintf(s->gradcheck, sizeof s->gradcheck,
             "gradient check, %s: %zu parameters, backprop (fp32) vs complex-step derivatives (double): largest "
             "relative error %.1e%s%s",
             title, count, agree ? worst : wrong,
             !agree ? " (they disagree!)"
                    : (worst > wrong && worst >= GC_AGREE / 10 ? ", within fp32's rounding (they agree)" : " (they agree)"),
             note);
    return wrong;
}
