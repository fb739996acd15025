/* torch_names.h - deepstep's terms as PyTorch writes them: one small table per kind
 * (activations, layer modules, losses, clipping) and the PyTorch line of each micro-step.
 * `deepstep export --torch` builds train.py from them and the narration ends each micro-step
 * with its line, so the script and the "What just happened" panel name the same code:
 * the model is `model`, its layers `model.layers[i]` (the contract's `layers.{i}.*` names),
 * a batch `x, y`, the net's output `out`, a residual block's input `skip{depth}`. */
#ifndef DS_TORCH_NAMES_H
#define DS_TORCH_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "../engine/trainer.h"

/* "torch.tanh(ARG)", "F.leaky_relu(ARG, 0.01)", or ARG itself for linear. */
const char *torch_act(activation a, const char *arg, char *buf, size_t cap);
/* The module of layer i: "nn.Linear(64, 32)", "nn.BatchNorm1d(32)", "nn.LayerNorm(32)",
 * "nn.Dropout(p=0.2)", "nn.Identity()" (residual markers: no parameters, they only keep
 * the numbering of the `layer =` lines). n_in: the layer's input width. */
const char *torch_module(const layer_spec *l, int n_in, char *buf, size_t cap);
/* Whether the net's forward returns the last layer's z (the loss applies softmax/sigmoid
 * itself: cross_entropy, bce) rather than its a. */
bool torch_returns_logits(const train_config *c);
/* The statement that runs layer i in the forward pass, `self` or `model` being obj:
 * "x = torch.tanh(model.layers[0](x))", "skip1 = x", "x = torch.sigmoid(x + skip1)",
 * "out = model.layers[2](x)" for the last. */
const char *torch_forward_line(const train_config *c, int i, const char *obj, char *buf, size_t cap);
/* "F.cross_entropy(out, y)", "F.mse_loss(out, F.one_hot(y, 10).float())", ... (K outputs). */
const char *torch_loss_expr(loss_kind k, int K, char *buf, size_t cap);
/* "torch.nn.utils.clip_grad_norm_(model.parameters(), 1)"; "" without clipping. */
const char *torch_clip_line(clip_kind k, float value, char *buf, size_t cap);
/* A float as the lesson wrote it: the shortest "%g" that reads back as the same float. */
const char *torch_float(float v, char *buf, size_t cap);
/* Whether the schedule is stepped per batch (warm-up, the range test: LambdaLR) rather than
 * per epoch (ExponentialLR, StepLR, CosineAnnealingLR), or not at all (constant). */
bool torch_schedule_per_step(const train_config *c);
/* The PyTorch line of the micro-step (phase, layer) of t, as train.py writes it. */
const char *torch_step_line(const trainer *t, trainer_phase phase, int li, char *buf, size_t cap);

#endif
