/* live_metrics.c - the values an ask block reads from a run in progress (live_metrics.h). */
#include "live_metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the run's ------------------------------------------------------------------------ */

/* The batch loss exists once the first batch's loss micro-step has run. */
static double r_loss(const trainer *t, int l)
{
    (void)l;
    return t->state.step > 0 || t->state.next_phase > PHASE_LOSS ? t->state.loss : NAN;
}
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

/* Clipping's numbers exist once a clip micro-step has run: never without clipping. */
static bool clipped_yet(const trainer *t)
{
    return t->cfg.clip != CLIP_NONE && (t->state.step > 0 || t->state.next_phase > PHASE_CLIP);
}
static double r_clip_before(const trainer *t, int l) { (void)l; return clipped_yet(t) ? t->state.clip.norm_before : NAN; }
static double r_clip_after(const trainer *t, int l) { (void)l; return clipped_yet(t) ? t->state.clip.norm_after : NAN; }
static double r_clip_factor(const trainer *t, int l) { (void)l; return clipped_yet(t) ? t->state.clip.factor : NAN; }
static double r_clip_clipped(const trainer *t, int l) { (void)l; return clipped_yet(t) ? (double)t->state.clip.clipped : NAN; }

/* The last finished epoch's numbers: NaN until one has finished. */
#define EPOCH_METRIC(fn, field)                                                                                      \
    static double fn(const trainer *t, int l)                                                                        \
    {                                                                                                                \
        (void)l;                                                                                                     \
        return t->state.last_epoch.epoch > 0 ? t->state.last_epoch.field : NAN;                                      \
    }
EPOCH_METRIC(r_train_loss, train_loss)
EPOCH_METRIC(r_train_acc, train_acc)
EPOCH_METRIC(r_val_loss, val_loss)
EPOCH_METRIC(r_val_acc, val_acc)
EPOCH_METRIC(r_test_loss, test_loss)
EPOCH_METRIC(r_test_acc, test_acc)
#undef EPOCH_METRIC

/* ---- a layer's ------------------------------------------------------------------------ */

#define STAT(fn, expr)                                                                                               \
    static double fn(const trainer *t, int l)                                                                        \
    {                                                                                                                \
        const layer_stats *s = &t->stats[l];                                                                         \
        return (double)(expr);                                                                                       \
    }
STAT(l_grad_norm, s->grad_norm)
STAT(l_weight_norm, s->weight_norm)
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

/* The largest |v| over the layer's parameters (W then b) in one of the net's flat vectors. */
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

/* The last update's largest step |w_after - w_before| (Adam's first is about lr, whatever
 * the gradient); NaN before the first update, when there is no step to measure. */
static double l_max_update(const trainer *t, int l)
{
    bool updated = t->state.step > 0 || (t->state.next_phase == PHASE_UPDATE && t->state.next_layer > l);
    if (!updated)
        return NAN;
    return largest(t, l, t->net.params, t->net.params_prev);
}

/* |dL/dW| and |dL/db| at their largest, with the loss scale divided out as the panels show it. */
static double l_max_grad(const trainer *t, int l)
{
    double g = largest(t, l, t->net.grads, NULL);
    return t->state.unscaled || !(t->cfg.loss_scale > 0) ? g : g / t->cfg.loss_scale;
}
static double l_max_weight(const trainer *t, int l) { return largest(t, l, t->net.params, NULL); }

static const live_metric table[] = {
    {"loss", false, "no batch loss has been computed yet", r_loss},
    {"lr", false, NULL, r_lr},
    {"step", false, NULL, r_step},
    {"epoch", false, NULL, r_epoch},
    {"batch", false, NULL, r_batch},
    {"grad_norm", false, NULL, r_grad_norm},
    {"clip.norm_before", false, "no clip micro-step has run (is clipping on?)", r_clip_before},
    {"clip.norm_after", false, "no clip micro-step has run (is clipping on?)", r_clip_after},
    {"clip.factor", false, "no clip micro-step has run (is clipping on?)", r_clip_factor},
    {"clip.clipped", false, "no clip micro-step has run (is clipping on?)", r_clip_clipped},
    {"train_loss", false, "no epoch has ended yet", r_train_loss},
    {"train_acc", false, "no epoch has ended yet", r_train_acc},
    {"val_loss", false, "no epoch has ended yet", r_val_loss},
    {"val_acc", false, "no epoch has ended yet", r_val_acc},
    {"test_loss", false, "no epoch has ended yet, or there is no test split", r_test_loss},
    {"test_acc", false, "no epoch has ended yet, or there is no test split", r_test_acc},
    {"diverged", false, NULL, r_diverged},
    {"grad_norm", true, NULL, l_grad_norm},
    {"weight_norm", true, NULL, l_weight_norm},
    {"update_ratio", true, NULL, l_update_ratio},
    {"act_min", true, NULL, l_act_min},
    {"act_max", true, NULL, l_act_max},
    {"act_mean", true, NULL, l_act_mean},
    {"act_std", true, NULL, l_act_std},
    {"dz_std", true, NULL, l_dz_std},
    {"frac_saturated", true, NULL, l_frac_saturated},
    {"frac_dead", true, NULL, l_frac_dead},
    {"lost_updates", true, NULL, l_lost_updates},
    {"frac_underflow", true, NULL, l_frac_underflow},
    {"health", true, NULL, l_health},
    {"max_update", true, "no update has run yet", l_max_update},
    {"max_grad", true, NULL, l_max_grad},
    {"max_weight", true, NULL, l_max_weight},
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
    double v = m->get(t, l < 0 ? 0 : l);
    if (isnan(v) && m->unavailable) {
        char where[24] = "";
        if (layer_index != -1)
            snprintf(where, sizeof where, "layer%d.", l);
        snprintf(why, 200, "%s%.40s is not known here: %s", where, metric, m->unavailable);
        return -1;
    }
    *out = v;
    return 0;
}
