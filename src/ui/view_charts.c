/* view_charts.c - activation ranges, gradient norms on a log scale, and the loss curves. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view.h"
#include "view_lr.h"

static const uint32_t spark[8] = {0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588};
static const char ascii_spark[8] = {'_', '.', '-', '=', '+', '*', '#', '@'};

static void put_cp(frame *f, int x, int y, uint32_t cp, role r)
{
    if (x >= 0 && x < f->w && y >= 0 && y < f->h)
        f->cells[(size_t)y * f->w + x] = (cell){cp, (uint16_t)r};
}

static uint32_t spark_cp(bool ascii, int level)
{
    level = level < 0 ? 0 : (level > 7 ? 7 : level);
    return ascii ? (uint32_t)ascii_spark[level] : spark[level];
}

/* The activation and gradient panels: one row per layer, a window around the selected one. */
static int first_layer_row(const session *s, rect r)
{
    int first = s->layer - (r.h - 2) / 2;
    return first < 0 ? 0 : first;
}

static void layer_label(frame *f, int x, int y, int i, bool selected)
{
    char label[8];
    snprintf(label, sizeof label, "L%-3d", i);
    frame_put(f, x, y, selected ? ROLE_SELECTED : ROLE_DIM, label, 4);
}

/* ---- activations ----------------------------------------------------------------- */

void draw_activations(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    const trainer *t = &s->t;
    const net *n = &t->net;
    if (n->train.rows == 0 || t->state.micro < 2) {
        int y = lesson_panel_title(a, f, r, P_ACTIVATIONS, "Activation ranges");
        frame_put(f, r.x + 1, y, ROLE_DIM, "appear after the first forward pass", r.w - 2);
        return;
    }
    float lo = 0, hi = 0; /* the scale of the layers whose values are finite */
    for (int i = 0; i < n->n_layers; i++)
        if (isfinite(t->stats[i].act_min) && isfinite(t->stats[i].act_max))
            lo = fminf(lo, t->stats[i].act_min), hi = fmaxf(hi, t->stats[i].act_max);
    if (!(hi > lo))
        hi = lo + 1;
    const divergence *dv = &t->state.div;
    char title[160], b1[16], b2[16];
    snprintf(title, sizeof title, "Activation ranges %s .. %s (min..max, mean %s std, histogram)",
             fmt_compact(b1, sizeof b1, lo), fmt_compact(b2, sizeof b2, hi), a->ascii ? "+-" : "\xC2\xB1");
    int y = lesson_panel_title(a, f, r, P_ACTIVATIONS, title);
    int bar_x = r.x + 5, bar_w = r.w - 5 - 30;
    if (bar_w < 8)
        bar_w = 8;
    for (int i = first_layer_row(s, r); i < n->n_layers && y < r.y + r.h; i++, y++) {
        const layer_stats *st = &t->stats[i];
        layer_label(f, r.x, y, i, i == s->layer);
        if (!isfinite(st->act_min) || !isfinite(st->act_max) || !isfinite(st->act_mean)) {
            char why[200];
            if (dv->happened && dv->layer == i)
                snprintf(why, sizeof why, "NaN/Inf: first here, %s[%ld][%ld] = %g at step %ld", dv->what, dv->row,
                         dv->col, (double)dv->value, dv->step + 1);
            else
                snprintf(why, sizeof why, "NaN/Inf%s", dv->happened && dv->layer < i ? ", carried from a layer below" : "");
            frame_put(f, bar_x, y, ROLE_BAD, why, r.x + r.w - bar_x);
            continue;
        }
        int x0 = bar_x + (int)((st->act_min - lo) / (hi - lo) * (bar_w - 1));
        int x1 = bar_x + (int)((st->act_max - lo) / (hi - lo) * (bar_w - 1));
        int m0 = bar_x + (int)((st->act_mean - st->act_std - lo) / (hi - lo) * (bar_w - 1));
        int m1 = bar_x + (int)((st->act_mean + st->act_std - lo) / (hi - lo) * (bar_w - 1));
        int mm = bar_x + (int)((st->act_mean - lo) / (hi - lo) * (bar_w - 1));
        for (int x = bar_x; x < bar_x + bar_w; x++)
            put_cp(f, x, y, a->ascii ? '.' : 0x00B7, ROLE_DIM);
        for (int x = x0; x <= x1; x++)
            put_cp(f, x, y, a->ascii ? '-' : 0x2500, ROLE_NORMAL);
        for (int x = m0 > x0 ? m0 : x0; x <= (m1 < x1 ? m1 : x1); x++)
            put_cp(f, x, y, a->ascii ? '=' : 0x2550, ROLE_CODE);
        put_cp(f, mm, y, '|', ROLE_STRONG);
        /* histogram of this layer's activations over its own range */
        int bins[8] = {0}, top = 1;
        const float *av = n->train.a[i];
        size_t len = (size_t)n->train.rows * n->layers[i].n_out;
        float span = st->act_max - st->act_min;
        for (size_t k = 0; k < len; k++) {
            int b = span > 0 ? (int)((av[k] - st->act_min) / span * 7.999f) : 0;
            bins[b < 0 ? 0 : (b > 7 ? 7 : b)]++;
        }
        for (int b = 0; b < 8; b++)
            top = bins[b] > top ? bins[b] : top;
        int hx = bar_x + bar_w + 1;
        for (int b = 0; b < 8; b++)
            put_cp(f, hx + b, y, bins[b] ? spark_cp(a->ascii, (int)(7.0 * bins[b] / top + 0.5)) : ' ', ROLE_CODE);
        char txt[64];
        if (n->layers[i].act == ACT_RELU)
            snprintf(txt, sizeof txt, "%3.0f%% dead", 100.0 * st->frac_dead);
        else if (n->layers[i].act == ACT_TANH || n->layers[i].act == ACT_SIGMOID)
            snprintf(txt, sizeof txt, "%3.0f%% sat", 100.0 * st->frac_saturated);
        else
            snprintf(txt, sizeof txt, "sd %.3g", (double)st->act_std);
        bool bad = st->frac_dead >= HEALTH_DEAD_FRACTION || st->frac_saturated >= HEALTH_SATURATED_FRACTION;
        frame_put(f, hx + 9, y, bad ? ROLE_WARN : ROLE_NORMAL, txt, r.x + r.w - hx - 9);
    }
}

/* ---- gradients ------------------------------------------------------------------- */

#define LOG_LO (-10.0)
#define LOG_HI 10.0

/* The last epoch's accuracies with a test split: the three held-out-or-not figures side by
 * side, as much of the rest as fits in w columns (all three accuracies always do at 80x24). */
static void test_foot(char *foot, size_t cap, const epoch_metrics *m, int best_epoch, int w)
{
    char acc[80], loss[24], best[32] = "";
    if (m->has_val)
        snprintf(acc, sizeof acc, "train %.1f%% val %.1f%% test %.1f%%", 100 * m->train_acc, 100 * m->val_acc,
                 100 * m->test_acc);
    else /* a test split without a validation split */
        snprintf(acc, sizeof acc, "train %.1f%% test %.1f%%", 100 * m->train_acc, 100 * m->test_acc);
    if (best_epoch)
        snprintf(best, sizeof best, "; best epoch %d", best_epoch);
    snprintf(foot, cap, "epoch %d: acc %s, %s loss %s%s", m->epoch, acc, m->has_val ? "val" : "test",
             fmt_compact(loss, sizeof loss, m->has_val ? m->val_loss : m->test_loss), best);
    if ((int)strlen(foot) > w)
        snprintf(foot, cap, "epoch %d: acc %s%s", m->epoch, acc, best);
    if ((int)strlen(foot) > w)
        snprintf(foot, cap, "epoch %d acc: %s", m->epoch, acc);
    if ((int)strlen(foot) > w)
        snprintf(foot, cap, "acc: %s", acc);
}

static int log_x(double v, int x0, int w)
{
    double l = v > 0 ? log10(v) : LOG_LO;
    l = l < LOG_LO ? LOG_LO : (l > LOG_HI ? LOG_HI : l);
    return x0 + (int)((l - LOG_LO) / (LOG_HI - LOG_LO) * (w - 1) + 0.5);
}

void draw_gradients(const app *a, frame *f, rect r)
{
    draw_gradients_of(app_run_c(a), f, r, "Gradient norms, log scale 1e-10 .. 1e+10 (update ratio, ref 1e-3)",
                      a->les->focus == P_GRADIENTS, a->ascii);
    panel_key(a, f, r, P_GRADIENTS);
}

void draw_gradients_of(const session *s, frame *f, rect r, const char *title, bool focused, bool ascii)
{
    const trainer *t = &s->t;
    const net *n = &t->net;
    int y = panel_title(f, (rect){r.x, r.y, r.w - 4, r.h}, title, focused); /* room for a key: [6] */
    if (t->state.step == 0 && !(t->state.next_phase > PHASE_BACKWARD)) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "appear after the first backward pass", r.w - 2);
        return;
    }
    layer_health health[NET_MAX_LAYERS];
    live_health(t, health);
    /* in bf16/fp16 the ratio's 5 columns become 17 for "lost 1234 uf 56%" */
    int extra = t->net.precision != FP32 ? 12 : 0;
    int bar_x = r.x + 5, spark_w = r.w >= 70 ? 16 : 0, bar_w = r.w - 5 - 24 - extra - spark_w - (spark_w ? 1 : 0);
    bool text = true;
    if (bar_w < 10) { /* a narrow column: the bar alone, then as much of the number as fits */
        bar_w = r.w - 5 - 9 > 4 ? r.w - 5 - 9 : 4;
        text = false;
    }
    int vz = log_x(HEALTH_VANISHING_ABSOLUTE, bar_x, bar_w), ez = log_x(HEALTH_EXPLODING_GRAD_NORM, bar_x, bar_w);
    int clip_x = t->cfg.clip == CLIP_NORM ? log_x(t->cfg.clip_value, bar_x, bar_w) : -1;
    for (int i = first_layer_row(s, r); i < n->n_layers && y < r.y + r.h; i++, y++) {
        const layer_stats *st = &t->stats[i];
        layer_label(f, r.x, y, i, i == s->layer);
        for (int x = bar_x; x < bar_x + bar_w; x++) {
            role zone = x <= vz ? ROLE_WARN : (x >= ez ? ROLE_BAD : ROLE_DIM);
            put_cp(f, x, y, ascii ? '.' : 0x00B7, zone);
        }
        if (clip_x >= 0)
            put_cp(f, clip_x, y, ascii ? '|' : 0x2503, ROLE_STRONG);
        if (isnan(st->grad_norm)) {
            frame_put(f, bar_x + bar_w + 1, y, ROLE_DIM, "no parameters", 14);
            continue;
        }
        int gx = log_x(st->grad_norm, bar_x, bar_w);
        for (int x = bar_x; x < gx; x++)
            put_cp(f, x, y, ascii ? '=' : 0x2501, ROLE_NORMAL);
        role hr = health_role(health[i]);
        put_cp(f, gx, y, ascii ? 'o' : 0x25CF, hr);
        char txt[64], b1[16];
        snprintf(txt, sizeof txt, "%-8s %-9s", fmt_compact(b1, sizeof b1, st->grad_norm), health[i] == HEALTH_COUNT ? "" : health_name(health[i]));
        if (!text) { /* a narrow column: the number only if it fits whole ("0." reads as zero) */
            int room = r.x + r.w - (bar_x + bar_w + 1);
            if ((int)strlen(b1) <= room)
                frame_put(f, bar_x + bar_w + 1, y, hr, b1, room);
            continue;
        }
        if (t->net.precision != FP32 && r.w < 60) { /* no room for both: the dot's colour tells the
                                                      * health, the lesson asks about what rounding lost */
            snprintf(txt, sizeof txt, "%-8s lost %ld", b1, st->lost_updates);
            frame_put(f, bar_x + bar_w + 1, y, st->lost_updates ? ROLE_WARN : hr, txt, 18);
            continue;
        }
        frame_put(f, bar_x + bar_w + 1, y, hr, txt, 18);
        if (t->net.precision != FP32 && r.w >= 60) { /* what rounding cost this layer */
            snprintf(txt, sizeof txt, "lost %ld uf %.0f%%", st->lost_updates, 100.0 * st->frac_underflow);
            frame_put(f, bar_x + bar_w + 20, y, st->lost_updates || st->frac_underflow > 0 ? ROLE_WARN : ROLE_DIM, txt,
                      4 + extra);
        } else if (isfinite(st->update_ratio) && r.w >= 60) {
            snprintf(txt, sizeof txt, "%+.1f", (double)st->update_ratio);
            frame_put(f, bar_x + bar_w + 20, y, fabsf(st->update_ratio + 3.0f) > 2.0f ? ROLE_WARN : ROLE_DIM, txt, 5);
        }
        if (spark_w) { /* the last steps' norms, on the same log scale */
            int hx = r.x + r.w - spark_w;
            long steps = t->state.step < GRAD_HISTORY ? t->state.step : GRAD_HISTORY;
            int shown = steps < spark_w ? (int)steps : spark_w;
            for (int k = 0; k < shown; k++) {
                long step = t->state.step - shown + k; /* 0-based step index */
                float g = s->grad_hist[(size_t)i * GRAD_HISTORY + (size_t)(step % GRAD_HISTORY)];
                double l = g > 0 ? log10(g) : LOG_LO;
                put_cp(f, hx + k, y, spark_cp(ascii, (int)((l - LOG_LO) / (LOG_HI - LOG_LO) * 7.99)), ROLE_CODE);
            }
        }
    }
}

/* ---- curves ---------------------------------------------------------------------- */

void draw_curves(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    const trainer *t = &s->t;
    if (t->cfg.schedule == SCHED_RANGE) { /* a range test: its loss against its rate (view_lr.c) */
        draw_lr_range(a, f, r);
        return;
    }
    /* validation loss: one point per epoch, at the step the epoch ended */
    float val[256];
    long at[256], n_val = 0;
    for (int e = 0; e < s->n_epochs && n_val < 256; e++)
        if (s->epochs[e].has_val) {
            val[n_val] = s->epochs[e].val_loss;
            at[n_val++] = (long)(e + 1) * t->batches_per_epoch;
        }
    series sr[2] = {series_of(0, s->step_loss, s->n_steps), series_of(1, val, n_val)};
    sr[1].x = at;
    plot_axis ax = plot_fit(sr, 2, a->loss_axis);
    char title[200], b1[16], b2[16];
    snprintf(title, sizeof title, "Loss per step %s%s, lr %s%s", a->ascii ? "o" : "\xE2\x97\x8F",
             n_val ? (a->ascii ? ", validation ^" : ", validation \xE2\x96\xB2") : "", fmt_compact(b1, sizeof b1, t->state.lr),
             ax.log ? ", log scale (L)" : "");
    int y = lesson_panel_title(a, f, r, P_CURVES, title);
    if (s->n_steps == 0) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "appears when the first step's batch ends", r.w - 2);
        return;
    }
    long n = s->n_steps;
    plot_series(f, (rect){r.x, y, r.w, r.h - 3}, sr, 2, n, &ax, a->ascii);
    char foot[200] = "";
    if (s->n_epochs) {
        const epoch_metrics *m = &s->epochs[s->n_epochs - 1];
        if (!isnan(m->test_acc))
            test_foot(foot, sizeof foot, m, t->state.early.best_epoch, r.w - 2);
        else {
            snprintf(foot, sizeof foot, "epoch %d: train acc %.1f%%", m->epoch, 100 * m->train_acc);
            if (m->has_val) {
                char v[80];
                /* val acc first: the figure the lessons point at, kept when the line is cut */
                snprintf(v, sizeof v, ", val acc %.1f%%, val loss %s", 100 * m->val_acc,
                         fmt_compact(b2, sizeof b2, m->val_loss));
                strncat(foot, v, sizeof foot - strlen(foot) - 1);
            }
            if (t->state.early.best_epoch) {
                char v[48];
                snprintf(v, sizeof v, "; best epoch %d", t->state.early.best_epoch);
                strncat(foot, v, sizeof foot - strlen(foot) - 1);
            }
        }
    } else
        snprintf(foot, sizeof foot, "%ld steps, last loss %s", s->n_steps, fmt_compact(b2, sizeof b2, s->step_loss[n - 1]));
    if (s->ens_members > 1) { /* the ensemble the page is about, not only the net stepped */
        char v[120];
        if (s->ens_done && !isnan(s->ens_test_acc))
            snprintf(v, sizeof v, "ensemble of %d: test acc %.1f%% (this net %.1f%%)", s->ens_members,
                     100 * s->ens_test_acc, 100 * s->ens_member_test_acc);
        else if (s->ens_done)
            snprintf(v, sizeof v, "ensemble of %d: val acc %.1f%% (this net %.1f%%)", s->ens_members, 100 * s->ens_acc,
                     100 * s->ens_member_acc[0]);
        else if (s->t.state.div.happened)
            snprintf(v, sizeof v, "member 1 of an ensemble of %d diverged: no ensemble to score", s->ens_members);
        else
            snprintf(v, sizeof v, "member 1 of an ensemble of %d: the others train when it ends", s->ens_members);
        frame_put(f, r.x + 1, r.y + r.h - 2, ROLE_STRONG, v, r.w - 2);
    }
    char fitted[240];
    fit_words(fitted, sizeof fitted, foot, r.w - 2, a->ascii);
    frame_put(f, r.x + 1, r.y + r.h - 1, ROLE_NORMAL, fitted, r.w - 2);
}
