/* optim.h - optimizers over ranges of the flat parameter vector, PyTorch semantics.
 *
 *   sgd        w -= lr * g
 *   momentum   v = mu*v - lr*g ; w += v          (the lessons' form; with a constant lr it
 *              equals torch.optim.SGD(momentum=mu): buf = mu*buf + g, w -= lr*buf, v = -lr*buf)
 *              nesterov=yes: w += mu*v - lr*g    (torch: w -= lr*(g + mu*buf))
 *   adagrad    s += g^2 ; w -= lr * g / (sqrt(s) + eps)                 eps 1e-10
 *   normalized w -= lr * g / (||g|| + eps), ||g|| the global L2 norm    (the simplified
 *              "Adagrad" some course texts show; not torch's Adagrad)
 *   rmsprop    s = alpha*s + (1-alpha)*g^2 ; w -= lr * g / (sqrt(s) + eps)   alpha .99, eps 1e-8
 *   adam       m = b1*m + (1-b1)*g ; v = b2*v + (1-b2)*g^2 ;
 *              w -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)      b1 .9, b2 .999, eps 1e-8
 *   adamw      w *= 1 - lr*wd, then adam without the L2 term            (wd default 0.01)
 * weight_decay on every other optimizer is the L2 term g += wd*w (biases included), applied
 * inside the update, i.e. after clipping, as torch's optimizer.step() does.
 */
#ifndef DS_OPTIM_H
#define DS_OPTIM_H

#include <stdbool.h>
#include <stddef.h>

typedef enum opt_kind {
    OPT_SGD, OPT_MOMENTUM, OPT_ADAGRAD, OPT_NORMALIZED, OPT_RMSPROP, OPT_ADAM, OPT_ADAMW, OPT_COUNT
} opt_kind;

typedef struct opt_config {
    opt_kind kind;
    float lr, momentum, weight_decay, alpha, beta1, beta2, eps;
    bool nesterov;
} opt_config;

typedef struct optimizer {
    opt_config cfg;
    size_t n;
    float *s1;   /* velocity (momentum), sum of squares (adagrad), square average (rmsprop), m (adam) */
    float *s2;   /* v (adam) */
    long t;      /* updates begun, 1-based during an update (adam's bias correction) */
    double gnorm; /* global gradient norm at the start of this update (normalized) */
} optimizer;

const char *optim_name(opt_kind k);
int optim_parse_kind(const char *name, opt_kind *out);
const char *optim_names_list(void);
/* torch's defaults for that optimizer (lr where torch has one; sgd: 0.1). */
opt_config optim_defaults(opt_kind k);

void optim_init(optimizer *o, const opt_config *cfg, size_t n_params);
void optim_free(optimizer *o);
/* Once per optimizer step, before the per-layer updates. */
void optim_begin(optimizer *o, const float *grads, size_t n);
/* Update w[off .. off+len) from g at learning rate lr (the schedule's current value). */
void optim_update(optimizer *o, float *w, const float *g, size_t off, size_t len, float lr);

/* The names of s1 and s2 for display, NULL when unused. */
const char *optim_state_name(opt_kind k, int which);
/* Adam's bias-corrected moments of parameter j at the current t (display). */
double optim_m_hat(const optimizer *o, size_t j);
double optim_v_hat(const optimizer *o, size_t j);

#endif
