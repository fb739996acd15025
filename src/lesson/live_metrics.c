/* live_metrics.c - the values an ask block reads from a run in progress (live_metrics.h). */
#include "live_metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- when a value exists ----------------------------------------------------------------- */

/* Where the cursor is against a layer's micro-step of `phase`: has it run in this batch? */
static bool ran(const trainer *t, trainer_phase phase, int li)
{
    const trainer_state *s = &t->state;
    if (s->next_phase == PHASE_LOAD_BATCH) /* between batches: the finished one's values */
        return s->micro > 0;
    if (s->next_phase != phase)
        return s->next_phase > phase;
    if (li < 0) /* every layer's: the phase is over only when the cursor has left it */
        return false;
    return phase == PHASE_BACKWARD ? s->next_layer < li : s->next_layer > li;
}

bool live_known(const trainer *t, live_stage stage, int li)
{
    switch (stage) {
    case LIVE_FORWARD: return ran(t, PHASE_FORWARD, li);
    case LIVE_LOSS: return ran(t, PHASE_LOSS, -1) || t->state.next_phase == PHASE_BACKWARD;
    case LIVE_BACKWARD: return ran(t, PHASE_BACKWARD, li);
    case LIVE_CLIP: return t->cfg.clip != CLIP_NONE && ran(t, PHASE_CLIP, -1);
    case LIVE_UPDATE: return ran(t, PHASE_UPDATE, li);
    case LIVE_EPOCH: return t->state.last_epoch.epoch > 0;
    default: return true;
    }
}

static const char *why_unknown(live_stage stage)
{
    switch (stage) {
    case LIVE_FORWARD: return "the layer's forward micro-step has not run in this batch";
    case LIVE_LOSS: return "the loss micro-step has not run in this batch";
    case LIVE_BACKWARD: return "the backward micro-step has not run in this batch";
    case LIVE_CLIP: return "no clip micro-step has run in this batch (is clipping on?)";
    case LIVE_UPDATE: return "the layer's update micro-step has not run in this batch";
    case LIVE_EPOCH: return "no epoch has ended yet";
    default: return "";
    }
}

/* ---- the run's ------------------------------------------------------------------------ */

static double r_loss(const trainer *t, int l) { (void)l; return t->state.loss; }
static double r_lr(const trainer *t, int l) { (void)l; return t->state.lr; }
static double r_step(const trainer *t, int l) { (void)l; return (double)t->state.step; }
static double r_epoch(const trainer *t, int l) { (void)l; return t->state.epoch + 1; }
static double r_batch(const trainer *t, int l) { (void)l; return t->state.batch + 1; }
static double r_diverged(const trainer *t, int l) { (void)l; return t->state.div.happened; }

/* The whole gradient's L2 norm, unscaled, as clipping measures it (the layers' norms combined). */
static double r_grad_norm(const trainer *t, int l)
{
    (void)l;
    double s = 0;
    for (int i = 0; i < t->net.n_layers; i++)
        s += (double)t->stats[i].grad_norm * t->stats[i].grad_norm;
    return sqrt(s);
}

static double r_clip_before(const trainer *t, int l) { (void)l; return t->state.clip.norm_before; }
static double r_clip_after(const trainer *t, int l) { (void)l; return t->state.clip.norm_after; }
static double r_clip_factor(const trainer *t, int l) { (void)l; return t->state.clip.factor; }
static double r_clip_clipped(const trainer *t, int l) { (void)l; return (double)t->state.clip.clipped; }

/* The last finished epoch's numbers. */
static double r_train_loss(const trainer *t, int l) { (void)l; return t->state.last_epoch.train_loss; }
static double r_train_acc(const trainer *t, int l) { (void)l; return t->state.last_epoch.train_acc; }
static double r_val_loss(const trainer *t, int l) { (void)l; return t->state.last_epoch.val_loss; }
static double r_val_acc(const trainer *t, int l) { (void)l; return t->state.last_epoch.val_acc; }
static double r_test_loss(const trainer *t, int l) { (void)l; return t->state.last_epoch.test_loss; }
static double r_test_acc(const trainer *t, int l) { (void)l; return t->state.last_epoch.test_acc; }

/* ---- a layer's ------------------------------------------------------------------------ */

#define STAT(fn, expr)                                                                                               \
    static double fn(const trainer *t, int l)                                                                        \
    {                                                                                                                \
        const layer_stats *s = &t->stats[l];                                                                         \
        return (double)(expr);                                                                                       \
    }
STAT(l_grad_norm, s->grad_norm)
STAT(l_update_ratio, s->update_ratio)
STAT(l_act_min, s->act_min)
STAT(l_act_max, s->act_max)
STAT(l_act_mean, s->act_mean)
STAT(l_act_std, s->act_std)
STAT(l_dz_std, s->dz_std)
STAT(l_frac_saturated, s->frac_saturated)
STAT(l_frac_dead, s->frac_dead)
STAT(l_lost_updates, s->lost_updates)
STAT(l_frac_underflow, s->frac_underflow)
STAT(l_health, s->health)
#undef STAT

/* ||W, b|| as the statistics compute it (stats.c), from the weights themselves: they exist
 * before the first update computes the statistic. */
static double l_weight_norm(const trainer *t, int l)
{
    const layer *ly = &t->net.layers[l];
    if (ly->n_weights == 0) /* as stats_update: nothing to measure */
        return NAN;
    double s = 0;
    for (size_t k = 0; k < ly->n_params; k++)
        s += (double)ly->W[k] * ly->W[k];
    return sqrt(s);
}

/* The largest |v - minus| (minus may be NULL) over the layer's parameters, W then b. */
static double largest(const trainer *t, int l, const float *v, const float *minus)
{
    const layer *ly = &t->net.layers[l];
    double m = 0;
    for (size_t k = 0; k < ly->n_params; k++) {
        double x = fabs((double)v[ly->param_off + k] - (minus ? (double)minus[ly->param_off + k] : 0.0));
        if (x > m || isnan(x))
            m = x;
    }
    return m;
}

/* The weights the optimizer updates: with master weights the fp32 copy (as the Inspector
 * shows it), not its rounding to bf16/fp16, whose steps are whole ulps. */
static const float *weights(const trainer *t) { return t->master ? t->master : t->net.params; }
static const float *weights_before(const trainer *t) { return t->master ? t->master_prev : t->net.params_prev; }

/* The last update's largest step |w_after - w_before| (Adam's first is about lr, whatever
 * the gradient). */
static double l_max_update(const trainer *t, int l) { return largest(t, l, weights(t), weights_before(t)); }

/* |dL/dW| and |dL/db| at their largest, with the loss scale divided out as the panels show it. */
static double l_max_grad(const trainer *t, int l)
{
    double g = largest(t, l, t->net.grads, NULL);
    return t->state.unscaled || !(t->cfg.loss_scale > 0) ? g : g / t->cfg.loss_scale;
}
static double l_max_weight(const trainer *t, int l) { return largest(t, l, weights(t), NULL); }

static const live_metric table[] = {
    {"loss", false, LIVE_LOSS, r_loss},
    {"lr", false, LIVE_ANY, r_lr},
    {"step", false, LIVE_ANY, r_step},
    {"epoch", false, LIVE_ANY, r_epoch},
    {"batch", false, LIVE_ANY, r_batch},
    {"grad_norm", false, LIVE_BACKWARD, r_grad_norm},
    {"clip.norm_before", false, LIVE_CLIP, r_clip_before},
    {"clip.norm_after", false, LIVE_CLIP, r_clip_after},
    {"clip.factor", false, LIVE_CLIP, r_clip_factor},
    {"clip.clipped", false, LIVE_CLIP, r_clip_clipped},
    {"train_loss", false, LIVE_EPOCH, r_train_loss},
    {"train_acc", false, LIVE_EPOCH, r_train_acc},
    {"val_loss", false, LIVE_EPOCH, r_val_loss},
    {"val_acc", false, LIVE_EPOCH, r_val_acc},
    {"test_loss", false, LIVE_EPOCH, r_test_loss},
    {"test_acc", false, LIVE_EPOCH, r_test_acc},
    {"diverged", false, LIVE_ANY, r_diverged},
    {"grad_norm", true, LIVE_BACKWARD, l_grad_norm},
    {"weight_norm", true, LIVE_ANY, l_weight_norm},
    {"update_ratio", true, LIVE_UPDATE, l_update_ratio},
    {"act_min", true, LIVE_FORWARD, l_act_min},
    {"act_max", true, LIVE_FORWARD, l_act_max},
    {"act_mean", true, LIVE_FORWARD, l_act_mean},
    {"act_std", true, LIVE_FORWARD, l_act_std},
    {"dz_std", true, LIVE_BACKWARD, l_dz_std},
    {"frac_saturated", true, LIVE_FORWARD, l_frac_saturated},
    {"frac_dead", true, LIVE_FORWARD, l_frac_dead},
    {"lost_updates", true, LIVE_UPDATE, l_lost_updates},
    {"frac_underflow", true, LIVE_BACKWARD, l_frac_underflow},
    {"health", true, LIVE_BACKWARD, l_health},
    {"max_update", true, LIVE_UPDATE, l_max_update},
    {"max_grad", true, LIVE_BACKWARD, l_max_grad},
    {"max_weight", true, LIVE_ANY, l_max_weight},
};
#define N_LIVE (sizeof table / sizeof table[0])

const live_metric *live_metric_find(const char *name, bool of_layer)
{
    for (size_t i = 0; i < N_LIVE; i++)
        if (table[i].of_layer == of_layer && strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

const char *live_metric_names(bool of_layer)
{
    static char lists[2][512]; /* made once from the table; it never changes */
    char *buf = lists[of_layer];
    if (buf[0])
        return buf;
    size_t len = 0;
    for (size_t i = 0; i < N_LIVE; i++)
        if (table[i].of_layer == of_layer && len < sizeof lists[0])
            len += (size_t)snprintf(buf + len, sizeof lists[0] - len, "%s%s", len ? ", " : "", table[i].name);
    return buf;
}

int live_lookup(void *ctx, const char *experiment, int layer_index, const char *metric, double *out, char *why)
{
    const trainer *t = ctx;
    if (experiment[0]) { /* the parser never makes one: an ask reads the run it stops */
        snprintf(why, 200, "an ask reads its own run, not '%.60s'", experiment);
        return -1;
    }
    const live_metric *m = live_metric_find(metric, layer_index != -1);
    if (!m) {
        snprintf(why, 200, "unknown metric '%.60s'", metric);
        return -1;
    }
    int l = layer_index == -2 ? t->net.n_layers - 1 : layer_index;
    if (layer_index != -1 && l >= t->net.n_layers) {
        snprintf(why, 200, "layer %d does not exist (the net has %d layers)", l, t->net.n_layers);
        return -1;
    }
    if (!live_known(t, m->stage, layer_index == -1 ? -1 : l)) {
        char where[24] = "";
        if (layer_index != -1)
            snprintf(where, sizeof where, "layer%d.", l);
        snprintf(why, 200, "%s%.40s is not known here: %s", where, metric, why_unknown(m->stage));
        return -1;
    }
    *out = m->get(t, l < 0 ? 0 : l);
    return 0;
}
