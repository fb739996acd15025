/* view_dist.c - the Distributions panel (9): the selected layer's activations a and dL/dz as
 * heat strips over the last steps (x = step, oldest left, one column a step; y = value; shade =
 * how many of that step's values lie there), and the update-to-weight ratio of the layers over
 * the same steps on a log axis centred on the 1e-3 guide line (makemore part 3's chart).
 * It only reads: dist.c keeps the histories and re-bins them onto the axis. */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "dist.h"
#include "palette.h"
#include "view.h"
#include "wrap.h"

#define MAX_ROWS 128 /* value bins a strip can show: 2 a cell, far more than any terminal */

static const char *const kind_name[DIST_KINDS] = {"a", "dL/dz"};

/* A value label of at most 8 columns (the label column holds PLOT_LABEL_W - 1). */
static void label(char *b, size_t cap, double v)
{
    fmt_compact(b, cap, v);
    if (strlen(b) > PLOT_LABEL_W - 1)
        snprintf(b, cap, "%.1e", v);
}

/* Shade 0 (no value) .. 7 (the step's most crowded bin); any value at all is at least 1, so a
 * lone outlier still shows. */
static int level_of(double c, double top) { return c > 0 && top > 0 ? 1 + (int)(6.999 * c / top) : 0; }

static void shade_cell(const app *a, frame *f, int x, int y, int top, int bottom, bool half)
{
    static const uint32_t blocks[4] = {0x2591, 0x2592, 0x2593, 0x2588}; /* ░▒▓█ */
    static const char ramp[] = " .:-=+*#%@";
    if (half) { /* two bins a cell: the top one in the foreground of ▀, the bottom one behind */
        frame_set(f, x, y, 0x2580, role_paint(pal_heat(top), pal_heat(bottom)));
        return;
    }
    uint32_t ch = a->ascii ? (uint32_t)ramp[top ? 1 + (top - 1) * 8 / 6 : 0] : top ? blocks[(top - 1) / 2] : ' '; /* 1..7 onto 1..9, 4 */
    /* with colour but no UTF-8: the ASCII glyph, coloured too, so either alone reads */
    frame_set(f, x, y, ch, a->colour ? role_paint(pal_heat(top), pal_heat(0)) : ROLE_NORMAL);
}

/* One strip: rows h from y, the label column (hi, name, lo) at r.x, steps first.. in columns. */
static void draw_strip(const app *a, const session *s, frame *f, rect r, dist_kind k, long first, int n, bool name_in_labels)
{
    int li = s->layer, x0 = r.x + PLOT_LABEL_W;
    bool half = a->colour && !a->ascii;
    /* at most MAX_ROWS bins: a strip taller than that (a 200-row terminal) keeps the height
     * the bins fill, so every row reads a bin that exists */
    int h = r.h < (half ? MAX_ROWS / 2 : MAX_ROWS) ? r.h : (half ? MAX_ROWS / 2 : MAX_ROWS);
    int nb = half ? 2 * h : h;
    r.h = h;
    double lo, hi;
    char b[32];
    if (!dist_range(s, li, k, first, first + n - 1, &lo, &hi)) {
        frame_put(f, r.x, r.y, ROLE_STRONG, kind_name[k], PLOT_LABEL_W - 1);
        frame_put(f, x0, r.y, ROLE_BAD, "no finite values", r.w - PLOT_LABEL_W);
        return;
    }
    if (!(hi > lo)) { /* every value the same (a dead ReLU's 0): a band around it */
        double d = fabs(lo) > 0 ? fabs(lo) / 2 : 1.0;
        lo -= d, hi += d;
    }
    for (int c = 0; c < n; c++) {
        long step = first + c;
        double cnt[MAX_ROWS] = {0}, top = 0;
        if (!dist_rebin(s, li, k, step, lo, hi, nb, cnt))
            continue; /* not held: a gap */
        for (int q = 0; q < nb; q++)
            top = cnt[q] > top ? cnt[q] : top;
        for (int row = 0; row < h; row++) {
            int qt = half ? nb - 1 - 2 * row : nb - 1 - row; /* bin 0 is lo, at the bottom */
            shade_cell(a, f, x0 + c, r.y + row, level_of(cnt[qt], top), half ? level_of(cnt[qt - 1], top) : 0, half);
        }
        const dist_summary *o = dist_at(s, li, k, step);
        if (o && o->nonfinite)
            frame_set(f, x0 + c, r.y, '!', ROLE_BAD);
    }
    /* the value axis: the top row's upper edge, the bottom row's lower edge, the middle */
    label(b, sizeof b, hi);
    frame_put(f, r.x, r.y, ROLE_DIM, b, PLOT_LABEL_W - 1);
    label(b, sizeof b, lo);
    frame_put(f, r.x, r.y + h - 1, ROLE_DIM, b, PLOT_LABEL_W - 1);
    if (name_in_labels && h >= 3)
        frame_put(f, r.x, r.y + (h - 1) / 2, ROLE_STRONG, kind_name[k], PLOT_LABEL_W - 1);
    else if (h >= 5) {
        label(b, sizeof b, hi - (hi - lo) * ((h - 1) / 2 + 0.5) / h);
        frame_put(f, r.x, r.y + (h - 1) / 2, ROLE_DIM, b, PLOT_LABEL_W - 1);
    }
}

/* The layers the ratio plot shows: those with weights, up to `most` spread over the net with
 * the selected one among them (only the selected one when most is 1). Returns how many. */
static int ratio_layers(const session *s, int most, int *out)
{
    const net *n = &s->t.net;
    if (most <= 1) {
        if (n->layers[s->layer].n_weights == 0)
            return 0;
        out[0] = s->layer;
        return 1;
    }
    int with[NET_MAX_LAYERS], m = 0, sel = 0;
    for (int i = 0; i < n->n_layers; i++)
        if (n->layers[i].n_weights) {
            if (i <= s->layer)
                sel = m;
            with[m++] = i;
        }
    if (m <= most) {
        for (int j = 0; j < m; j++)
            out[j] = with[j];
        return m;
    }
    /* spread over the net, the first and the last layer always, so the plot compares the
     * layers a lesson talks about (layer 0 against the output); the selected one replaces
     * the nearest of them */
    for (int k = 0; k < most; k++)
        out[k] = with[(int)((long)k * (m - 1) / (most - 1))];
    int near = 0;
    for (int k = 1; k < most; k++)
        near = abs(with[sel] - out[k]) < abs(with[sel] - out[near]) ? k : near;
    if (out[near] != with[sel] && (near == 0 || near == most - 1) && most > 2)
        near = near == 0 ? 1 : most - 2; /* keep the first and the last */
    out[near] = with[sel];
    for (int i = 1; i < most; i++) /* in layer order, for the legend */
        for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
            int tmp = out[j];
            out[j] = out[j - 1], out[j - 1] = tmp;
        }
    return most;
}

/* The update ratio over the same steps: 10^ratio on a log axis of whole decades that holds the
 * values and the 1e-3 guide with a decade to spare either side; the guide is drawn and labelled
 * on the row where a ratio of exactly 1e-3 would be plotted. Returns that row. */
static int draw_ratio(const app *a, const session *s, frame *f, rect r, long first, int n, const int *layers, int m)
{
    float y[SERIES_GLYPHS][DIST_STEPS]; /* n <= DIST_STEPS: the steps held */
    series sr[SERIES_GLYPHS];
    double lo = -4, hi = -2;
    for (int j = 0; j < m; j++) {
        for (int c = 0; c < n; c++) {
            float v = dist_ratio(s, layers[j], first + c);
            y[j][c] = isnan(v) ? NAN : (float)pow(10.0, v);
            if (isfinite(v))
                lo = v < lo ? v : lo, hi = v > hi ? v : hi;
        }
        sr[j] = series_of(j, y[j], n);
    }
    plot_axis ax = {floor(lo), ceil(hi), true};
    int cw = r.w - PLOT_LABEL_W - 1, ph = 4 * r.h;
    /* the row plot_series puts a value of 1e-3 on (view_plot.c: place, then 4 dots a row) */
    int gy = r.y + (ph - 1 - (int)((-3 - ax.lo) / (ax.hi - ax.lo) * (ph - 1))) / 4;
    frame_fill(f, r.x + PLOT_LABEL_W, gy, cw, a->ascii ? '-' : 0x2504, ROLE_DIM);
    if (m == 0) {
        frame_put(f, r.x + PLOT_LABEL_W, r.y == gy ? r.y + 1 : r.y, ROLE_DIM, "no weights here: no update ratio", cw);
        char b[16];
        snprintf(b, sizeof b, "1e%+d", (int)ax.hi);
        frame_put(f, r.x, r.y, ROLE_DIM, b, PLOT_LABEL_W - 1);
    } else
        plot_series(f, r, sr, m, cw, &ax, a->ascii); /* x: a column a step, as the strips */
    frame_put(f, r.x, gy, ROLE_DIM, "1e-3    ", PLOT_LABEL_W - 1);
    return gy;
}

/* "update ratio ┄ 1e-3  L1 ● L2 ▲": the guide, and which line is which layer (series j takes
 * glyph and colour j). With one layer, its newest ratio too. Returns the columns it takes,
 * drawing only when f is not NULL. */
static int ratio_legend(const app *a, const session *s, frame *f, int x, int y, int w, const int *layers, int m, bool caption)
{
    char line[240], b[16];
    snprintf(line, sizeof line, "%s %s 1e-3", caption ? "update ratio" : "ratio", a->ascii ? "--" : "\xE2\x94\x84");
    int used = f ? frame_put(f, x, y, ROLE_NORMAL, line, w) : (int)strlen(line) - (a->ascii ? 0 : 2);
    for (int j = 0; j < m; j++) {
        series sr = series_of(j, NULL, 0);
        char g[8], tag[48], v[24] = "";
        g[utf8_encode(a->ascii ? sr.ascii_glyph : sr.glyph, g)] = 0;
        float now = m == 1 ? dist_ratio(s, layers[j], s->t.state.step) : NAN;
        if (isfinite(now))
            snprintf(v, sizeof v, " now %s", fmt_compact(b, sizeof b, pow(10.0, now)));
        snprintf(tag, sizeof tag, " L%d %s%s", layers[j], g, v);
        used += f ? (used < w ? frame_put(f, x + used, y, sr.ro, tag, w - used) : 0) : (int)strlen(tag) - (int)strlen(g) + 1;
    }
    return used;
}

static void intro(const app *a, frame *f, rect r, int y)
{
    static const char text[] =
        "After each step: this layer's activations a and gradients dL/dz as heat strips (value up, "
        "step across, shade = how many values lie there), and the update/weight ratio of the layers "
        "against the 1e-3 guide. Press N for a step or r to run; up/down choose the layer.";
    int pos = 0, n = (int)strlen(text);
    wrap_line ln;
    (void)a;
    while (y < r.y + r.h && wrap_next(text, n, &pos, r.w - 2, &ln))
        frame_putn(f, r.x + 1, y++, ROLE_DIM, text + ln.start, (size_t)ln.len, r.w - 2);
}

static void title_of(const session *s, char *t, size_t cap, int room, long first, long last)
{
    const layer *L = &s->t.net.layers[s->layer];
    char what[64] = "", steps[48] = "";
    if (L->kind == LAYER_DENSE || L->kind == LAYER_BATCHNORM || L->kind == LAYER_LAYERNORM || L->kind == LAYER_RESIDUAL_END)
        snprintf(what, sizeof what, " (%s %s)", layer_kind_name(L->kind), act_name(L->act));
    else
        snprintf(what, sizeof what, " (%s)", layer_kind_name(L->kind));
    if (last >= first)
        snprintf(steps, sizeof steps, ", steps %ld-%ld", first, last);
    /* the longest that fits whole: a cut title would hide the step range */
    snprintf(t, cap, "Distributions: layer %d%s%s", s->layer, what, steps);
    if ((int)strlen(t) > room)
        snprintf(t, cap, "Distributions: layer %d%s", s->layer, steps);
    if ((int)strlen(t) > room)
        snprintf(t, cap, "Distributions: layer %d", s->layer);
}

void draw_dist(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    long first;
    int held = dist_steps(s, &first);
    int cw = r.w - PLOT_LABEL_W - 1; /* plot_series' canvas: the strips use the same columns */
    int n = held < cw ? held : cw;   /* one column a step: the newest that fit */
    first += held - n;
    char title[200];
    title_of(s, title, sizeof title, r.w - 8, first, first + n - 1);
    int y = lesson_panel_title(a, f, r, P_DIST, title);
    int H = r.y + r.h - y;
    if (n <= 0 || H < 4) {
        intro(a, f, r, y);
        return;
    }
    bool roomy = H >= 14, legend = H >= 9;
    int layers[SERIES_GLYPHS];
    /* several layers only where rows tell them apart, as many as the legend names whole */
    int m = ratio_layers(s, roomy ? SERIES_GLYPHS : 1, layers);
    while (legend && m > 1 && ratio_legend(a, s, NULL, 0, 0, 0, layers, m, roomy) > r.w - 1)
        m = ratio_layers(s, m - 1, layers);
    int fixed = roomy ? 4 : (legend ? 1 : 0); /* captions and the step axis, or the legend */
    int ratio_h = roomy ? (H - fixed) / 4 : (H >= 10 ? 3 : 2);
    int strip_h = (H - fixed - ratio_h) / 2;
    ratio_h = H - fixed - 2 * strip_h;
    char cap[160];
    for (int k = 0; k < DIST_KINDS; k++) {
        if (roomy) {
            snprintf(cap, sizeof cap, "%s", k == DIST_A ? "a, the activations (shade: share of the step's values)"
                                                        : "dL/dz, the gradient before the activation");
            if ((int)strlen(cap) > r.w - 1)
                snprintf(cap, sizeof cap, "%s", k == DIST_A ? "a, the activations" : "dL/dz");
            frame_put(f, r.x, y++, ROLE_NORMAL, cap, r.w - 1);
        }
        draw_strip(a, s, f, (rect){r.x, y, r.w, strip_h}, (dist_kind)k, first, n, !roomy);
        y += strip_h;
    }
    if (legend)
        ratio_legend(a, s, f, r.x, y++, r.w - 1, layers, m, roomy);
    int gy = draw_ratio(a, s, f, (rect){r.x, y, r.w, ratio_h}, first, n, layers, m);
    if (!legend) { /* no legend row: the label column says which plot this is, and its value now */
        float now = m == 1 ? dist_ratio(s, layers[0], s->t.state.step) : NAN;
        char b[16] = "ratio";
        if (isfinite(now))
            fmt_compact(b, sizeof b, pow(10.0, now));
        frame_put(f, r.x, gy == y ? y + 1 : y, ROLE_STRONG, b, PLOT_LABEL_W - 1);
    }
    y += ratio_h;
    if (roomy) { /* the step axis: the first and the last step under their columns */
        char b1[24], b2[24];
        int x0 = r.x + PLOT_LABEL_W;
        snprintf(b1, sizeof b1, "step %ld", first);
        snprintf(b2, sizeof b2, "%ld", first + n - 1);
        int l1 = (int)strlen(b1), l2 = (int)strlen(b2);
        frame_put(f, x0, y, ROLE_DIM, b1, cw);
        if (n - l2 > l1 + 1) /* room for the last one apart, ending under its column */
            frame_put(f, x0 + n - l2, y, ROLE_DIM, b2, l2);
    }
}
