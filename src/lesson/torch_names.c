/* torch_names.c - deepstep's terms in PyTorch (see torch_names.h). */
#include "torch_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Activations: the function train.py calls on z, as what goes before and after the argument. */
static const char *const act_call[ACT_COUNT][2] = {
    [ACT_LINEAR] = {"", ""},
    [ACT_SIGMOID] = {"torch.sigmoid(", ")"},
    [ACT_TANH] = {"torch.tanh(", ")"},
    [ACT_RELU] = {"torch.relu(", ")"},
    [ACT_LEAKY_RELU] = {"F.leaky_relu(", ", 0.01)"}, /* LEAKY_RELU_SLOPE, torch's default slope */
    [ACT_SOFTMAX] = {"torch.softmax(", ", dim=1)"},
};

const char *torch_act(activation a, const char *arg, char *buf, size_t cap)
{
    if (a < 0 || a >= ACT_COUNT)
        a = ACT_LINEAR;
    snprintf(buf, cap, "%s%s%s", act_call[a][0], arg, act_call[a][1]);
    return buf;
}

const char *torch_float(float v, char *buf, size_t cap)
{
    if (v == (float)(long)v && v > -1e9f && v < 1e9f) { /* 10, not %g's 1e+01 */
        snprintf(buf, cap, "%ld", (long)v);
        return buf;
    }
    for (int p = 1; p <= 9; p++) {
        snprintf(buf, cap, "%.*g", p, (double)v);
        if (strtof(buf, NULL) == v)
            break;
    }
    return buf;
}

const char *torch_module(const layer_spec *l, int n_in, char *buf, size_t cap)
{
    char p[32];
    switch (l->kind) {
    case LAYER_DENSE: snprintf(buf, cap, "nn.Linear(%d, %d)", n_in, l->units); break;
    case LAYER_BATCHNORM: snprintf(buf, cap, "nn.BatchNorm1d(%d)", n_in); break; /* eps 1e-5, momentum 0.1 */
    case LAYER_LAYERNORM: snprintf(buf, cap, "nn.LayerNorm(%d)", n_in); break;   /* eps 1e-5 */
    case LAYER_DROPOUT: snprintf(buf, cap, "nn.Dropout(p=%s)", torch_float(l->p, p, sizeof p)); break;
    default: snprintf(buf, cap, "nn.Identity()"); break;
    }
    return buf;
}

bool torch_returns_logits(const train_config *c)
{
    return loss_is_fused(c->loss, c->layers[c->n_layers - 1].act);
}

/* Residual blocks open before layer i (i excluded): a `residual begin` at depth d keeps its
 * input in skip{d}, so nested blocks do not overwrite each other's. */
static int open_blocks(const train_config *c, int i)
{
    int depth = 0;
    for (int k = 0; k < i; k++)
        depth += c->layers[k].kind == LAYER_RESIDUAL_BEGIN ? 1 : c->layers[k].kind == LAYER_RESIDUAL_END ? -1 : 0;
    return depth;
}

const char *torch_forward_line(const train_config *c, int i, const char *obj, char *buf, size_t cap)
{
    const layer_spec *l = &c->layers[i];
    bool last = i == c->n_layers - 1;
    /* the last layer's activation is inside the loss when the loss takes logits */
    activation act = last && torch_returns_logits(c) ? ACT_LINEAR : l->act;
    const char *out = last ? "out" : "x";
    char call[128], full[192];
    switch (l->kind) {
    case LAYER_RESIDUAL_BEGIN:
        snprintf(buf, cap, "skip%d = x", open_blocks(c, i) + 1);
        return buf;
    case LAYER_RESIDUAL_END:
        snprintf(call, sizeof call, "x + skip%d", open_blocks(c, i));
        break;
    case LAYER_DROPOUT:
        snprintf(call, sizeof call, "%s.layers[%d](x)", obj, i);
        act = ACT_LINEAR;
        break;
    default:
        snprintf(call, sizeof call, "%s.layers[%d](x)", obj, i);
        break;
    }
    snprintf(buf, cap, "%s = %s", out, torch_act(act, call, full, sizeof full));
    return buf;
}

/* Losses: the torch function and its target; K outputs. */
const char *torch_loss_expr(loss_kind k, int K, char *buf, size_t cap)
{
    char target[48];
    if (K == 1)
        snprintf(target, sizeof target, "y.float().unsqueeze(1)"); /* the label 0/1 is the target */
    else
        snprintf(target, sizeof target, "F.one_hot(y, %d).float()", K);
    switch (k) {
    case LOSS_CROSS_ENTROPY: snprintf(buf, cap, "F.cross_entropy(out, y)"); break;
    case LOSS_BCE: snprintf(buf, cap, "F.binary_cross_entropy_with_logits(out, %s)", target); break;
    default: snprintf(buf, cap, "F.mse_loss(out, %s)", target); break;
    }
    return buf;
}

const char *torch_clip_line(clip_kind k, float value, char *buf, size_t cap)
{
    char v[32];
    if (k == CLIP_NORM)
        snprintf(buf, cap, "torch.nn.utils.clip_grad_norm_(model.parameters(), %s)", torch_float(value, v, sizeof v));
    else if (k == CLIP_VALUE)
        snprintf(buf, cap, "torch.nn.utils.clip_grad_value_(model.parameters(), %s)", torch_float(value, v, sizeof v));
    else
        snprintf(buf, cap, "%s", "");
    return buf;
}

bool torch_schedule_per_step(const train_config *c)
{
    return c->warmup > 0 || c->schedule == SCHED_RANGE;
}

const char *torch_step_line(const trainer *t, trainer_phase phase, int li, char *buf, size_t cap)
{
    const train_config *c = &t->cfg;
    char b[256];
    switch (phase) {
    case PHASE_LOAD_BATCH:
        snprintf(buf, cap, "x, y = x_train[rows], y_train[rows]  (rows: this batch's part of the epoch's order)");
        break;
    case PHASE_FORWARD:
        torch_forward_line(c, li, "model", buf, cap);
        break;
    case PHASE_LOSS:
        snprintf(buf, cap, "loss = %s", torch_loss_expr(c->loss, t->net.layers[t->net.n_layers - 1].n_out, b, sizeof b));
        break;
    case PHASE_BACKWARD: /* autograd runs every layer's backward in one call */
        snprintf(buf, cap, "%s  (autograd: every layer's backward in one call)",
                 c->loss_scale != 1.0f ? "(loss * LOSS_SCALE).backward()" : "loss.backward()");
        break;
    case PHASE_CLIP:
        snprintf(buf, cap, "%s", torch_clip_line(c->clip, c->clip_value, b, sizeof b));
        break;
    case PHASE_UPDATE:
        snprintf(buf, cap, "optimizer.step()  (one call updates every layer)");
        break;
    case PHASE_END_BATCH:
        snprintf(buf, cap, "%s", torch_schedule_per_step(c) ? "scheduler.step()  (the rate of the next step)"
                                                            : "optimizer.zero_grad()  (before the next batch's backward)");
        break;
    case PHASE_END_EPOCH:
        snprintf(buf, cap, "%s%s", t->split->n_val > 0 ? "model.eval(); evaluate(x_val, y_val); model.train()" : "",
                 c->schedule != SCHED_CONSTANT && !torch_schedule_per_step(c)
                     ? (t->split->n_val > 0 ? "; scheduler.step()" : "scheduler.step()")
                     : "");
        if (!buf[0])
            snprintf(buf, cap, "print(line)  (the epoch's line: its train_loss and train_acc)");
        break;
    default:
        snprintf(buf, cap, "%s", "");
        break;
    }
    return buf;
}
