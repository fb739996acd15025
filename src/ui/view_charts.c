/* view_charts.c - activation ranges, gradient norms on a log scale, and the loss curves. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

static const uint32_t spark[8] = {0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588};
static const char ascii_spark[8] = {'_', '.', '-', '=', '+', '*', '#', '@'};

static void put_cp(frame *f, int x, int y, uint32_t cp, role r)
{
    if (x >= 0 && x < f->w && y >= 0 && y < f->h)
        f->cells[(size_t)y * f->w + x] = (cell){cp, (uint8_t)r};
}

static uint32_t spark_cp(bool ascii, int level)
{
    level = level < 0 ? 0 : (level > 7 ? 7 : level);
    return ascii ? (uint32_t)ascii_spark[level] : spark[level];
}

/* ---- activations ----------------------------------------------------------------- */

void draw_activations(const app *a, frame *f, rect r)
{
    const trainer *t = &a->s.t;
    const net *n = &t->net;
    int y = panel_title(f, r, "Activation ranges (min..max, mean +- std, histogram)", a->focus == P_ACTIVATIONS);
    if (n->train.rows == 0 || t->state.micro < 2) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "appear after the first forward pass", r.w - 2);
        return;
    }
    float lo = 0, hi = 0;
    for (int i = 0; i < n->n_layers; i++)
        lo = fminf(lo, t->stats[i].act_min), hi = fmaxf(hi, t->stats[i].act_max);
    if (!(hi > lo))
        hi = lo + 1;
    int bar_x = r.x + 5, bar_w = r.w - 5 - 30;
    if (bar_w < 8)
        bar_w = 8;
    int first = a->s.layer - (r.h - 2) / 2;
    first = first < 0 ? 0 : first;
    for (int i = first; i < n->n_layers && y < r.y + r.h; i++, y++) {
        const layer_stats *st = &t->stats[i];
        char label[8];
        snprintf(label, sizeof label, "L%-3d", i);
        frame_put(f, r.x, y, i == a->s.layer ? ROLE_SELECTED : ROLE_DIM, label, 4);
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
    char range[64], b1[16], b2[16];
    snprintf(range, sizeof range, "scale %s .. %s", fmt_compact(b1, sizeof b1, lo), fmt_compact(b2, sizeof b2, hi));
    if (r.w > 60)
        frame_put(f, r.x + r.w - (int)strlen(range) - 1, r.y, ROLE_DIM, range, (int)strlen(range));
}

/* ---- gradients ------------------------------------------------------------------- */

#define LOG_LO (-10.0)
#define LOG_HI 10.0

static int log_x(double v, int x0, int w)
{
    double l = v > 0 ? log10(v) : LOG_LO;
    l = l < LOG_LO ? LOG_LO : (l > LOG_HI ? LOG_HI : l);
    return x0 + (int)((l - LOG_LO) / (LOG_HI - LOG_LO) * (w - 1) + 0.5);
}

void draw_gradients(const app *a, frame *f, rect r)
{
    draw_gradients_of(&a->s, f, r, "Gradient norms, log scale 1e-10 .. 1e+10 (update ratio, ref 1e-3)",
                      a->focus == P_GRADIENTS, a->ascii);
}

void draw_gradients_of(const session *s, frame *f, rect r, const char *title, bool focused, bool ascii)
{
    const trainer *t = &s->t;
    const net *n = &t->net;
    int y = panel_title(f, r, title, focused);
    if (t->state.step == 0 && !(t->state.next_phase > PHASE_BACKWARD)) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "appear after the first backward pass", r.w - 2);
        return;
    }
    int bar_x = r.x + 5, spark_w = r.w >= 70 ? 16 : 0, bar_w = r.w - 5 - 24 - spark_w;
    bool text = true;
    if (bar_w < 10) { /* a narrow column: the bar alone, then as much of the number as fits */
        bar_w = r.w - 5 - 9 > 4 ? r.w - 5 - 9 : 4;
        text = false;
    }
    int vz = log_x(HEALTH_VANISHING_ABSOLUTE, bar_x, bar_w), ez = log_x(HEALTH_EXPLODING_GRAD_NORM, bar_x, bar_w);
    int clip_x = t->cfg.clip == CLIP_NORM ? log_x(t->cfg.clip_value, bar_x, bar_w) : -1;
    int first = s->layer - (r.h - 2) / 2;
    first = first < 0 ? 0 : first;
    for (int i = first; i < n->n_layers && y < r.y + r.h; i++, y++) {
        const layer_stats *st = &t->stats[i];
        char label[8];
        snprintf(label, sizeof label, "L%-3d", i);
        frame_put(f, r.x, y, i == s->layer ? ROLE_SELECTED : ROLE_DIM, label, 4);
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
        role hr = st->health == HEALTH_OK ? ROLE_GOOD : (st->health == HEALTH_EXPLODING ? ROLE_BAD : ROLE_WARN);
        put_cp(f, gx, y, ascii ? 'o' : 0x25CF, hr);
        char txt[64], b1[16];
        snprintf(txt, sizeof txt, "%-8s %-9s", fmt_compact(b1, sizeof b1, st->grad_norm), health_name(st->health));
        frame_put(f, bar_x + bar_w + 1, y, hr, txt, text ? 18 : r.x + r.w - (bar_x + bar_w + 1));
        if (!text)
            continue;
        if (t->net.precision != FP32 && r.w >= 60) { /* what rounding cost this layer */
            snprintf(txt, sizeof txt, "lost %ld uf %.0f%%", st->lost_updates, 100.0 * st->frac_underflow);
            frame_put(f, bar_x + bar_w + 20, y, st->lost_updates || st->frac_underflow > 0 ? ROLE_WARN : ROLE_DIM, txt,
                      r.x + r.w - (bar_x + bar_w + 20) - spark_w - 1);
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

/* A braille canvas: each cell holds 2x4 dots. */
typedef struct canvas {
    frame *f;
    int x, y, w, h; /* in cells */
    bool ascii;
} canvas;

static void dot(canvas *c, int px, int py, role ro)
{
    if (px < 0 || py < 0 || px >= 2 * c->w || py >= 4 * c->h)
        return;
    int cx = c->x + px / 2, cy = c->y + py / 4;
    cell *ce = &c->f->cells[(size_t)cy * c->f->w + cx];
    if (c->ascii) {
        *ce = (cell){'*', (uint8_t)ro};
        return;
    }
    static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    uint32_t base = ce->ch >= 0x2800 && ce->ch <= 0x28FF ? ce->ch : 0x2800;
    *ce = (cell){base | bit[py % 4][px % 2], (uint8_t)ro};
}

void plot_series(frame *f, rect r, const float *const *series, const long *lens, const role *roles, int n, bool ascii)
{
    int label_w = 9;
    canvas c = {f, r.x + label_w, r.y, r.w - label_w - 1, r.h, ascii};
    if (c.w < 4 || c.h < 2)
        return;
    double top = 0;
    long longest = 1;
    for (int s = 0; s < n; s++) {
        longest = lens[s] > longest ? lens[s] : longest;
        for (long k = 0; k < lens[s]; k++)
            if (isfinite(series[s][k]) && series[s][k] > top)
                top = series[s][k];
    }
    if (top <= 0)
        top = 1;
    int pw = 2 * c.w, ph = 4 * c.h;
    for (int s = 0; s < n; s++) /* every series on the same x scale: step k at k/longest */
        for (int px = 0; px < pw; px++) {
            long k0 = longest * px / pw, k1 = longest * (px + 1) / pw;
            if (k1 <= k0)
                k1 = k0 + 1;
            if (k0 >= lens[s])
                break;
            double sum = 0;
            long m = 0;
            for (long k = k0; k < k1 && k < lens[s]; k++)
                if (isfinite(series[s][k]))
                    sum += series[s][k], m++;
            if (m)
                dot(&c, px, ph - 1 - (int)(sum / m / top * (ph - 1)), roles[s]);
        }
    char b[16];
    frame_put(f, r.x, r.y, ROLE_DIM, fmt_compact(b, sizeof b, top), label_w - 1);
    frame_put(f, r.x, r.y + c.h - 1, ROLE_DIM, "0", label_w - 1);
}

void draw_curves(const app *a, frame *f, rect r)
{
    const session *s = &a->s;
    const trainer *t = &s->t;
    char title[200], b1[16], b2[16];
    snprintf(title, sizeof title, "Loss per step%s, lr %s", s->n_epochs ? " and validation loss per epoch" : "",
             fmt_compact(b1, sizeof b1, t->state.lr));
    int y = panel_title(f, r, title, a->focus == P_CURVES);
    if (s->n_steps == 0) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "appears after the first step", r.w - 2);
        return;
    }
    int label_w = 9;
    canvas c = {f, r.x + label_w, y, r.w - label_w - 1, r.h - 3, a->ascii};
    if (c.w < 4 || c.h < 2)
        return;
    double top = 0;
    for (long k = 0; k < s->n_steps; k++)
        if (isfinite(s->step_loss[k]) && s->step_loss[k] > top)
            top = s->step_loss[k];
    for (int e = 0; e < s->n_epochs; e++)
        if (s->epochs[e].has_val && isfinite(s->epochs[e].val_loss) && s->epochs[e].val_loss > top)
            top = s->epochs[e].val_loss;
    if (top <= 0)
        top = 1;
    int pw = 2 * c.w, ph = 4 * c.h;
    long n = s->n_steps;
    for (int px = 0; px < pw; px++) { /* one dot per column: the mean loss of its steps */
        long k0 = n * px / pw, k1 = n * (px + 1) / pw;
        if (k1 <= k0)
            k1 = k0 + 1;
        if (k0 >= n)
            break;
        double sum = 0;
        for (long k = k0; k < k1 && k < n; k++)
            sum += s->step_loss[k];
        double v = sum / (double)(k1 - k0);
        dot(&c, px, ph - 1 - (int)(v / top * (ph - 1)), ROLE_CODE);
    }
    for (int e = 0; e < s->n_epochs; e++) {
        const epoch_metrics *m = &s->epochs[e];
        if (!m->has_val)
            continue;
        long k = (long)(e + 1) * t->batches_per_epoch;
        int px = (int)((double)k / (n > 1 ? n : 1) * (pw - 1));
        dot(&c, px, ph - 1 - (int)(m->val_loss / top * (ph - 1)), ROLE_GOOD);
    }
    frame_put(f, r.x, y, ROLE_DIM, fmt_compact(b1, sizeof b1, top), label_w - 1);
    frame_put(f, r.x, y + c.h - 1, ROLE_DIM, "0", label_w - 1);
    char foot[200] = "";
    if (s->n_epochs) {
        const epoch_metrics *m = &s->epochs[s->n_epochs - 1];
        snprintf(foot, sizeof foot, "epoch %d: train acc %.1f%%", m->epoch, 100 * m->train_acc);
        if (m->has_val) {
            char v[80];
            snprintf(v, sizeof v, ", val loss %s, val acc %.1f%%", fmt_compact(b2, sizeof b2, m->val_loss), 100 * m->val_acc);
            strncat(foot, v, sizeof foot - strlen(foot) - 1);
        }
        if (t->state.early.best_epoch) {
            char v[48];
            snprintf(v, sizeof v, "; best epoch %d", t->state.early.best_epoch);
            strncat(foot, v, sizeof foot - strlen(foot) - 1);
        }
    } else
        snprintf(foot, sizeof foot, "%ld steps, last loss %s", s->n_steps, fmt_compact(b2, sizeof b2, s->step_loss[n - 1]));
    frame_put(f, r.x + 1, r.y + r.h - 1, ROLE_NORMAL, foot, r.w - 2);
}
