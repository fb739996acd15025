/* net.h - a stack of layers over one flat parameter vector.
 *
 * Every intermediate value is kept and readable: per layer the input, z, a, dL/da, dL/dz
 * live in a workspace (one for training, one for evaluation, so evaluating never
 * overwrites what the learner is looking at); W, b, dW, db and the weights before the
 * last update live in three flat vectors (params, grads, params_prev) so the optimizer,
 * clipping and snapshots treat all parameters as one array. Pointers returned by the
 * net_* accessors point into internal storage: do not free them.
 */
#ifndef DS_NET_H
#define DS_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"
#include "act.h"
#include "loss.h"
#include "fp.h"
#include "../common/rng.h"

typedef enum init_kind {
    INIT_UNIFORM,  /* U(-1/sqrt(n_in), 1/sqrt(n_in)), bias the same: torch.nn.Linear's default */
    INIT_GAUSSIAN, /* N(0, 1): the one the lessons warn about */
    INIT_LECUN,    /* N(0, 1/n_in) */
    INIT_XAVIER,   /* Glorot normal, N(0, 2/(n_in + n_out)) */
    INIT_HE,       /* N(0, 2/n_in) */
    INIT_COUNT
} init_kind;
/* Biases start at 0 for every init except uniform, which copies nn.Linear. */

const char *init_name(init_kind k);
int init_parse(const char *name, init_kind *out);
const char *init_names_list(void);

/* Layer kinds and what their buffers hold (z, a, aux are (rows, out) per layer):
 *   dense          z = x W^T + b, a = f(z)
 *   batchnorm      BatchNorm1d: aux = x_hat = (x - mean) / sqrt(var + eps) with batch statistics
 *                  in training (biased var) and running statistics in eval; z = gamma x_hat + beta;
 *                  a = f(z). W holds gamma, b beta. Running stats: momentum .1, unbiased var.
 *   layernorm      LayerNorm(width): aux = x_hat = (x - mean) / sqrt(var + eps) with the mean and
 *                  biased var of each row over its features, the same in training and eval (no
 *                  running statistics); z = gamma x_hat + beta; a = f(z). W holds gamma, b beta.
 *   dropout        inverted dropout: aux = mask (0 or 1/(1-p)) in training, 1 in eval; z = a = x * aux
 *   residual_begin marks a block's input: z = a = x
 *   residual_end   z = x + (output of its residual_begin), a = f(z)
 * Widths: dense sets its own; every other kind keeps the width of its input. */
typedef enum layer_kind {
    LAYER_DENSE, LAYER_BATCHNORM, LAYER_DROPOUT, LAYER_RESIDUAL_BEGIN, LAYER_RESIDUAL_END,
    LAYER_LAYERNORM, /* appended: the kinds before it keep their numbers */
    LAYER_KIND_COUNT
} layer_kind;

#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f
#define LN_EPS 1e-5f /* torch.nn.LayerNorm's default */

typedef struct layer_spec {
    layer_kind kind;
    int units;      /* dense only */
    activation act; /* dense, batchnorm, layernorm, residual_end */
    init_kind init; /* dense only */
    float p;        /* dropout probability */
} layer_spec;

const char *layer_kind_name(layer_kind k);

/* Limits that refuse hostile configs before allocating. */
#define NET_MAX_LAYERS 64
#define NET_MAX_UNITS 65536
#define NET_MAX_PARAMS ((size_t)1 << 28)

typedef struct layer {
    layer_kind kind;
    activation act;
    init_kind init;
    int n_in, n_out;
    float p;          /* dropout probability */
    int partner;      /* residual_end: index of its residual_begin; -1 otherwise */
    size_t param_off; /* W then b, at params + param_off */
    size_t n_weights; /* entries of W: out*in (dense), out (batchnorm, layernorm gamma), 0 */
    size_t n_params;  /* n_weights + entries of b */
    size_t grad_underflow;  /* gradient elements of W, b that rounded to 0 in the last backward */
    float *running_mean, *running_var; /* (out) batchnorm, -> buffers */
    float *batch_mean, *batch_var;     /* (out) batchnorm, statistics of the last training batch */
    float *W, *b;           /* (out, in), (out)   -> params      */
    float *dW, *db;         /* (out, in), (out)   -> grads       */
    float *W_prev, *b_prev; /* (out, in), (out)   -> params_prev */
} layer;

typedef struct workspace {
    int cap;        /* rows the buffers hold */
    int rows;       /* rows of the last pass */
    float *x;       /* (cap, n_in): the batch */
    float **z;      /* [layer] (cap, out) pre-activation */
    float **a;      /* [layer] (cap, out) activation */
    float **da;     /* [layer] (cap, out) dL/da */
    float **dz;     /* [layer] (cap, out) dL/dz */
    float **aux;    /* [layer] (cap, out) batchnorm and layernorm x_hat, dropout mask */
    float *sample_loss; /* (cap) */
    float *block;   /* the one allocation behind all of the above */
    size_t block_floats;
    float **ptrs;
} workspace;

typedef struct net {
    int n_in, n_layers;
    layer *layers;
    loss_kind loss;
    size_t n_params;
    float *params, *grads, *params_prev; /* (n_params) each */
    size_t n_buffers;
    float *buffers;       /* batchnorm running and batch statistics */
    rng dropout_rng;      /* masks are drawn from it in training forward passes */
    bool freeze_masks;    /* reuse the current dropout masks (gradient checks, replay) */
    fp_format precision;  /* values are rounded to it where they are stored (fp32: no rounding) */
    float *wt;            /* scratch: one dense layer's W transposed (largest in*out) */
    workspace train, eval;
} net;

/* Builds the net; refuses too-large shapes and mismatched residual widths with a message
 * naming the 0-based layer ("layer 3: ..."); err->line is the layer index + 1. */
int net_create(net *n, int n_in, const layer_spec *specs, int n_layers, loss_kind loss,
               int batch_cap, int eval_cap, ds_error *err);
void net_destroy(net *n);

void net_init_params(net *n, rng *r);

int net_out_width(const net *n);
const float *net_layer_input(const net *n, const workspace *ws, int i); /* (rows, n_in) */

/* One layer forward, in training (batch statistics, dropout masks) or eval mode. */
void net_forward_layer(net *n, workspace *ws, int i, bool train);
/* Loss of the last pass; with grads, dL/da (and dL/dz when fused) of the last layer. */
double net_loss(net *n, workspace *ws, const int *labels, bool grads);
/* Clears dW, db and every dL/da before a backward pass (backward accumulates). */
void net_zero_grad(net *n, workspace *ws);
/* One layer backward: dz from da (unless the loss already gave it), then the parameter
 * gradients (accumulated) and dL/da of the layers below (accumulated: += dz W for dense;
 * a residual_end also adds into its residual_begin). */
void net_backward_layer(net *n, workspace *ws, int i);
/* Layernorm: the mean and biased variance of one row x (n_features values) of its input, as
 * the forward pass uses them; the backward pass and the narration recompute them from the
 * input rather than keep them, so nothing per row outlives the pass. */
void layernorm_row_stats(const float *x, int n_features, double *mean, double *var);
/* Forward through every layer for rows already in ws->x. */
void net_forward(net *n, workspace *ws, int rows, bool train);

/* Reference and fast dense kernels (the fast ones must agree; tested). */
void dense_forward_ref(float *z, const float *x, const float *W, const float *b, int B, int n_in, int n_out);
/* wt: scratch of n_in * n_out floats (W transposed into it). */
void dense_forward(float *restrict z, const float *restrict x, const float *restrict W,
                   const float *restrict b, float *restrict wt, int B, int n_in, int n_out);
void dense_backward(float *restrict dx, float *restrict dW, float *restrict db,
                    const float *restrict dz, const float *restrict x, const float *restrict W,
                    int B, int n_in, int n_out);
void dense_backward_ref(float *dx, float *dW, float *db, const float *dz, const float *x, const float *W, int B,
                        int n_in, int n_out);

#endif
