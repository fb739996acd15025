#include "trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "schedule.h"

#define EVAL_ROWS 512

static const char *const phase_names[PHASE_COUNT] = {
    "load batch", "forward", "loss", "backward", "clip", "update", "end of batch", "end of epoch", "done"};

const char *phase_name(trainer_phase p) { return (p >= 0 && p < PHASE_COUNT) ? phase_names[p] : "?"; }

int trainer_create(trainer *t, const train_config *cfg, const dataset *data, const split *sp, int member,
                   int epochs_override, long max_steps, ds_error *err)
{
    memset(t, 0, sizeof *t);
    int n_train = sp->n_train;
    if (n_train < 1) { /* the loaders refuse empty data; this guards the divisions below */
        err_set(err, NULL, 0, "no training rows");
        return TRAINER_BAD_DATA;
    }
    t->cfg = *cfg;
    t->data = data;
    t->split = sp;
    t->batch_size = cfg->batch == 0 || cfg->batch > n_train ? n_train : cfg->batch;
    t->batches_per_epoch = (n_train + t->batch_size - 1) / t->batch_size;
    t->epochs = epochs_override > 0 ? epochs_override : cfg->epochs;
    t->max_steps = max_steps;
    int eval_cap = EVAL_ROWS;
    /* err->line stays net_create's 1-based layer index: the caller knows where that layer is. */
    if (net_create(&t->net, data->d, cfg->layers, cfg->n_layers, cfg->loss, t->batch_size, eval_cap, err) != 0) {
        memset(t, 0, sizeof *t);
        return TRAINER_BAD_LAYER;
    }
    uint64_t seed = cfg->seed + (uint64_t)member;
    rng init_rng;
    rng_seed(&init_rng, seed, RNG_STREAM_INIT);
    net_init_params(&t->net, &init_rng);
    rng_seed(&t->net.dropout_rng, seed, RNG_STREAM_DROPOUT);
    t->net.precision = cfg->precision;
    if (cfg->master_fp32 && cfg->precision != FP32) {
        t->master = xcalloc(2 * t->net.n_params, sizeof(float));
        t->master_prev = t->master + t->net.n_params;
    }
    trainer_apply_precision(t);
    optim_init(&t->opt, &cfg->opt, t->net.n_params);
    rng_seed(&t->state.shuffle_rng, seed, RNG_STREAM_SHUFFLE);
    if (cfg->early_stop > 0) {
        t->best_params = xcalloc(t->net.n_params, sizeof(float));
        t->best_buffers = xcalloc(t->net.n_buffers, sizeof(float));
        t->state.early.best_val_loss = INFINITY;
    }
    t->order = xcalloc((size_t)n_train, sizeof(int));
    t->labels = xcalloc((size_t)t->batch_size, sizeof(int));
    t->eval_labels = xcalloc(EVAL_ROWS, sizeof(int));
    t->stats = xcalloc((size_t)cfg->n_layers, sizeof(layer_stats));
    t->clip_share = xcalloc((size_t)cfg->n_layers, sizeof(float));
    t->state.next_phase = PHASE_LOAD_BATCH;
    t->state.lr = trainer_lr_at(t, 0, 0);
    t->state.last_epoch.test_loss = t->state.last_epoch.test_acc = NAN;
    return 0;
}

void trainer_apply_precision(trainer *t)
{
    net *n = &t->net;
    if (t->master) { /* the weights as initialised or loaded are the fp32 copy */
        memcpy(t->master, n->params, n->n_params * sizeof(float));
        memcpy(t->master_prev, n->params, n->n_params * sizeof(float));
    }
    fp_round_array(n->params, n->n_params, n->precision);
    fp_round_array(n->buffers, n->n_buffers, n->precision);
    memcpy(n->params_prev, n->params, n->n_params * sizeof(float));
}

void trainer_set_param(trainer *t, size_t j, float v)
{
    if (j >= t->net.n_params)
        return;
    if (t->master)
        t->master[j] = v;
    t->net.params[j] = fp_round_f(v, t->net.precision);
}

void trainer_destroy(trainer *t)
{
    net_destroy(&t->net);
    optim_free(&t->opt);
    free(t->order);
    free(t->labels);
    free(t->eval_labels);
    free(t->stats);
    free(t->clip_share);
    free(t->best_params);
    free(t->best_buffers);
    free(t->master);
    memset(t, 0, sizeof *t);
}

bool trainer_done(const trainer *t) { return t->state.next_phase == PHASE_DONE; }

void trainer_epoch_orders(const trainer *t, int epochs, int *out)
{
    rng r = t->state.shuffle_rng; /* a copy: the trainer's own stream is left where it is */
    int n = t->split->n_train;
    for (int e = 0; e < epochs; e++) {
        int *o = out + (size_t)e * n;
        /* positions, not row numbers: a shuffle moves values without looking at them, so the
         * permutation is the one do_load_batch applies to split->train */
        for (int k = 0; k < n; k++)
            o[k] = k;
        if (t->cfg.shuffle)
            rng_shuffle(&r, o, n);
    }
}

float trainer_lr_at(const trainer *t, long step, int epoch)
{
    return (float)schedule_lr(&t->cfg, step, epoch, t->epochs,
                              schedule_total_steps(t->epochs, t->batches_per_epoch, t->max_steps));
}

/* ---- divergence ------------------------------------------------------------------ */

/* Index of the first NaN or Inf, -1 if none. x - x is 0 for every finite x and NaN
 * otherwise, so eight vectorisable partial sums find out whether to look at all. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
__attribute__((target_clones("avx512f", "arch=haswell", "default")))
#endif
static long first_nonfinite(const float *v, size_t n)
{
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++)
            acc[j] += v[i + j] - v[i + j];
    float s = 0;
    for (int j = 0; j < 16; j++)
        s += acc[j];
    for (; i < n; i++)
        s += v[i] - v[i];
    if (s == 0.0f)
        return -1;
    for (i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return (long)i;
    return -1;
}

static const char *advice(trainer_phase p)
{
    switch (p) {
    case PHASE_FORWARD:
        return "activations grew past the float range: the weights are too large (a smaller learning rate, "
               "gradient clipping or a smaller init keeps them in range)";
    case PHASE_LOSS:
        return "the loss is not a finite number";
    case PHASE_BACKWARD:
    case PHASE_CLIP:
        return "gradients overflowed: they grow layer by layer when weights are large (try gradient clipping "
               "or a smaller learning rate)";
    default:
        return "the update pushed weights past the float range: the learning rate is too large for these "
               "gradients (lower it, or clip the gradients)";
    }
}

/* The phase as the divergence message says it: "the forward pass of layer 2 made ..." */
static const char *phase_phrase(trainer_phase p)
{
    switch (p) {
    case PHASE_FORWARD: return "forward pass";
    case PHASE_BACKWARD: return "backward pass";
    case PHASE_CLIP: return "gradient clipping";
    case PHASE_UPDATE: return "update";
    case PHASE_LOSS: return "loss";
    default: return phase_name(p);
    }
}

static bool check(trainer *t, const float *v, size_t n, int width, const char *what, int layer_index)
{
    long k = first_nonfinite(v, n);
    if (k < 0)
        return false;
    divergence *d = &t->state.div;
    d->happened = true;
    d->step = t->state.step;
    d->epoch = t->state.epoch + 1;
    d->batch = t->state.batch + 1;
    d->layer = layer_index;
    d->phase = t->state.next_phase;
    snprintf(d->what, sizeof d->what, "%s", what);
    d->row = width > 0 ? k / width : -1;
    d->col = width > 0 ? k % width : k;
    d->value = v[k];
    char where[64];
    if (width > 0)
        snprintf(where, sizeof where, "%s[%ld][%ld]", what, d->row, d->col);
    else
        snprintf(where, sizeof where, "%s[%ld]", what, d->col);
    char layer_txt[32] = "";
    if (layer_index >= 0)
        snprintf(layer_txt, sizeof layer_txt, " of layer %d", layer_index);
    snprintf(d->message, sizeof d->message,
             "training diverged at step %ld (epoch %d, batch %d): the %s%s made %s = %s; %s",
             t->state.step + 1, d->epoch, d->batch, phase_phrase(d->phase), layer_txt, where,
             isnan(d->value) ? "nan" : (d->value > 0 ? "inf" : "-inf"), advice(d->phase));
    return true;
}

/* ---- micro-steps ------------------------------------------------------------------ */

static void do_load_batch(trainer *t)
{
    if (t->state.batch == 0) {
        memcpy(t->order, t->split->train, (size_t)t->split->n_train * sizeof(int));
        if (t->cfg.shuffle)
            rng_shuffle(&t->state.shuffle_rng, t->order, t->split->n_train);
        t->state.epoch_loss_sum = 0.0;
        t->state.epoch_seen = t->state.epoch_correct = 0;
        t->state.lr = trainer_lr_at(t, t->state.step, t->state.epoch);
    }
    int start = t->state.batch * t->batch_size;
    int rows = t->split->n_train - start < t->batch_size ? t->split->n_train - start : t->batch_size;
    workspace *ws = &t->net.train;
    ws->rows = rows;
    dataset_gather(t->data, t->order + start, rows, ws->x, t->labels);
    fp_round_array(ws->x, (size_t)rows * t->net.n_in, t->net.precision);
    t->state.lr = trainer_lr_at(t, t->state.step, t->state.epoch);
}

static void do_loss(trainer *t)
{
    net *n = &t->net;
    workspace *ws = &n->train;
    net_zero_grad(n, ws);
    t->state.unscaled = false; /* until here the gradients are the last step's, unscaled */
    t->state.loss = net_loss(n, ws, t->labels, true);
    int lastl = n->n_layers - 1;
    size_t len = (size_t)ws->rows * n->layers[lastl].n_out;
    float S = t->cfg.loss_scale;
    if (S != 1.0f) /* static loss scaling: small gradients stay above the format's underflow */
        for (size_t k = 0; k < len; k++)
            ws->da[lastl][k] *= S, ws->dz[lastl][k] *= S;
    fp_round_array(ws->da[lastl], len, n->precision);
    fp_round_array(ws->dz[lastl], len, n->precision);
    int last = n->n_layers - 1, K = n->layers[last].n_out;
    long correct = 0;
    for (int r = 0; r < ws->rows; r++)
        correct += loss_predict(n->loss, n->layers[last].act, ws->z[last] + (size_t)r * K,
                                ws->a[last] + (size_t)r * K, K) == t->labels[r];
    t->state.epoch_loss_sum += t->state.loss * ws->rows;
    t->state.epoch_seen += ws->rows;
    t->state.epoch_correct += correct;
}

static double global_norm(const float *g, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)g[i] * g[i];
    return sqrt(s);
}

/* Divide the loss scale out of the gradients, in fp32, once per step. */
static void unscale(trainer *t)
{
    if (t->state.unscaled)
        return;
    t->state.unscaled = true;
    float S = t->cfg.loss_scale;
    if (S == 1.0f)
        return;
    for (size_t i = 0; i < t->net.n_params; i++)
        t->net.grads[i] /= S;
}

static void do_clip(trainer *t)
{
    unscale(t);
    net *n = &t->net;
    clip_info *c = &t->state.clip;
    c->norm_before = global_norm(n->grads, n->n_params);
    for (int i = 0; i < n->n_layers; i++) {
        const layer *L = &n->layers[i];
        double sq = global_norm(L->dW, L->n_params);
        t->clip_share[i] = c->norm_before > 0 ? (float)(sq * sq / (c->norm_before * c->norm_before)) : 0.0f;
    }
    c->factor = 1.0;
    c->clipped = 0;
    if (t->cfg.clip == CLIP_NORM) {
        /* torch.nn.utils.clip_grad_norm_: coef = max_norm / (norm + 1e-6), clamped to 1 */
        double coef = t->cfg.clip_value / (c->norm_before + CLIP_NORM_EPS);
        if (coef < 1.0) {
            c->factor = coef;
            for (size_t i = 0; i < n->n_params; i++)
                n->grads[i] = (float)(n->grads[i] * coef);
        }
    } else if (t->cfg.clip == CLIP_VALUE) {
        float v = t->cfg.clip_value;
        for (size_t i = 0; i < n->n_params; i++) {
            float g = n->grads[i];
            if (g > v || g < -v) {
                n->grads[i] = g > v ? v : -v;
                c->clipped++;
            }
        }
    }
    c->norm_after = global_norm(n->grads, n->n_params);
    /* t->stats keep the raw (pre-clip) gradient norms: that is what explodes; the clip
     * factor says what was done about it. */
}

static void do_update(trainer *t, int i)
{
    net *n = &t->net;
    layer *L = &n->layers[i];
    if (i == 0) {
        unscale(t);
        optim_begin(&t->opt, n->grads, n->n_params);
    }
    memcpy(L->W_prev, L->W, L->n_params * sizeof(float));
    long lost = 0;
    if (t->master) {
        /* The update goes to the fp32 copy, where a step below half the format's ulp still
         * counts; the net computes with its rounding. The optimizer state stays in fp32. */
        if (L->n_params > 0) {
            memcpy(t->master_prev + L->param_off, t->master + L->param_off, L->n_params * sizeof(float));
            optim_update(&t->opt, t->master, n->grads, L->param_off, L->n_params, t->state.lr);
            memcpy(L->W, t->master + L->param_off, L->n_params * sizeof(float));
            fp_round_array(L->W, L->n_params, n->precision);
        }
    } else if (L->n_params > 0)
        optim_update(&t->opt, n->params, n->grads, L->param_off, L->n_params, t->state.lr);
    if (n->precision != FP32 && !t->master) { /* store in the format; count the updates rounding swallowed */
        for (size_t k = 0; k < L->n_params; k++) {
            float intended = L->W[k], stored = (float)fp_round(intended, n->precision);
            lost += intended != L->W_prev[k] && stored == L->W_prev[k];
            L->W[k] = stored;
        }
        if (t->opt.s1)
            fp_round_array(t->opt.s1 + L->param_off, L->n_params, n->precision);
        if (t->opt.s2)
            fp_round_array(t->opt.s2 + L->param_off, L->n_params, n->precision);
    }
    t->stats[i].lost_updates = lost;
    if (!t->no_stats)
        stats_update(&t->stats[i], n, i);
}

static void do_end_epoch(trainer *t)
{
    epoch_metrics *m = &t->state.last_epoch;
    m->epoch = t->state.epoch + 1;
    m->train_loss = t->state.epoch_seen ? t->state.epoch_loss_sum / t->state.epoch_seen : NAN;
    m->train_acc = t->state.epoch_seen ? (double)t->state.epoch_correct / t->state.epoch_seen : NAN;
    m->lr = t->state.lr;
    m->has_val = t->split->n_val > 0;
    if (m->has_val)
        trainer_evaluate(t, t->split->val, t->split->n_val, &m->val_loss, &m->val_acc);
    else
        m->val_loss = m->val_acc = NAN;
    if (t->split->n_test > 0)
        trainer_evaluate(t, t->split->test, t->split->n_test, &m->test_loss, &m->test_acc);
    else
        m->test_loss = m->test_acc = NAN;
    early_stop_state *e = &t->state.early;
    if (t->cfg.early_stop > 0 && m->has_val) {
        if (m->val_loss < e->best_val_loss) {
            e->best_val_loss = m->val_loss;
            e->best_epoch = m->epoch;
            e->epochs_since_best = 0;
            /* with master weights the fp32 copy is the weights; the net's copy is its rounding */
            memcpy(t->best_params, t->master ? t->master : t->net.params, t->net.n_params * sizeof(float));
            memcpy(t->best_buffers, t->net.buffers, t->net.n_buffers * sizeof(float));
        } else if (++e->epochs_since_best >= t->cfg.early_stop) {
            e->stopped = true;
            memcpy(t->net.params, t->best_params, t->net.n_params * sizeof(float));
            if (t->master) {
                memcpy(t->master, t->best_params, t->net.n_params * sizeof(float));
                fp_round_array(t->net.params, t->net.n_params, t->net.precision);
            }
            memcpy(t->net.buffers, t->best_buffers, t->net.n_buffers * sizeof(float));
            trainer_evaluate(t, t->split->val, t->split->n_val, &e->restored_val_loss, &e->restored_val_acc);
            e->restored_test_loss = e->restored_test_acc = NAN;
            if (t->split->n_test > 0)
                trainer_evaluate(t, t->split->test, t->split->n_test, &e->restored_test_loss, &e->restored_test_acc);
        }
    }
}

/* Runs the micro-step under the cursor; fills ev; returns true when it diverged. */
static bool run_micro(trainer *t, trainer_event *ev)
{
    net *n = &t->net;
    workspace *ws = &n->train;
    int i = t->state.next_layer, L = n->n_layers;
    ev->phase = t->state.next_phase;
    ev->layer = -1;
    bool bad = false;
    switch (t->state.next_phase) {
    case PHASE_LOAD_BATCH:
        do_load_batch(t);
        ev->touched = TOUCH_INPUT;
        break;
    case PHASE_FORWARD:
        net_forward_layer(n, ws, i, true);
        if (!t->no_stats)
            stats_activations(&t->stats[i], n, ws, i);
        ev->layer = i;
        ev->touched = TOUCH_Z | TOUCH_A;
        /* z is enough: every activation here maps finite z to finite a */
        bad = check(t, ws->z[i], (size_t)ws->rows * n->layers[i].n_out, n->layers[i].n_out, "z", i);
        break;
    case PHASE_LOSS: {
        do_loss(t);
        ev->touched = TOUCH_LOSS | TOUCH_DA | (loss_is_fused(n->loss, n->layers[L - 1].act) ? TOUCH_DZ : 0);
        float lv = (float)t->state.loss;
        bad = check(t, &lv, 1, 0, "loss", -1);
        break;
    }
    case PHASE_BACKWARD:
        net_backward_layer(n, ws, i);
        if (!t->no_stats) /* the norm of the gradient the update will use, not of the scaled one */
            stats_gradients(&t->stats[i], n, i, t->state.unscaled ? 1.0f : t->cfg.loss_scale);
        t->stats[i].frac_underflow = n->layers[i].n_params
                                         ? (float)n->layers[i].grad_underflow / (float)n->layers[i].n_params
                                         : NAN;
        ev->layer = i;
        ev->touched = TOUCH_DZ | TOUCH_GRADS | (i > 0 ? TOUCH_DA : 0);
        bad = check(t, ws->dz[i], (size_t)ws->rows * n->layers[i].n_out, n->layers[i].n_out, "dL/dz", i) ||
              check(t, n->layers[i].dW, n->layers[i].n_params, 0, "dW", i);
        break;
    case PHASE_CLIP:
        do_clip(t);
        ev->touched = TOUCH_GRADS;
        break;
    case PHASE_UPDATE:
        do_update(t, i);
        ev->layer = i;
        ev->touched = TOUCH_PARAMS | TOUCH_OPT_STATE;
        bad = check(t, n->layers[i].W, n->layers[i].n_params, 0, "W", i);
        break;
    case PHASE_END_BATCH:
        if (!t->no_stats)
            stats_classify(t->stats, n);
        ev->touched = TOUCH_METRICS;
        break;
    case PHASE_END_EPOCH:
        do_end_epoch(t);
        ev->touched = TOUCH_METRICS;
        break;
    default:
        break;
    }
    return bad;
}

static void advance_cursor(trainer *t)
{
    int L = t->net.n_layers;
    switch (t->state.next_phase) {
    case PHASE_LOAD_BATCH:
        t->state.next_phase = PHASE_FORWARD, t->state.next_layer = 0;
        break;
    case PHASE_FORWARD:
        if (++t->state.next_layer == L)
            t->state.next_phase = PHASE_LOSS;
        break;
    case PHASE_LOSS:
        t->state.next_phase = PHASE_BACKWARD, t->state.next_layer = L - 1;
        break;
    case PHASE_BACKWARD:
        if (t->state.next_layer-- == 0) {
            t->state.next_phase = t->cfg.clip != CLIP_NONE ? PHASE_CLIP : PHASE_UPDATE;
            t->state.next_layer = 0;
        }
        break;
    case PHASE_CLIP:
        t->state.next_phase = PHASE_UPDATE, t->state.next_layer = 0;
        break;
    case PHASE_UPDATE:
        if (++t->state.next_layer == L) {
            t->state.step++;
            t->state.next_phase = PHASE_END_BATCH;
        }
        break;
    case PHASE_END_BATCH:
        if (t->state.batch + 1 == t->batches_per_epoch)
            t->state.next_phase = PHASE_END_EPOCH;
        else if (t->max_steps > 0 && t->state.step >= t->max_steps)
            t->state.next_phase = PHASE_DONE;
        else
            t->state.batch++, t->state.next_phase = PHASE_LOAD_BATCH;
        break;
    case PHASE_END_EPOCH:
        t->state.epoch++;
        t->state.batch = 0;
        /* A step budget (--steps N) replaces the epoch count: N updates exactly, running past
         * `epochs` if need be (schedules keep following their formula). */
        if ((t->max_steps > 0 ? t->state.step >= t->max_steps : t->state.epoch >= t->epochs) || t->state.early.stopped)
            t->state.next_phase = PHASE_DONE;
        else
            t->state.next_phase = PHASE_LOAD_BATCH;
        break;
    default:
        break;
    }
}

trainer_event trainer_step(trainer *t, step_size size)
{
    trainer_event ev;
    memset(&ev, 0, sizeof ev);
    ev.phase = PHASE_DONE;
    ev.layer = -1;
    while (t->state.next_phase != PHASE_DONE) {
        ev.epoch = t->state.epoch + 1;
        ev.batch = t->state.batch + 1;
        bool bad = run_micro(t, &ev);
        ev.loss = t->state.loss;
        ev.lr = t->state.lr;
        if (bad) {
            ev.diverged = true;
            ev.step = t->state.step;
            t->state.next_phase = PHASE_DONE;
            return ev;
        }
        trainer_phase done = ev.phase;
        t->state.micro++;
        advance_cursor(t);
        ev.step = t->state.step;
        if (size == STEP_MICRO || (size == STEP_BATCH && done == PHASE_END_BATCH) ||
            (size == STEP_EPOCH && done == PHASE_END_EPOCH) || t->state.next_phase == PHASE_DONE)
            break;
    }
    return ev;
}

param_story trainer_param_story(const trainer *t, size_t j)
{
    param_story p;
    memset(&p, 0, sizeof p);
    const net *n = &t->net;
    p.layer = -1;
    for (int i = 0; i < n->n_layers; i++)
        if (j >= n->layers[i].param_off && j < n->layers[i].param_off + n->layers[i].n_params)
            p.layer = i;
    p.stored_before = n->params_prev[j];
    p.stored_after = n->params[j];
    p.master = t->master != NULL;
    p.before = p.master ? t->master_prev[j] : p.stored_before;
    p.after = p.master ? t->master[j] : p.stored_after;
    p.grad = n->grads[j];
    p.delta = p.after - p.before;
    p.lr = t->state.lr;
    p.step_over_lr_grad = p.grad != 0.0 && p.lr != 0.0 ? p.delta / (p.lr * p.grad) : NAN;
    const optimizer *o = &t->opt;
    for (int k = 0; k < 2; k++) {
        p.state_name[k] = optim_state_name(o->cfg.kind, k);
        const float *s = k == 0 ? o->s1 : o->s2;
        p.state[k] = s ? s[j] : NAN;
    }
    p.m_hat = o->s2 ? optim_m_hat(o, j) : NAN;
    p.v_hat = o->s2 ? optim_v_hat(o, j) : NAN;
    return p;
}
