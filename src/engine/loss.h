/* loss.h - the three losses, with PyTorch's reductions.
 *   mse           mean over all B*K elements of (a - y)^2 (nn.MSELoss)
 *   cross_entropy softmax + NLL on the logits z, mean over the batch (nn.CrossEntropyLoss),
 *                 log-sum-exp with max subtraction. A last layer `dense K softmax` means the
 *                 same fused computation on z: never a softmax of a softmax.
 *   bce           mean over elements of -[y log p + (1-y) log(1-p)], p = sigmoid(z), computed
 *                 from z in the stable form max(z,0) - z*y + log(1 + exp(-|z|))
 *                 (nn.BCEWithLogitsLoss; equal to nn.BCELoss on sigmoid outputs).
 * Targets come from integer labels: one-hot for K > 1, the label itself for K = 1. */
#ifndef DS_LOSS_H
#define DS_LOSS_H

#include <stdbool.h>

#include "act.h"

typedef enum loss_kind { LOSS_MSE, LOSS_CROSS_ENTROPY, LOSS_BCE, LOSS_COUNT } loss_kind;

const char *loss_name(loss_kind k);
int loss_parse(const char *name, loss_kind *out);
/* "mse, cross_entropy, bce", made from the same table as loss_name. */
const char *loss_names_list(void);

/* Is this loss computed from the last layer's z (fused with its activation)? */
bool loss_is_fused(loss_kind k, activation last);
/* NULL when the pair is valid, else why not (for the config error). */
const char *loss_check_pair(loss_kind k, activation last, int K);

/* Mean loss over the batch; per-sample losses into sample_loss (B) when non-NULL.
 * When grads is true, also writes dL/da (B,K) and, for fused pairs, dL/dz (B,K):
 * for unfused pairs the caller runs act_backward. For a fused pair da is the exact
 * derivative with respect to a, with probabilities clamped to >= FLT_MIN so it stays finite. */
double loss_compute(loss_kind k, activation last, const float *z, const float *a,
                    const int *labels, int B, int K, float *sample_loss, bool grads,
                    float *da, float *dz);

/* Predicted class of one row (argmax for K > 1; a threshold for K = 1). */
int loss_predict(loss_kind k, activation last, const float *z_row, const float *a_row, int K);

#endif
