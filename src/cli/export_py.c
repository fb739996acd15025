/* export_py.c - train.py for `deepstep export --torch`: the experiment in ordinary PyTorch.
 *
 * Only the code the experiment needs is written: a net with just its layer kinds, its loss, its
 * optimizer (a small class of its own only where torch's differs: momentum under a changing lr,
 * `normalized`), its clipping, schedule and early stopping. Each piece carries a comment with
 * the lesson's own line, so a learner finds every trick of the lesson in the code. The names
 * (model.layers[i], x, y, out, skip1) and the statements are torch_names.c's, which the
 * narration uses too. The fixed parts are tables of lines; the variable parts are small
 * functions, one per section of the script. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "../lesson/torch_names.h"
#include "export.h"

static void py(FILE *f, const char *fmt, ...) DS_PRINTF(2, 3);
static void py(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}

static void lines(FILE *f, const char *const *text)
{
    for (; *text; text++)
        fprintf(f, "%s\n", *text);
}

#define FL(v, buf) torch_float((v), (buf), sizeof(buf))

/* The `layer =` line as the lesson writes it: "dense 32 tanh init=xavier", "dropout 0.2". */
static const char *layer_line(const layer_spec *l, char *buf, size_t cap)
{
    char p[32];
    switch (l->kind) {
    case LAYER_DENSE:
        snprintf(buf, cap, "dense %d %s%s%s", l->units, act_name(l->act), l->init != INIT_UNIFORM ? " init=" : "",
                 l->init != INIT_UNIFORM ? init_name(l->init) : "");
        break;
    case LAYER_DROPOUT: snprintf(buf, cap, "dropout %s", FL(l->p, p)); break;
    case LAYER_RESIDUAL_BEGIN: snprintf(buf, cap, "residual begin"); break;
    case LAYER_RESIDUAL_END: snprintf(buf, cap, "residual end%s%s", l->act ? " " : "", l->act ? act_name(l->act) : ""); break;
    default: snprintf(buf, cap, "%s%s%s", layer_kind_name(l->kind), l->act ? " " : "", l->act ? act_name(l->act) : ""); break;
    }
    return buf;
}

static bool has_kind(const train_config *c, layer_kind k)
{
    for (int i = 0; i < c->n_layers; i++)
        if (c->layers[i].kind == k)
            return true;
    return false;
}

/* Momentum needs the lesson's own class when the rate changes during the run (see below). */
static bool lr_changes(const train_config *c) { return c->schedule != SCHED_CONSTANT || c->warmup > 0; }
static bool own_momentum(const train_config *c) { return c->opt.kind == OPT_MOMENTUM && lr_changes(c); }

static void header(FILE *f, const export_spec *s)
{
    const experiment *x = s->x;
    char which[128] = "", name[96] = "";
    if (s->which)
        snprintf(which, sizeof which, " --experiment %s", s->which);
    if (x->name[0])
        snprintf(name, sizeof name, " (%s)", x->name);
    py(f, "#!/usr/bin/python3");
    py(f, "\"\"\"Experiment %d of %d%s of %s, in plain PyTorch.", s->index, s->count, name, s->lesson);
    py(f, "%s", "");
    py(f, "Written by `deepstep export %s%s --torch`. It trains the same net from the same initial", s->lesson, which);
    py(f, "weights (init.npz) on the same rows, in the same order (data.npz), as");
    py(f, "%s", "");
    py(f, "    deepstep run %s%s --load init.npz --save out.npz", s->lesson, which);
    py(f, "%s", "");
    py(f, "prints one line per epoch in deepstep's format, and saves the final weights to out.npz under");
    py(f, "deepstep's names (layers.{i}.weight, ...), so the two runs can be compared array by array.");
    py(f, "It needs only numpy and torch:");
    py(f, "%s", "");
    py(f, "    /usr/bin/python3 train.py [--steps N]");
    if (has_kind(&x->train, LAYER_DROPOUT)) {
        py(f, "%s", "");
        py(f, "Dropout: the masks are drawn by torch's random generator, not deepstep's, so this run will");
        py(f, "NOT match deepstep's number for number (everything else is the same computation).");
    }
    py(f, "\"\"\"");
    static const char *const imports[] = {
        "import argparse", "import copy", "import math", "import os", "import sys", "", "import numpy as np",
        "import torch", "import torch.nn.functional as F", "from torch import nn", "",
        "HERE = os.path.dirname(os.path.abspath(__file__))", NULL};
    lines(f, imports);
    py(f, "parser = argparse.ArgumentParser(description=\"Experiment %d of %s in PyTorch.\")", s->index, s->lesson);
    py(f, "parser.add_argument(\"--steps\", type=int, default=0, help=\"train exactly N optimizer steps (deepstep run --steps N)\")");
    py(f, "args = parser.parse_args()");
}

static void data_section(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    const trainer *t = s->t;
    char v1[32], v2[32];
    py(f, "%s", "");
    py(f, "# ---- The data, as deepstep saw it ----------------------------------------------------------");
    if (c->normalize != NORM_NONE)
        py(f, "# normalize = %s: the rows are already normalised, with the statistics of the training rows.",
           norm_name(c->normalize));
    else
        py(f, "# normalize = none: the features as the data has them.");
    if (c->validation > 0 || c->test > 0)
        py(f, "# validation = %s, test = %s: deepstep's split, rows in file order within each part.",
           FL(c->validation, v1), FL(c->test, v2));
    py(f, "data = np.load(os.path.join(HERE, \"data.npz\"))");
    py(f, "x_train, y_train = torch.from_numpy(data[\"x_train\"]), torch.from_numpy(data[\"y_train\"]).long()");
    if (t->split->n_val > 0)
        py(f, "x_val, y_val = torch.from_numpy(data[\"x_val\"]), torch.from_numpy(data[\"y_val\"]).long()");
    if (t->split->n_test > 0)
        py(f, "x_test, y_test = torch.from_numpy(data[\"x_test\"]), torch.from_numpy(data[\"y_test\"]).long()");
    py(f, "%s", "");
    if (c->batch)
        py(f, "BATCH = %d  # batch = %d (the last batch of an epoch may be smaller, as DataLoader(drop_last=False))",
           t->batch_size, c->batch);
    else
        py(f, "BATCH = %d  # batch = full: every training row in one batch", t->batch_size);
    py(f, "BATCHES = %d  # batches per epoch: %d training rows", t->batches_per_epoch, t->split->n_train);
    py(f, "EPOCHS = %d  # epochs = %d", t->epochs, t->epochs);
    py(f, "%s", "");
    py(f, "%s", "");
    py(f, "def epoch_order(epoch):");
    if (s->order_epochs > 0) {
        py(f, "    \"\"\"shuffle = yes: the order deepstep's shuffle drew for this epoch (data.npz), so that");
        py(f, "    every batch holds the same rows as deepstep's.\"\"\"");
        py(f, "    if epoch >= len(data[\"order\"]):");
        py(f, "        sys.exit(\"data.npz holds the row orders of %%d epochs; export again with --steps N\" %% len(data[\"order\"]))");
        py(f, "    return torch.from_numpy(data[\"order\"][epoch].astype(np.int64))");
    } else {
        py(f, "    \"\"\"shuffle = no: every epoch takes the rows in file order.\"\"\"");
        py(f, "    return torch.arange(len(x_train))");
    }
}

static void model_section(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    const net *n = &s->t->net;
    char mod[96], desc[96], line[256];
    py(f, "%s", "");
    py(f, "%s", "");
    py(f, "# ---- The net ------------------------------------------------------------------------------");
    py(f, "class Net(nn.Module):");
    py(f, "    \"\"\"The lesson's layers, one module per `layer =` line, so that state_dict() names them as");
    py(f, "    deepstep's .npz files do: layers.0.weight, layers.0.bias, ...\"\"\"");
    py(f, "%s", "");
    py(f, "    def __init__(self):");
    py(f, "        super().__init__()");
    py(f, "        self.layers = nn.ModuleList([");
    for (int i = 0; i < c->n_layers; i++) {
        torch_module(&c->layers[i], n->layers[i].n_in, mod, sizeof mod);
        const char *why = c->layers[i].kind == LAYER_RESIDUAL_BEGIN || c->layers[i].kind == LAYER_RESIDUAL_END
                              ? " (no parameters; keeps the numbering)"
                              : "";
        py(f, "            %s,  # %d: %s%s", mod, i, layer_line(&c->layers[i], desc, sizeof desc), why);
    }
    py(f, "        ])");
    py(f, "%s", "");
    py(f, "    def forward(self, x):");
    for (int i = 0; i < c->n_layers; i++) {
        torch_forward_line(c, i, "self", line, sizeof line);
        const layer_spec *l = &c->layers[i];
        char note[160] = "";
        if (l->kind == LAYER_RESIDUAL_BEGIN)
            snprintf(note, sizeof note, ": the block's input, added back at its end");
        else if (l->kind == LAYER_RESIDUAL_END)
            snprintf(note, sizeof note, ": the block's output plus its input");
        else if (l->kind == LAYER_BATCHNORM)
            snprintf(note, sizeof note, ": batch statistics in training, running ones in eval");
        if (i == c->n_layers - 1 && torch_returns_logits(c) && l->act != ACT_LINEAR)
            snprintf(note, sizeof note, ": z; the %s is inside the loss", act_name(l->act));
        else if (i == c->n_layers - 1 && torch_returns_logits(c))
            snprintf(note, sizeof note, ": the logits");
        py(f, "        %s  # %d: %s%s", line, i, layer_line(l, desc, sizeof desc), note);
    }
    py(f, "        return out");
    py(f, "%s", "");
    py(f, "%s", "");
    if (has_kind(c, LAYER_DROPOUT)) { /* the masks are torch's: seeded, so a rerun repeats them */
        py(f, "torch.manual_seed(%llu)  # seed = %llu: torch's own dropout masks, the same on every run",
           (unsigned long long)c->seed, (unsigned long long)c->seed);
    }
    py(f, "model = Net()");
    py(f, "# The initial weights are deepstep's (its initialisers drew them); torch's own are overwritten.");
    py(f, "init = np.load(os.path.join(HERE, \"init.npz\"))");
    if (has_kind(c, LAYER_BATCHNORM)) {
        py(f, "# strict=False: BatchNorm1d's num_batches_tracked is torch's own counter, not in deepstep's file.");
        py(f, "model.load_state_dict({k: torch.from_numpy(init[k]) for k in init.files}, strict=False)");
    } else
        py(f, "model.load_state_dict({k: torch.from_numpy(init[k]) for k in init.files})");
}

static void loss_section(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    int K = s->t->net.layers[s->t->net.n_layers - 1].n_out;
    char expr[128];
    static const char *const what[LOSS_COUNT] = {
        [LOSS_MSE] = "mse: the mean of (a - y)^2 over every output of every row",
        [LOSS_CROSS_ENTROPY] = "cross_entropy: softmax and negative log-likelihood of the logits, mean over the batch",
        [LOSS_BCE] = "bce: binary cross-entropy of sigmoid(z), computed from z (stable), mean over the outputs",
    };
    py(f, "%s", "");
    py(f, "%s", "");
    py(f, "def loss_fn(out, y):");
    py(f, "    # loss = %s", what[c->loss]);
    if (c->loss != LOSS_CROSS_ENTROPY)
        py(f, "    # (%s)", K == 1 ? "the target is the label, 0 or 1" : "the target is the label one-hot");
    py(f, "    return %s", torch_loss_expr(c->loss, K, expr, sizeof expr));
    py(f, "%s", "");
    py(f, "%s", "");
    py(f, "def predict(out):");
    if (K == 1 && c->loss == LOSS_BCE)
        py(f, "    return (out[:, 0] > 0).long()  # sigmoid(z) > 0.5 exactly when z > 0");
    else if (K == 1)
        py(f, "    return (out[:, 0] >= 0.5).long()  # one output: class 1 from 0.5 up");
    else
        py(f, "    return out.argmax(1)  # the class with the largest output");
}

/* The optimizer's constructor, after the classes it may need. */
static void optimizer_section(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    const opt_config *o = &c->opt;
    char lr[32], a[32], b[32], e[32], wd[48] = "", wdv[32], m[32];
    /* the range test replaces the lr: the optimizer starts at LO and LambdaLR ramps it */
    FL(c->schedule == SCHED_RANGE ? c->sched_lo : o->lr, lr);
    if (o->weight_decay > 0 && o->kind != OPT_ADAMW)
        snprintf(wd, sizeof wd, ", weight_decay=%s", FL(o->weight_decay, wdv));
    py(f, "%s", "");
    py(f, "%s", "");
    if (o->kind == OPT_MOMENTUM && own_momentum(c)) {
        py(f, "class LessonMomentum(torch.optim.Optimizer):");
        py(f, "    \"\"\"Momentum in the lesson's form: v <- gamma*v - lr*g, then w <- w + v%s.",
           o->nesterov ? " (nesterov: w <- w + gamma*v - lr*g)" : "");
        py(f, "    torch.optim.SGD(momentum=...) keeps lr outside its buffer (buf <- gamma*buf + g, w <- w - lr*buf):");
        py(f, "    the same steps while lr is constant, but this run's schedule changes lr, and v remembers");
        py(f, "    the rates it was built with while lr*buf does not.\"\"\"");
        py(f, "%s", "");
        py(f, "    def __init__(self, params, lr, momentum):");
        py(f, "        super().__init__(params, dict(lr=lr, momentum=momentum))");
        py(f, "%s", "");
        py(f, "    @torch.no_grad()");
        py(f, "    def step(self):");
        py(f, "        for group in self.param_groups:");
        py(f, "            lr, gamma = group[\"lr\"], group[\"momentum\"]");
        py(f, "            for w in group[\"params\"]:");
        if (o->weight_decay > 0)
            py(f, "                g = w.grad + %s * w  # weight_decay: the L2 term, after clipping", wdv);
        else
            py(f, "                g = w.grad");
        py(f, "                v = self.state[w].setdefault(\"v\", torch.zeros_like(w))");
        py(f, "                v.mul_(gamma).sub_(lr * g)  # v <- gamma*v - lr*g");
        if (o->nesterov)
            py(f, "                w.add_(gamma * v - lr * g)  # nesterov=yes: w <- w + gamma*v - lr*g");
        else
            py(f, "                w.add_(v)  # w <- w + v");
        py(f, "%s", "");
        py(f, "%s", "");
        py(f, "optimizer = LessonMomentum(model.parameters(), lr=%s, momentum=%s)", lr, FL(o->momentum, m));
        return;
    }
    switch (o->kind) {
    case OPT_SGD:
        py(f, "# optimizer = sgd: w <- w - lr*g%s", wd[0] ? "; weight_decay adds the L2 term g <- g + wd*w" : "");
        py(f, "optimizer = torch.optim.SGD(model.parameters(), lr=%s%s)", lr, wd);
        break;
    case OPT_MOMENTUM:
        py(f, "# optimizer = momentum: the lesson's v <- gamma*v - lr*g, w <- w + v%s is torch's",
           o->nesterov ? " (nesterov: w <- w + gamma*v - lr*g)" : "");
        py(f, "# buf <- gamma*buf + g, w <- w - lr*buf with v = -lr*buf: the same steps, as lr is constant here.");
        py(f, "optimizer = torch.optim.SGD(model.parameters(), lr=%s, momentum=%s%s%s)", lr, FL(o->momentum, m),
           o->nesterov ? ", nesterov=True" : "", wd);
        break;
    case OPT_ADAGRAD:
        py(f, "# optimizer = adagrad: s <- s + g^2, w <- w - lr*g/(sqrt(s) + eps)");
        py(f, "optimizer = torch.optim.Adagrad(model.parameters(), lr=%s, eps=%s%s)", lr, FL(o->eps, e), wd);
        break;
    case OPT_RMSPROP:
        py(f, "# optimizer = rmsprop: s <- alpha*s + (1-alpha)*g^2, w <- w - lr*g/(sqrt(s) + eps)");
        py(f, "optimizer = torch.optim.RMSprop(model.parameters(), lr=%s, alpha=%s, eps=%s%s)", lr, FL(o->alpha, a),
           FL(o->eps, e), wd);
        break;
    case OPT_ADAM:
    case OPT_ADAMW:
        py(f, "# optimizer = %s: bias-corrected moving averages m of g and v of g^2, w <- w - lr*m_hat/(sqrt(v_hat) + eps)",
           optim_name(o->kind));
        if (o->kind == OPT_ADAMW)
            py(f, "# AdamW decays the weights apart from the gradient first: w <- w*(1 - lr*weight_decay)");
        else if (wd[0])
            py(f, "# weight_decay here is the L2 term g <- g + wd*w, inside Adam's averages (not AdamW's decay)");
        if (o->kind == OPT_ADAMW)
            snprintf(wd, sizeof wd, ", weight_decay=%s", FL(o->weight_decay, wdv));
        py(f, "optimizer = torch.optim.%s(model.parameters(), lr=%s, betas=(%s, %s), eps=%s%s)",
           o->kind == OPT_ADAM ? "Adam" : "AdamW", lr, FL(o->beta1, a), FL(o->beta2, b), FL(o->eps, e), wd);
        break;
    case OPT_NORMALIZED:
        py(f, "class NormalizedGD(torch.optim.Optimizer):");
        py(f, "    \"\"\"optimizer = normalized: w <- w - lr*g/(|g| + eps), |g| the length of the whole gradient");
        py(f, "    (every parameter of every layer together): steps of length lr whatever the gradient's size.");
        py(f, "    The simplified \\\"Adagrad\\\" some course texts show, not torch.optim.Adagrad.\"\"\"");
        py(f, "%s", "");
        py(f, "    def __init__(self, params, lr, eps):");
        py(f, "        super().__init__(params, dict(lr=lr, eps=eps))");
        py(f, "%s", "");
        py(f, "    @torch.no_grad()");
        py(f, "    def step(self):");
        py(f, "        grads = [w.grad for group in self.param_groups for w in group[\"params\"]]");
        py(f, "        norm = math.sqrt(sum((g.double() ** 2).sum().item() for g in grads))");
        py(f, "        for group in self.param_groups:");
        py(f, "            scale = group[\"lr\"] / (norm + group[\"eps\"])");
        py(f, "            for w in group[\"params\"]:");
        if (o->weight_decay > 0)
            py(f, "                w.sub_(scale * (w.grad + %s * w))  # weight_decay: the L2 term", wdv);
        else
            py(f, "                w.sub_(scale * w.grad)");
        py(f, "%s", "");
        py(f, "%s", "");
        py(f, "optimizer = NormalizedGD(model.parameters(), lr=%s, eps=%s)", lr, FL(o->eps, e));
        break;
    default:
        break;
    }
}

/* The schedule: torch's per-epoch schedulers, or LambdaLR per step for warm-up and the range test. */
static void schedule_section(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    char g[32], lo[32], hi[32];
    if (!lr_changes(c))
        return;
    py(f, "%s", "");
    if (!torch_schedule_per_step(c)) {
        if (c->schedule == SCHED_EXP)
            py(f, "# schedule = exp %s: lr <- lr*%s after every epoch", FL(c->sched_gamma, g), g);
        else if (c->schedule == SCHED_STEP)
            py(f, "# schedule = step %d %s: lr <- lr*%s every %d epochs", c->sched_step, FL(c->sched_gamma, g), g,
               c->sched_step);
        else
            py(f, "# schedule = cosine: lr*(1 + cos(pi*epoch/EPOCHS))/2, stepped after every epoch");
        if (c->schedule == SCHED_EXP)
            py(f, "scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=%s)", g);
        else if (c->schedule == SCHED_STEP)
            py(f, "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=%d, gamma=%s)", c->sched_step, g);
        else
            py(f, "scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)");
        return;
    }
    if (c->schedule == SCHED_RANGE) {
        py(f, "TOTAL_STEPS = args.steps or EPOCHS * BATCHES  # the range test ramps over the whole run");
        py(f, "%s", "");
    }
    py(f, "%s", "");
    py(f, "def lr_factor(step):");
    py(f, "    \"\"\"The lesson's rate at optimizer step `step` (from 0), as a factor of the optimizer's lr.\"\"\"");
    py(f, "    epoch = step // BATCHES");
    switch (c->schedule) {
    case SCHED_EXP: py(f, "    f = %s ** epoch  # schedule = exp %s: times %s after every epoch", FL(c->sched_gamma, g), g, g); break;
    case SCHED_STEP:
        py(f, "    f = %s ** (epoch // %d)  # schedule = step %d %s", FL(c->sched_gamma, g), c->sched_step, c->sched_step, g);
        break;
    case SCHED_COSINE: py(f, "    f = 0.5 * (1 + math.cos(math.pi * epoch / EPOCHS))  # schedule = cosine, per epoch"); break;
    case SCHED_RANGE:
        py(f, "    # schedule = range %s %s: from LO at the first step to HI at the last, by the same factor", FL(c->sched_lo, lo),
           FL(c->sched_hi, hi));
        py(f, "    # every step (a straight line on a log-lr axis)");
        py(f, "    f = math.exp(math.log(%s / %s) * step / (TOTAL_STEPS - 1)) if TOTAL_STEPS > 1 else 1.0", hi, lo);
        break;
    default: py(f, "    f = 1.0"); break;
    }
    if (c->warmup > 0) {
        py(f, "    if step < %d:  # warmup=%d: the rate ramps up linearly over the first %d steps", c->warmup, c->warmup,
           c->warmup);
        py(f, "        f *= (step + 1) / %d", c->warmup);
    }
    py(f, "    return f");
    py(f, "%s", "");
    py(f, "%s", "");
    py(f, "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)  # stepped after every optimizer step");
}

static void evaluate_section(FILE *f, const export_spec *s)
{
    static const char *const text[] = {
        "",
        "",
        "def evaluate(x, y):",
        "    \"\"\"Mean loss and accuracy over held-out rows, in eval mode (batchnorm's running statistics,",
        "    no dropout), as deepstep measures them after every epoch.\"\"\"",
        "    model.eval()",
        "    with torch.no_grad():",
        "        out = model(x)",
        "        result = loss_fn(out, y).item(), (predict(out) == y).double().mean().item()",
        "    model.train()",
        "    return result",
        NULL};
    static const char *const fmt[] = {
        "",
        "",
        "def fmt_loss(v):",
        "    \"\"\"A loss as deepstep run prints it: fixed point, scientific once it explodes.\"\"\"",
        "    return \"-\" if math.isnan(v) else \"%.4e\" % v if abs(v) >= 1e6 else \"%.6f\" % v",
        NULL};
    if (s->t->split->n_val > 0 || s->t->split->n_test > 0)
        lines(f, text);
    lines(f, fmt);
}

/* One optimizer step, inside the batch loop (12 spaces of indent). */
static void step_lines(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    char clip[128], v[32];
    py(f, "            optimizer.zero_grad()");
    py(f, "            out = model(x)  # forward, layer by layer");
    py(f, "            loss = loss_fn(out, y)");
    py(f, "            if not torch.isfinite(loss):  # deepstep stops at the first NaN or Inf, and says where");
    py(f, "                print(\"diverged: training diverged at step %%d (epoch %%d, batch %%d): the loss is %%s\" %% "
          "(step + 1, epoch + 1, batch + 1, loss.item()))");
    py(f, "                sys.exit(3)");
    py(f, "            loss_sum += loss.item() * len(rows)  # the epoch's train_loss: the mean over its rows");
    py(f, "            seen += len(rows)");
    py(f, "            correct += (predict(out) == y).sum().item()");
    if (c->loss_scale != 1.0f) {
        py(f, "            (loss * LOSS_SCALE).backward()  # loss_scale = %s: gradients %s times larger on the way",
           FL(c->loss_scale, v), v);
        py(f, "            for w in model.parameters():  # ... and divided out before clipping and the update");
        py(f, "                w.grad /= LOSS_SCALE");
    } else
        py(f, "            loss.backward()  # backward: dL/dw for every parameter, every layer");
    if (c->clip != CLIP_NONE) {
        if (c->clip == CLIP_NORM)
            py(f, "            # clip = norm %s: if |g| (all gradients together) > %s, g <- g * %s/(|g| + 1e-6)",
               FL(c->clip_value, v), v, v);
        else
            py(f, "            # clip = value %s: every gradient element clamped to [-%s, %s]", FL(c->clip_value, v), v, v);
        py(f, "            %s", torch_clip_line(c->clip, c->clip_value, clip, sizeof clip));
    }
    py(f, "            optimizer.step()  # the update, every layer");
    if (torch_schedule_per_step(c))
        py(f, "            scheduler.step()  # the rate of the next step");
    py(f, "            step += 1");
    py(f, "            if not all(torch.isfinite(w).all() for w in model.parameters()):");
    py(f, "                print(\"diverged: training diverged at step %%d (epoch %%d, batch %%d): the update made a weight "
          "NaN or Inf\" %% (step, epoch + 1, batch + 1))");
    py(f, "                sys.exit(3)");
}

/* The epoch line, exactly as `deepstep run` prints it (8 spaces of indent). */
static void epoch_end_lines(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    bool val = s->t->split->n_val > 0, test = s->t->split->n_test > 0;
    py(f, "        train_loss, train_acc = loss_sum / seen, correct / seen");
    if (val)
        py(f, "        val_loss, val_acc = evaluate(x_val, y_val)");
    py(f, "        line = \"epoch %%5d/%%d  train_loss %%s  train_acc %%.4f\" %% (epoch + 1, planned, fmt_loss(train_loss), train_acc)");
    if (val)
        py(f, "        line += \"  val_loss %%s  val_acc %%.4f\" %% (fmt_loss(val_loss), val_acc)");
    else
        py(f, "        line += \"  val_loss -  val_acc -\"  # no validation rows");
    py(f, "        line += \"  lr %%.6g\" %% lr");
    if (test) {
        py(f, "        test_loss, test_acc = evaluate(x_test, y_test)  # only reported, never used to choose anything");
        py(f, "        line += \"  test_loss %%s  test_acc %%.4f\" %% (fmt_loss(test_loss), test_acc)");
    }
    py(f, "        print(line)");
    if (lr_changes(c) && !torch_schedule_per_step(c))
        py(f, "        scheduler.step()  # the next epoch's rate");
    if (c->early_stop > 0) {
        py(f, "        # early_stop = patience=%d: stop once the validation loss has not improved for %d epochs,",
           c->early_stop, c->early_stop);
        py(f, "        # and go back to the weights of the best epoch");
        py(f, "        if val_loss < best_loss:");
        py(f, "            best_loss, best_epoch, since_best = val_loss, epoch + 1, 0");
        py(f, "            best_state = copy.deepcopy(model.state_dict())");
        py(f, "        else:");
        py(f, "            since_best += 1");
        py(f, "            if since_best >= %d:", c->early_stop);
        py(f, "                model.load_state_dict(best_state)");
        py(f, "                print(\"early stop after epoch %%d: validation loss has not improved for %d epochs; \"",
           c->early_stop);
        py(f, "                      \"restored the weights of epoch %%d (val_loss %%.6f)\" %% (epoch + 1, best_epoch, best_loss))");
        py(f, "                return step");
    }
}

static void train_section(FILE *f, const export_spec *s)
{
    const train_config *c = &s->x->train;
    char v[32];
    if (c->loss_scale != 1.0f)
        py(f, "\nLOSS_SCALE = %s  # loss_scale = %s", FL(c->loss_scale, v), v);
    static const char *const head[] = {
        "",
        "",
        "# ---- Training, as deepstep's stepper does it ----------------------------------------------",
        "def train(planned):",
        "    \"\"\"Trains `planned` epochs (or exactly args.steps steps); returns the steps taken.\"\"\"",
        "    step = 0",
        NULL};
    lines(f, head);
    if (c->early_stop > 0)
        py(f, "    best_loss, best_epoch, since_best, best_state = math.inf, 0, 0, None");
    static const char *const loop[] = {
        "    model.train()",
        "    for epoch in range(planned):",
        "        order = epoch_order(epoch)",
        "        loss_sum, seen, correct = 0.0, 0, 0",
        "        for batch in range(BATCHES):",
        "            rows = order[batch * BATCH:(batch + 1) * BATCH]",
        "            x, y = x_train[rows], y_train[rows]",
        "            lr = optimizer.param_groups[0][\"lr\"]  # this step's learning rate",
        NULL};
    lines(f, loop);
    step_lines(f, s);
    static const char *const stop[] = {
        "            if step == args.steps and batch + 1 < BATCHES:  # --steps ended the run inside an epoch",
        "                print(\"stopped after step %d (epoch %d, batch %d of %d): train_loss %.6f  train_acc %.4f \"",
        "                      \"(this epoch so far)\" % (step, epoch + 1, batch + 1, BATCHES, loss_sum / seen, correct / seen))",
        "                return step",
        NULL};
    lines(f, stop);
    epoch_end_lines(f, s);
    static const char *const tail[] = {
        "    return step",
        "",
        "",
        "planned = -(-args.steps // BATCHES) if args.steps else EPOCHS  # the epochs this run touches",
        "steps = train(planned)",
        "# The final weights under deepstep's names: the file `deepstep run --save` writes.",
        "weights = {k: v.numpy() for k, v in model.state_dict().items() if not k.endswith(\"num_batches_tracked\")}",
        "np.savez(os.path.join(HERE, \"out.npz\"), **weights)",
        "print(\"done: %d steps, weights in %s\" % (steps, os.path.join(HERE, \"out.npz\")))",
        NULL};
    lines(f, tail);
}

void export_torch_script(FILE *f, const export_spec *s)
{
    header(f, s);
    data_section(f, s);
    model_section(f, s);
    loss_section(f, s);
    optimizer_section(f, s);
    schedule_section(f, s);
    evaluate_section(f, s);
    train_section(f, s);
}
