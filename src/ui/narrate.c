#include "narrate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../lesson/torch_names.h"

typedef struct text {
    char (*out)[NARRATE_COLS];
    int n;
} text;

static void say(text *t, const char *fmt, ...) DS_PRINTF(2, 3);
static void say(text *t, const char *fmt, ...)
{
    if (t->n >= NARRATE_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->out[t->n++], NARRATE_COLS, fmt, ap);
    va_end(ap);
}

/* A number as the narration prints it: 4 significant digits, negative ones in parentheses
 * when they are plugged into a product. Never "-0": relu writes 0 * z, which is -0 for a
 * negative z, and a learner reads "-0" as a negative number. */
static const char *num(char *buf, double v)
{
    snprintf(buf, 32, "%.4g", v == 0 ? 0.0 : v);
    return buf;
}

static const char *par(char *buf, double v)
{
    if (v < 0)
        snprintf(buf, 32, "(%.4g)", v);
    else
        num(buf, v);
    return buf;
}

/* "1 step", "3 steps". */
static const char *count_of(char *buf, long n, const char *noun)
{
    snprintf(buf, 32, "%ld %s%s", n, noun, n == 1 ? "" : "s");
    return buf;
}

/* A small constant (an eps) as a formula writes it: 1e-8, not 1e-08. Printed from the value
 * the engine uses, so a lesson's eps=1e-6 shows as 1e-6. */
static const char *eps_str(char *buf, double v)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%.4g", v);
    char *e = strchr(raw, 'e');
    if (!e) {
        snprintf(buf, 32, "%s", raw);
        return buf;
    }
    const char *digits = e + 1 + (e[1] == '-' || e[1] == '+');
    while (digits[0] == '0' && digits[1])
        digits++;
    snprintf(buf, 32, "%.*se%s%s", (int)(e - raw), raw, e[1] == '-' ? "-" : "", digits);
    return buf;
}

/* The formulas name the engine's constants (the leaky slope) instead of repeating them. */
static const char *act_formula(char buf[64], activation a)
{
    char b[32];
    switch (a) {
    case ACT_SIGMOID: return "a = 1/(1 + e^-z)";
    case ACT_TANH: return "a = tanh(z)";
    case ACT_RELU: return "a = max(0, z)";
    case ACT_LEAKY_RELU:
        snprintf(buf, 64, "a = z if z > 0, else %s*z", num(b, LEAKY_RELU_SLOPE));
        return buf;
    case ACT_SOFTMAX: return "a_j = e^z_j / sum_k e^z_k";
    default: return "a = z";
    }
}

static const char *deriv_formula(char buf[64], activation a)
{
    char b[32];
    switch (a) {
    case ACT_SIGMOID: return "f'(z) = a(1 - a)";
    case ACT_TANH: return "f'(z) = 1 - a^2";
    case ACT_RELU: return "f'(z) = 1 if z > 0, else 0";
    case ACT_LEAKY_RELU:
        snprintf(buf, 64, "f'(z) = 1 if z > 0, else %s", num(b, LEAKY_RELU_SLOPE));
        return buf;
    case ACT_SOFTMAX: return "dz_j = a_j (da_j - sum_k da_k a_k)";
    default: return "f'(z) = 1";
    }
}

/* The element the narration follows in layer i: the selected one when the learner is looking
 * at this layer's activations, else row 0, unit 0. */
static void focus(const session *s, int i, int *r, int *j)
{
    const layer *L = &s->t.net.layers[i];
    *r = 0, *j = 0;
    if (s->layer == i && s->buf <= BUF_DZ && s->buf != BUF_INPUT) {
        *r = s->row < s->t.net.train.rows ? s->row : 0;
        *j = s->col < L->n_out ? s->col : 0;
    } else if (s->layer == i && (s->buf == BUF_W || s->buf == BUF_DW || s->buf == BUF_STATE) &&
               L->kind == LAYER_DENSE)
        *j = s->row < L->n_out ? s->row : 0;
}

static void layer_title(const session *s, int i, char *buf, size_t cap)
{
    const layer *L = &s->t.net.layers[i];
    switch (L->kind) {
    case LAYER_DENSE:
        snprintf(buf, cap, "layer %d (dense %d->%d, %s)", i, L->n_in, L->n_out, act_name(L->act));
        break;
    case LAYER_DROPOUT:
        snprintf(buf, cap, "layer %d (dropout p=%.2g)", i, (double)L->p);
        break;
    default:
        snprintf(buf, cap, "layer %d (%s%s%s)", i, layer_kind_name(L->kind), L->act != ACT_LINEAR ? ", " : "",
                 L->act != ACT_LINEAR ? act_name(L->act) : "");
    }
}

static void forward_dense(const session *s, text *t, int i, int r, int j)
{
    const net *n = &s->t.net;
    const layer *L = &n->layers[i];
    const float *x = net_layer_input(n, &n->train, i) + (size_t)r * L->n_in;
    const float *w = L->W + (size_t)j * L->n_in;
    char sum[NARRATE_COLS] = "", b1[32], b2[32];
    int shown = L->n_in < 3 ? L->n_in : 3;
    for (int k = 0; k < shown; k++) {
        char term[80];
        snprintf(term, sizeof term, " + %s*%s", par(b1, w[k]), par(b2, x[k]));
        strncat(sum, term, sizeof sum - strlen(sum) - 1);
    }
    double z = n->train.z[i][(size_t)r * L->n_out + j], a = n->train.a[i][(size_t)r * L->n_out + j];
    say(t, "z[%d][%d] = b[%d] + sum_i W[%d][i]*x[i] = %s%s%s = %s", r, j, j, j, num(b1, L->b[j]), sum,
        L->n_in > 3 ? " + ..." : "", num(b2, z));
    if (L->n_in > 3)
        say(t, "  (%d terms in the sum; the first %d shown)", L->n_in, shown);
    char f[64];
    say(t, "%s: a[%d][%d] = %s", act_formula(f, L->act), r, j, num(b1, a));
}

static void forward(const session *s, text *t, int i)
{
    const net *n = &s->t.net;
    const layer *L = &n->layers[i];
    const workspace *ws = &n->train;
    int r, j;
    focus(s, i, &r, &j);
    char title[96], b1[32], b2[32], b3[32], b4[32], b5[32], f[64];
    layer_title(s, i, title, sizeof title);
    size_t k = (size_t)r * L->n_out + j;
    const float *x = net_layer_input(n, ws, i);
    switch (L->kind) {
    case LAYER_DENSE:
        say(t, "Forward, %s: every row of the batch goes through z = W x + b, then %s.", title, act_formula(f, L->act));
        forward_dense(s, t, i, r, j);
        break;
    case LAYER_BATCHNORM:
        say(t, "Forward, %s: normalise each unit over the batch, x_hat = (x - mean)/sqrt(var + %s), then z = gamma*x_hat + beta.",
            title, eps_str(b1, BN_EPS));
        say(t, "unit %d: batch mean = %s, batch var = %s (biased, over %d rows)", j, num(b1, L->batch_mean[j]),
            num(b2, L->batch_var[j]), ws->rows);
        say(t, "x_hat[%d][%d] = (%s - %s)/sqrt(%s + %s) = %s", r, j, num(b1, x[k]), num(b2, L->batch_mean[j]),
            num(b3, L->batch_var[j]), eps_str(f, BN_EPS), num(b4, ws->aux[i][k]));
        say(t, "z[%d][%d] = gamma*x_hat + beta = %s*%s + %s = %s; %s = %s", r, j, num(b1, L->W[j]), par(b2, ws->aux[i][k]),
            par(b3, L->b[j]), num(b4, ws->z[i][k]), act_formula(f, L->act), num(b5, ws->a[i][k]));
        say(t, "running mean <- %s*old + %s*batch mean = %s; running var (unbiased) = %s", num(b3, 1.0 - BN_MOMENTUM),
            num(b4, BN_MOMENTUM), num(b1, L->running_mean[j]), num(b2, L->running_var[j]));
        break;
    case LAYER_LAYERNORM: {
        double mean, var;
        layernorm_row_stats(x + (size_t)r * L->n_out, L->n_out, &mean, &var);
        say(t, "Forward, %s: normalise each row over its %d units, x_hat = (x - mean)/sqrt(var + %s), then z = gamma*x_hat + beta.",
            title, L->n_out, eps_str(b1, LN_EPS));
        say(t, "row %d: mean = %s, var = %s (biased, over its %d units; no other row of the batch enters)", r,
            num(b1, mean), num(b2, var), L->n_out);
        say(t, "x_hat[%d][%d] = (%s - %s)/sqrt(%s + %s) = %s", r, j, num(b1, x[k]), num(b2, mean), num(b3, var),
            eps_str(f, LN_EPS), num(b4, ws->aux[i][k]));
        say(t, "z[%d][%d] = gamma*x_hat + beta = %s*%s + %s = %s; %s = %s", r, j, num(b1, L->W[j]), par(b2, ws->aux[i][k]),
            par(b3, L->b[j]), num(b4, ws->z[i][k]), act_formula(f, L->act), num(b5, ws->a[i][k]));
        say(t, "no running statistics: evaluation normalises each row exactly as training does.");
        break;
    }
    case LAYER_DROPOUT: {
        size_t len = (size_t)ws->rows * L->n_out, kept = 0;
        for (size_t q = 0; q < len; q++)
            kept += ws->aux[i][q] != 0.0f;
        say(t, "Forward, %s: each value is kept with probability %.2g and scaled by 1/(1-p) = %.4g, or set to 0.",
            title, 1.0 - L->p, 1.0 / (1.0 - L->p));
        say(t, "mask[%d][%d] = %s, so a = x*mask = %s*%s = %s", r, j, num(b1, ws->aux[i][k]), par(b2, x[k]),
            num(b3, ws->aux[i][k]), num(b4, ws->a[i][k]));
        say(t, "%zu of %zu values kept this batch (%.0f%%); at evaluation dropout passes everything through.", kept, len,
            100.0 * kept / (len ? len : 1));
        break;
    }
    case LAYER_RESIDUAL_BEGIN:
        say(t, "Forward, %s: the block's input is kept to be added back at its 'residual end'.", title);
        say(t, "a[%d][%d] = x[%d][%d] = %s", r, j, r, j, num(b1, ws->a[i][k]));
        break;
    case LAYER_RESIDUAL_END: {
        const float *skip = ws->a[L->partner];
        say(t, "Forward, %s: output of the block + its input (from layer %d): z = f(x) + x.", title, L->partner);
        say(t, "z[%d][%d] = %s + %s = %s; %s = %s", r, j, num(b1, x[k]), par(b2, skip[k]), num(b3, ws->z[i][k]),
            act_formula(f, L->act), num(b4, ws->a[i][k]));
        break;
    }
    default:
        break;
    }
    const layer_stats *st = &s->t.stats[i];
    char share[80] = ""; /* the same figure the activation panel shows, not a vaguer word */
    if (st->frac_saturated > 0)
        snprintf(share, sizeof share, "; %.0f%% saturated (within %.2f of the output's limits)", 100.0 * st->frac_saturated,
                 1.0 - (double)SATURATION_THRESHOLD);
    else if (st->frac_dead > 0)
        snprintf(share, sizeof share, "; %.0f%% of units dead (0 for every row)", 100.0 * st->frac_dead);
    say(t, "layer %d activations over the batch: min %s, max %s, mean %s, std %s%s", i, num(b1, st->act_min),
        num(b2, st->act_max), num(b3, st->act_mean), num(b4, st->act_std), share);
}

static void loss(const session *s, text *t)
{
    const trainer *tr = &s->t;
    const net *n = &tr->net;
    int last = n->n_layers - 1, K = n->layers[last].n_out, r, j;
    focus(s, last, &r, &j);
    const workspace *ws = &n->train;
    const float *z = ws->z[last] + (size_t)r * K;
    char b1[32], b2[32], b3[32], b4[32];
    int y = tr->labels[r];
    /* with loss scaling the stored dL/dz is S times the formula's: say so in the formula */
    char sc[64] = "";
    if (tr->cfg.loss_scale != 1.0f)
        snprintf(sc, sizeof sc, " x %s (loss_scale)", num(b4, tr->cfg.loss_scale));
    if (n->loss == LOSS_CROSS_ENTROPY) {
        say(t, "Loss: cross-entropy on the logits, L = mean over the %d rows of -log softmax(z)[label].", ws->rows);
        double m = z[0], sum = 0;
        for (int q = 1; q < K; q++)
            m = z[q] > m ? z[q] : m;
        for (int q = 0; q < K; q++)
            sum += exp((double)z[q] - m);
        double p = exp((double)z[y] - m) / sum;
        say(t, "row %d, label %d: p = e^z[%d] / sum_k e^z[k] = %s, loss = -log p = %s", r, y, y, num(b1, p),
            num(b2, ws->sample_loss[r]));
        say(t, "dL/dz = (softmax(z) - onehot(label)) / %d%s: dL/dz[%d][%d] = %s", ws->rows, sc, r, j,
            num(b3, ws->dz[last][(size_t)r * K + j]));
    } else if (n->loss == LOSS_BCE) {
        say(t, "Loss: binary cross-entropy, L = mean of -[y log p + (1-y) log(1-p)] with p = sigmoid(z).");
        double zz = z[j], p = 1.0 / (1.0 + exp(-zz));
        say(t, "row %d: y = %d, p = sigmoid(%s) = %s, loss = %s", r, K == 1 ? y : y == j, num(b1, zz), num(b2, p),
            num(b3, ws->sample_loss[r]));
        say(t, "dL/dz = (p - y) / %d%s = %s", ws->rows * K, sc, num(b1, ws->dz[last][(size_t)r * K + j]));
    } else {
        say(t, "Loss: mean squared error over all %d x %d outputs, L = mean (a - y)^2.", ws->rows, K);
        say(t, "row %d: a[%d] = %s, target %d, dL/da = 2(a - y)/%d%s = %s", r, j, num(b1, ws->a[last][(size_t)r * K + j]),
            K == 1 ? y : y == j, ws->rows * K, sc, num(b2, ws->da[last][(size_t)r * K + j]));
    }
    say(t, "batch loss L = %s; this epoch so far: %ld of %ld rows right (%.1f%%)", num(b1, tr->state.loss), tr->state.epoch_correct,
        tr->state.epoch_seen, tr->state.epoch_seen ? 100.0 * tr->state.epoch_correct / tr->state.epoch_seen : 0.0);
    if (tr->cfg.loss_scale != 1.0f) /* the gradient buffers from here to the update hold S times the gradient */
        say(t, "loss_scale = %s: the gradients are stored %s times larger from here on, so small ones stay above "
               "%s's underflow; the update divides the scale out", num(b1, tr->cfg.loss_scale),
            num(b2, tr->cfg.loss_scale), fp_spec_of(n->precision)->name);
}

static void backward(const session *s, text *t, int i)
{
    const trainer *tr = &s->t;
    const net *n = &tr->net;
    const layer *L = &n->layers[i];
    const workspace *ws = &n->train;
    int r, j;
    focus(s, i, &r, &j);
    size_t k = (size_t)r * L->n_out + j;
    char title[96], b1[32], b2[32], b3[32], b4[32], f[64];
    layer_title(s, i, title, sizeof title);
    say(t, "Backward, %s: from dL/da to dL/dz, then to the parameters and to the layer below.", title);
    bool fused = i == n->n_layers - 1 && loss_is_fused(n->loss, L->act);
    if (fused)
        say(t, "dL/dz comes straight from the loss (softmax/sigmoid fused with it): dL/dz[%d][%d] = %s", r, j,
            num(b1, ws->dz[i][k]));
    else if (L->act == ACT_SOFTMAX)
        say(t, "%s: dL/dz[%d][%d] = %s", deriv_formula(f, L->act), r, j, num(b1, ws->dz[i][k]));
    else
        say(t, "dL/dz = dL/da * f'(z), where %s: dL/dz[%d][%d] = %s * %s = %s", deriv_formula(f, L->act), r, j,
            num(b1, ws->da[i][k]), num(b2, act_derivative(L->act, ws->z[i][k], ws->a[i][k])), num(b3, ws->dz[i][k]));
    if (L->kind == LAYER_DENSE) {
        size_t q = index_of_largest(L->dW + (size_t)j * L->n_in, (size_t)L->n_in);
        say(t, "dL/dW[%d][%zu] = sum over rows of dL/dz[r][%d] * x[r][%zu] = %s; dL/db[%d] = sum of dL/dz[r][%d] = %s", j,
            q, j, q, num(b1, L->dW[(size_t)j * L->n_in + q]), j, j, num(b2, L->db[j]));
        if (i > 0)
            say(t, "dL/da of layer %d += dL/dz * W (the gradient passed down)", i - 1);
    } else if (L->kind == LAYER_BATCHNORM || L->kind == LAYER_LAYERNORM) {
        say(t, "dL/dgamma[%d] = sum dL/dz * x_hat = %s; dL/dbeta[%d] = sum dL/dz = %s", j, num(b1, L->dW[j]), j,
            num(b2, L->db[j]));
    } else if (L->kind == LAYER_RESIDUAL_END) {
        say(t, "the gradient goes both ways: into the block (layer %d) and around it, added into layer %d", i - 1,
            L->partner);
    } else if (L->kind == LAYER_DROPOUT) {
        say(t, "only kept values pass gradient back: dL/dx = dL/da * mask");
    }
    const layer_stats *st = &tr->stats[i];
    if (L->n_params)
        say(t, "|dL/dW, dL/db| = %s for this layer%s", num(b4, st->grad_norm),
            st->grad_norm > HEALTH_EXPLODING_GRAD_NORM ? ": exploding" : "");
    if (L->n_params && tr->cfg.loss_scale != 1.0f)
        say(t, "(that norm is of the true gradient; the values above are loss_scale = %s times it)",
            num(b1, tr->cfg.loss_scale));
}

static void clip(const session *s, text *t)
{
    const trainer *tr = &s->t;
    const clip_info *c = &tr->state.clip;
    char b1[32], b2[32], b3[32], b4[32], b5[32]; /* one buffer per number of a line: each is printed */
    if (tr->cfg.clip == CLIP_NORM) {
        say(t, "Clipping by norm: |g| = sqrt(sum of every squared gradient) = %s", num(b1, c->norm_before));
        if (c->factor < 1.0)
            say(t, "|g| = %s > theta = %s -> g <- g * theta/(|g| + %s) = g * %s; now |g| = %s", num(b1, c->norm_before),
                num(b2, tr->cfg.clip_value), eps_str(b5, CLIP_NORM_EPS), num(b3, c->factor), num(b4, c->norm_after));
        else
            say(t, "|g| = %s <= theta = %s: nothing to do", num(b1, c->norm_before), num(b2, tr->cfg.clip_value));
        int top = 0;
        for (int i = 1; i < tr->net.n_layers; i++)
            top = tr->clip_share[i] > tr->clip_share[top] ? i : top;
        say(t, "layer %d carries %.0f%% of |g|^2", top, 100.0 * tr->clip_share[top]);
    } else {
        char cnt[32];
        say(t, "Clipping by value: every gradient element clamped to [-%s, %s]; %s %s clamped.",
            num(b1, tr->cfg.clip_value), num(b2, tr->cfg.clip_value), count_of(cnt, c->clipped, "element"),
            c->clipped == 1 ? "was" : "were");
    }
}

static void update(const session *s, text *t, int i)
{
    const trainer *tr = &s->t;
    const layer *L = &tr->net.layers[i];
    char title[96], b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], e[32];
    layer_title(s, i, title, sizeof title);
    if (!L->n_params) {
        say(t, "Update, %s: no parameters to update.", title);
        return;
    }
    long j = s->layer == i ? session_selected_param(s) : -1;
    if (j < 0) /* nothing chosen: the weight with the largest gradient */
        j = (long)(L->param_off + index_of_largest(L->dW, L->n_weights));
    param_story p = trainer_param_story(tr, (size_t)j);
    const opt_config *c = &tr->opt.cfg;
    double wd = c->kind == OPT_ADAMW ? 0.0 : c->weight_decay;
    double g = p.grad + wd * p.before, lr = p.lr;
    long local = j - (long)L->param_off;
    char which[48];
    if (local < (long)L->n_weights && L->kind == LAYER_DENSE)
        snprintf(which, sizeof which, "W[%ld][%ld]", local / L->n_in, local % L->n_in);
    else if (local < (long)L->n_weights)
        snprintf(which, sizeof which, "gamma[%ld]", local);
    else
        snprintf(which, sizeof which, "%s[%ld]", L->kind == LAYER_DENSE ? "b" : "beta", local - (long)L->n_weights);
    say(t, "Update, %s, with %s (lr = %s). Following %s:", title, optim_name(c->kind), num(b1, lr), which);
    if (wd > 0)
        say(t, "weight decay: g = dL/dw + lambda*w = %s + %s*%s = %s", num(b1, p.grad), num(b2, wd), par(b3, p.before),
            num(b4, g));
    /* The state before this update is solved back from the one after; on the first update it
     * was exactly 0 (solving back would print rounding noise such as -5.9e-11 instead). */
    bool first = tr->opt.t <= 1;
    switch (c->kind) {
    case OPT_SGD:
        say(t, "w <- w - lr*g = %s - %s*%s = %s", num(b1, p.before), num(b2, lr), par(b3, g), num(b4, p.after));
        break;
    case OPT_MOMENTUM: {
        double v = p.state[0], v0 = c->momentum > 0 && !first ? (v + lr * g) / c->momentum : 0.0;
        say(t, "v <- gamma*v - lr*g = %s*%s - %s*%s = %s", num(b1, c->momentum), par(b2, v0), num(b3, lr), par(b4, g),
            num(b5, v));
        if (c->nesterov)
            say(t, "w <- w + gamma*v - lr*g = %s + %s*%s - %s*%s = %s", num(b1, p.before), num(b2, c->momentum),
                par(b3, v), num(b4, lr), par(b5, g), num(b6, p.after));
        else
            say(t, "w <- w + v = %s + %s = %s", num(b1, p.before), par(b2, v), num(b3, p.after));
        break;
    }
    case OPT_ADAGRAD:
        say(t, "s <- s + g^2 = %s + %s^2 = %s (every squared gradient so far, per parameter)",
            num(b1, first ? 0.0 : p.state[0] - g * g),
            par(b2, g), num(b3, p.state[0]));
        say(t, "w <- w - lr*g/(sqrt(s) + %s) = %s - %s*%s/%s = %s", eps_str(e, c->eps), num(b1, p.before),
            num(b2, lr), par(b3, g), num(b4, sqrt(p.state[0])), num(b5, p.after));
        break;
    case OPT_NORMALIZED:
        say(t, "w <- w - lr*g/|g| = %s - %s*%s/%s = %s (|g| over all parameters)", num(b1, p.before), num(b2, lr),
            par(b3, g), num(b4, tr->opt.gnorm), num(b5, p.after));
        break;
    case OPT_RMSPROP: {
        double s1 = p.state[0], s0 = first ? 0.0 : (s1 - (1 - c->alpha) * g * g) / c->alpha;
        say(t, "s <- alpha*s + (1-alpha)*g^2 = %s*%s + %s*%s^2 = %s", num(b1, c->alpha), num(b2, s0),
            num(b3, 1 - c->alpha), par(b4, g), num(b5, s1));
        say(t, "w <- w - lr*g/(sqrt(s) + %s) = %s - %s*%s/%s = %s", eps_str(e, c->eps), num(b1, p.before),
            num(b2, lr), par(b3, g), num(b4, sqrt(s1)), num(b5, p.after));
        break;
    }
    case OPT_ADAM:
    case OPT_ADAMW: {
        double m = p.state[0], v = p.state[1];
        double m0 = first ? 0.0 : (m - (1 - c->beta1) * g) / c->beta1;
        double v0 = first ? 0.0 : (v - (1 - c->beta2) * g * g) / c->beta2;
        double w = p.before; /* AdamW's Adam step starts from the decayed weight */
        if (c->kind == OPT_ADAMW) {
            w = p.before * (1 - lr * c->weight_decay);
            say(t, "decoupled decay first: w <- w*(1 - lr*lambda) = %s*%s = %s", num(b1, p.before),
                num(b2, 1 - lr * c->weight_decay), num(b3, w));
        }
        say(t, "m <- b1*m + (1-b1)*g = %s*%s + %s*%s = %s", num(b1, c->beta1), par(b2, m0), num(b3, 1 - c->beta1),
            par(b4, g), num(b5, m));
        say(t, "v <- b2*v + (1-b2)*g^2 = %s*%s + %s*%s^2 = %s", num(b1, c->beta2), num(b2, v0), num(b3, 1 - c->beta2),
            par(b4, g), num(b5, v));
        say(t, "m_hat = m/(1 - b1^%ld) = %s, v_hat = v/(1 - b2^%ld) = %s", tr->opt.t, num(b1, p.m_hat), tr->opt.t,
            num(b2, p.v_hat));
        say(t, "w <- w - lr*m_hat/(sqrt(v_hat) + %s) = %s - %s*%s/(%s + %s) = %s", eps_str(e, c->eps), num(b1, w),
            num(b2, lr), par(b3, p.m_hat), num(b4, sqrt(p.v_hat)), eps_str(e, c->eps), num(b5, p.after));
        break;
    }
    default:
        break;
    }
    if (p.master) /* the optimizer's numbers above are the fp32 copy's */
        say(t, "master=fp32: that is the fp32 copy; the net computes with its %s rounding, %s -> %s",
            fp_spec_of(tr->net.precision)->name, num(b1, p.stored_before), num(b2, p.stored_after));
    if (isfinite(p.step_over_lr_grad))
        say(t, "effective step: dw = %s = %s * lr * dL/dw", num(b1, p.delta), num(b2, p.step_over_lr_grad));
    const layer_stats *st = &tr->stats[i];
    if (st->lost_updates > 0) /* bf16, fp16: the trainer counts them as it rounds the weights */
        say(t, "%s of this layer %s lost to rounding in %s: w + dw rounds back to w (dw is at most half the gap "
               "between %s numbers near w)", count_of(e, st->lost_updates, "update"),
            st->lost_updates == 1 ? "was" : "were", fp_spec_of(tr->net.precision)->name,
            fp_spec_of(tr->net.precision)->name);
    if (isfinite(st->update_ratio))
        say(t, "update-to-weight ratio of the layer: 10^%.2f (healthy is about 10^-3)", (double)st->update_ratio);
}

int narrate(const session *s, char out[NARRATE_LINES][NARRATE_COLS])
{
    text t = {out, 0};
    const trainer *tr = &s->t;
    char b1[32], b2[32], b3[32], b4[32];
    if (tr->state.div.happened) {
        say(&t, "Training stopped: a value became NaN or Inf.");
        say(&t, "%s", tr->state.div.message);
        return t.n;
    }
    if (!s->has_last) {
        if (tr->state.micro == 0)
            say(&t, "Nothing has happened yet. Press n (or Space) to take the first micro-step: load a batch.");
        else
            say(&t, "At step %ld. Press n for the next micro-step: %s.", tr->state.step, phase_name(tr->state.next_phase));
        return t.n;
    }
    const trainer_event *ev = &s->last;
    switch (ev->phase) {
    case PHASE_LOAD_BATCH: {
        int j = s->buf == BUF_INPUT && s->layer == 0 ? s->col : 0, r = s->buf == BUF_INPUT && s->layer == 0 ? s->row : 0;
        r = r < tr->net.train.rows ? r : 0;
        say(&t, "Load batch %d of %d (epoch %d): %d rows%s.", ev->batch, tr->batches_per_epoch, ev->epoch,
            tr->net.train.rows, tr->cfg.normalize == NORM_NONE ? ", the features as the file has them (normalize = none)"
                                                              : ", each normalised feature by feature as it is gathered");
        say(&t, "row %d: label %d, x[%d] = %s%s", r, tr->labels[r], j, num(b1, tr->net.train.x[(size_t)r * tr->net.n_in + j]),
            tr->cfg.shuffle ? " (rows shuffled each epoch)" : " (rows in file order)");
        say(&t, "learning rate for this step: %s", num(b1, tr->state.lr));
        break;
    }
    case PHASE_FORWARD: forward(s, &t, ev->layer); break;
    case PHASE_LOSS: loss(s, &t); break;
    case PHASE_BACKWARD: backward(s, &t, ev->layer); break;
    case PHASE_CLIP: clip(s, &t); break;
    case PHASE_UPDATE: update(s, &t, ev->layer); break;
    case PHASE_END_BATCH: {
        char health[NARRATE_COLS] = "";
        for (int i = 0; i < tr->net.n_layers; i++) {
            char one[24];
            snprintf(one, sizeof one, "%s%d:%s", i ? " " : "", i, health_name(tr->stats[i].health));
            strncat(health, one, sizeof health - strlen(health) - 1);
        }
        say(&t, "Step %ld done (epoch %d, batch %d of %d): batch loss %s.", tr->state.step, ev->epoch, ev->batch,
            tr->batches_per_epoch, num(b1, tr->state.loss));
        say(&t, "layer health: %s", health);
        break;
    }
    case PHASE_END_EPOCH: {
        const epoch_metrics *m = &tr->state.last_epoch;
        say(&t, "Epoch %d done: train loss %s, train accuracy %.1f%%.", m->epoch, num(b1, m->train_loss),
            100.0 * m->train_acc);
        if (m->has_val)
            say(&t, "validation (held-out rows, eval mode): loss %s, accuracy %.1f%%", num(b2, m->val_loss),
                100.0 * m->val_acc);
        if (!isnan(m->test_acc)) /* measured every epoch for the learner; nothing is chosen by it */
            say(&t, "test (held out, never used to choose anything): loss %s, accuracy %.1f%%", num(b2, m->test_loss),
                100.0 * m->test_acc);
        if (trainer_done(tr)) /* no epoch follows: there is no next learning rate to show */
            say(&t, "that was the last epoch (its learning rate: %s)", num(b3, m->lr));
        else
            say(&t, "next epoch's learning rate: %s", num(b3, trainer_lr_at(tr, tr->state.step, tr->state.epoch)));
        if (tr->state.early.stopped)
            say(&t, "early stop: no improvement for %d epochs; restored the weights of epoch %d (val loss %s)",
                tr->cfg.early_stop, tr->state.early.best_epoch, num(b4, tr->state.early.best_val_loss));
        break;
    }
    default:
        say(&t, "Training is finished: %s, %s. Press R to start again.", count_of(b1, tr->state.step, "step"),
            count_of(b2, tr->state.epoch, "epoch"));
        break;
    }
    if (trainer_done(tr) && ev->phase != PHASE_DONE && t.n < NARRATE_LINES)
        say(&t, "Training is finished (%s). Press R to start again.", count_of(b1, tr->state.step, "step"));
    /* Last, the same step in PyTorch, as `deepstep export --torch` writes it in train.py: the
     * bridge from the lesson's terms to the code a learner will write next. Kept below the
     * other lines' cap, so it is never the line that falls off. */
    char py[NARRATE_COLS];
    if (ev->phase != PHASE_DONE && torch_step_line(tr, ev->phase, ev->layer, py, sizeof py)[0]) {
        if (t.n >= NARRATE_LINES)
            t.n = NARRATE_LINES - 1;
        say(&t, "PyTorch: %s", py);
    }
    return t.n;
}
