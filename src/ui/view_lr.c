/* view_lr.c - the learning-rate range test's plot (Smith 2015, fastai's lr_find). The rate
 * grows by the same factor every step, so the step index is already a log-lr axis: the
 * loss-per-step plot with its x axis labelled in rates is the loss-vs-lr plot. The whole
 * ramp is the axis from the first step, so the curve grows left to right while it trains. */
#include "view_lr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../engine/schedule.h"
#include "view.h"

void lr_range_readout(const float *loss, long n, long total, float *smoothed, lr_readout *out)
{
    *out = (lr_readout){NAN, -1, -1, -1};
    if (n < 1)
        return;
    /* a short average: lr_find's 0.98 would lag by 50 steps, a tenth of a few-hundred-step
     * ramp, and move every feature to the right */
    long span = total / 40 > 1 ? total / 40 : 1, w = total / 20 > 1 ? total / 20 : 1;
    double beta = 1.0 - 1.0 / (double)span, avg = 0, corr = 1;
    for (long k = 0; k < n; k++) {
        double v = isfinite(loss[k]) ? loss[k] : INFINITY;
        avg = beta * avg + (1 - beta) * v;
        corr *= beta;
        smoothed[k] = (float)(beta > 0 ? avg / (1 - corr) : v);
    }
    if (n < w) /* the start is not known yet */
        return;
    double sum = 0;
    for (long k = 0; k < w; k++)
        sum += loss[k];
    out->start = sum / (double)w;
    long low = 0;
    for (long k = 1; k < n; k++)
        if (smoothed[k] < smoothed[low])
            low = k;
    /* until the loss has fallen a tenth below its start, the dips are the batches' noise:
     * no reading yet rather than a "fastest fall" at the first lucky batch */
    if (!(smoothed[low] < 0.9 * out->start))
        return;
    out->lowest = low;
    double fall = 0;
    for (long k = w; k <= low; k++)
        if (smoothed[k] - smoothed[k - w] < fall)
            fall = smoothed[k] - smoothed[k - w], out->steepest = k - w / 2;
    for (long k = low + 1; k < n && out->above < 0; k++)
        if (!(smoothed[k] <= out->start)) /* NaN counts as above */
            out->above = k;
}

/* "0.001" .. "1000", else "1e-4", "1e+4": a decade's label, short enough to sit under the plot. */
static void decade_label(char *b, size_t cap, int d)
{
    if (d >= -3 && d <= 3)
        snprintf(b, cap, "%g", pow(10.0, d));
    else
        snprintf(b, cap, "1e%+d", d);
}

/* Columns TEXT takes on screen. */
static int text_cols(const char *text)
{
    int n = 0;
    for (const char *p = text; *p;) {
        uint32_t cp;
        p += utf8_decode(p, &cp);
        n += cp_cols(cp);
    }
    return n;
}

static const char *rate(char *b, size_t cap, double lr)
{
    snprintf(b, cap, "%.2g", lr);
    return b;
}

void draw_lr_range(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    const trainer *t = &s->t;
    double lo = t->cfg.sched_lo, hi = t->cfg.sched_hi;
    long total = schedule_total_steps(t->epochs, t->batches_per_epoch, t->max_steps), n = s->n_steps;
    char title[200], b1[16], b2[16], b3[16], lr_now[32];
    /* the lr now is the first thing to give up when the title does not fit (80 columns): the
     * status bar shows it too, while the range and the glyphs explain the plot */
    snprintf(lr_now, sizeof lr_now, ", lr %s", fmt_compact(b3, sizeof b3, t->state.lr));
    for (int pass = 0; pass < 3; pass++) {
        const char *dot = a->ascii ? "o" : "\xE2\x97\x8F", *tri = a->ascii ? "^" : "\xE2\x96\xB2";
        if (pass < 2)
            snprintf(title, sizeof title, "Loss vs lr %s, smoothed %s%s (range %s to %s)", dot, tri, pass ? "" : lr_now,
                     rate(b1, sizeof b1, lo), rate(b2, sizeof b2, hi));
        else
            snprintf(title, sizeof title, "Loss vs lr %s, smoothed %s (%s..%s)", dot, tri, rate(b1, sizeof b1, lo),
                     rate(b2, sizeof b2, hi));
        if (text_cols(title) <= r.w - 8) /* the rule's ends, its spaces and the digit's [7] */
            break;
    }
    int y = lesson_panel_title(a, f, r, P_CURVES, title);
    if (n == 0) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "appears when the first step's batch ends", r.w - 2);
        return;
    }
    float *sm = xcalloc((size_t)n, sizeof(float));
    lr_readout ro;
    lr_range_readout(s->step_loss, n, total, sm, &ro);
    /* A linear loss axis from 0 to 1.5x the starting loss: the dip before the blow-up is a
     * few tenths, which a log axis over the blown-up losses (hundreds) would flatten. Losses
     * above the top are drawn on it: the curve leaving through the top is the blow-up. */
    double top = isfinite(ro.start) ? 1.5 * ro.start : 1.5 * s->step_loss[0];
    if (!(top > 0) || !isfinite(top))
        top = 1.0;
    float *raw = xcalloc((size_t)n, sizeof(float));
    for (long k = 0; k < n; k++) {
        raw[k] = isfinite(s->step_loss[k]) && s->step_loss[k] < top ? s->step_loss[k] : (float)top;
        sm[k] = isfinite(sm[k]) && sm[k] < top ? sm[k] : (float)top;
    }
    series sr[2] = {series_of(0, raw, n), series_of(1, sm, n)};
    plot_axis ax = {0.0, top, false};
    rect pr = {r.x, y, r.w, r.h - 3 - (y - r.y - 1)};
    plot_series(f, pr, sr, 2, total, &ax, a->ascii);
    /* the lr axis: a label at every decade of the ramp, under the step where the rate is 10^d */
    int cx = r.x + PLOT_LABEL_W, cw = r.w - PLOT_LABEL_W - 1, axis_y = pr.y + pr.h;
    frame_put(f, r.x, axis_y, ROLE_DIM, "lr (log)", PLOT_LABEL_W - 1);
    int free_x = cx;
    /* the rates are floats: 0.001f is 1.0000000475e-3, whose decade is still -3 */
    for (int d = (int)ceil(log10(lo) - 1e-6); d <= (int)floor(log10(hi) + 1e-6); d++) {
        double k = (d - log10(lo)) / (log10(hi) - log10(lo)) * (double)(total - 1);
        int x = cx + (int)(k / (double)total * 2 * cw) / 2;
        char lab[16];
        decade_label(lab, sizeof lab, d);
        int len = (int)strlen(lab);
        if (x + len > cx + cw) /* the last decade at the right end: its label ends there */
            x = cx + cw - len;
        if (x >= free_x) {
            frame_put(f, x, axis_y, ROLE_DIM, lab, cx + cw - x);
            free_x = x + len + 1;
        }
    }
    char foot[200];
    if (ro.lowest < 0)
        snprintf(foot, sizeof foot, "%ld of %ld steps; no fall in the loss yet", n, total);
    else {
        /* the long words when they fit, else the three rates in few (the lesson names them) */
        bool wide = r.w - 2 >= 80;
        char steep[48] = "", above[48] = "";
        if (ro.steepest >= 0)
            snprintf(steep, sizeof steep, wide ? "steepest fall at lr %s, " : "steepest %s, ",
                     rate(b1, sizeof b1, schedule_range_lr(lo, hi, ro.steepest, total)));
        if (ro.above >= 0)
            snprintf(above, sizeof above, wide ? ", blows up (back above its start) from lr %s" : ", blows up %s",
                     rate(b3, sizeof b3, schedule_range_lr(lo, hi, ro.above, total)));
        snprintf(foot, sizeof foot, "%s%s%s%s", wide ? "smoothed loss: " : "", steep, wide ? "lowest at lr " : "lowest ",
                 rate(b2, sizeof b2, schedule_range_lr(lo, hi, ro.lowest, total)));
        strncat(foot, above, sizeof foot - strlen(foot) - 1);
    }
    char fitted[240];
    fit_words(fitted, sizeof fitted, foot, r.w - 2, a->ascii);
    frame_put(f, r.x + 1, r.y + r.h - 1, ROLE_NORMAL, fitted, r.w - 2);
    free(raw);
    free(sm);
}
