/* view_plot.c - series of numbers on a braille canvas (2x4 dots a cell) with an axis that
 * turns logarithmic when the data span more than two decades: a loss that falls from 1e3
 * to 1e-25 is a line, not one spike over a flat floor. Used by the loss curves and the
 * comparison. */
#include <math.h>
#include <stdio.h>

#include "view.h"

typedef struct canvas {
    frame *f;
    int x, y, w, h; /* in cells */
    bool ascii;
} canvas;

static void dot(canvas *c, int px, int py, role ro, uint32_t ascii_glyph)
{
    if (px < 0 || py < 0 || px >= 2 * c->w || py >= 4 * c->h)
        return;
    int cx = c->x + px / 2, cy = c->y + py / 4;
    cell *ce = &c->f->cells[(size_t)cy * c->f->w + cx];
    if (c->ascii) { /* one glyph a cell: each series its own, so they differ without colour */
        *ce = (cell){ascii_glyph, (uint16_t)ro};
        return;
    }
    static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    uint32_t base = ce->ch >= 0x2800 && ce->ch <= 0x28FF ? ce->ch : 0x2800;
    *ce = (cell){base | bit[py % 4][px % 2], (uint16_t)ro};
}

const uint32_t series_glyph[SERIES_GLYPHS] = {0x25CF, 0x25B2, 0x25A0, 0x25C6, 0x271A, 0x2716};
const uint32_t series_ascii_glyph[SERIES_GLYPHS] = {'o', '^', '#', '*', '+', '@'}; /* term.c's stand-ins too */
/* Distinct colours, in the order series take them. */
const role series_role[SERIES_GLYPHS] = {ROLE_CODE, ROLE_GOOD, ROLE_BAD, ROLE_HEADING, ROLE_BORDER, ROLE_STRONG};

series series_of(int k, const float *y, long n)
{
    int i = k % SERIES_GLYPHS;
    return (series){y, NULL, n, series_role[i], series_glyph[i], series_ascii_glyph[i]};
}

plot_axis plot_fit(const series *s, int n, axis_mode mode)
{
    double lo = INFINITY, hi = -INFINITY, lo_pos = INFINITY;
    for (int i = 0; i < n; i++)
        for (long k = 0; k < s[i].n; k++) {
            double v = s[i].y[k];
            if (!isfinite(v))
                continue;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            if (v > 0 && v < lo_pos)
                lo_pos = v;
        }
    plot_axis ax = {0.0, 1.0, false};
    if (!(hi >= lo)) /* nothing finite */
        return ax;
    bool spans = lo_pos < INFINITY && hi > 0 && hi / lo_pos > 100.0;
    ax.log = mode == AXIS_LOG ? (hi > 0 && lo_pos < INFINITY) : (mode == AXIS_AUTO && spans);
    if (ax.log) {
        ax.lo = floor(log10(lo_pos)); /* whole decades, so the ticks read 1e-3, 1e-2, ... */
        ax.hi = ceil(log10(hi));
        if (ax.hi <= ax.lo)
            ax.hi = ax.lo + 1;
    } else {
        ax.lo = lo < 0 ? lo : 0.0; /* losses start their axis at 0 */
        ax.hi = hi > ax.lo ? hi : ax.lo + 1.0;
    }
    return ax;
}

/* Where v sits between the bottom (0) and the top (1) of the axis; NAN when it cannot be drawn. */
static double place(const plot_axis *ax, double v)
{
    if (!isfinite(v))
        return NAN;
    if (ax->log) {
        if (v <= 0)
            return 0.0; /* a zero loss sits on the floor */
        return (log10(v) - ax->lo) / (ax->hi - ax->lo);
    }
    return (v - ax->lo) / (ax->hi - ax->lo);
}

/* A label at the row of value 10^d (log) or v (linear), on the label column. */
static void tick(frame *f, int x, int y0, int h, int w, const plot_axis *ax, double at)
{
    char b[16];
    double frac = (at - ax->lo) / (ax->hi - ax->lo);
    int y = y0 + (int)lround((1.0 - frac) * (h - 1));
    if (ax->log)
        snprintf(b, sizeof b, "1e%+d", (int)at);
    else
        fmt_compact(b, sizeof b, at);
    frame_put(f, x, y, ROLE_DIM, b, w);
}

void plot_series(frame *f, rect r, const series *s, int n, long x_len, const plot_axis *ax, bool ascii)
{
    int label_w = PLOT_LABEL_W;
    canvas c = {f, r.x + label_w, r.y, r.w - label_w - 1, r.h, ascii};
    if (c.w < 4 || c.h < 2)
        return;
    if (x_len < 1)
        x_len = 1;
    int pw = 2 * c.w, ph = 4 * c.h;
    for (int i = 0; i < n; i++) {
        const series *sr = &s[i];
        int last_px = -1, last_py = -1;
        if (sr->x) { /* points at given steps (validation loss per epoch) */
            for (long k = 0; k < sr->n; k++) {
                double fr = place(ax, sr->y[k]);
                if (isnan(fr))
                    continue;
                int px = (int)((double)sr->x[k] / (double)x_len * (pw - 1)), py = ph - 1 - (int)(fr * (ph - 1));
                if (px < 0 || px >= pw)
                    continue; /* beyond the steps shown */
                dot(&c, px, py, sr->ro, sr->ascii_glyph);
                last_px = px, last_py = py;
            }
        } else { /* one dot per pixel column: the mean of its steps, every series on one x scale */
            for (int px = 0; px < pw; px++) {
                long k0 = x_len * px / pw, k1 = x_len * (px + 1) / pw;
                if (k1 <= k0)
                    k1 = k0 + 1;
                if (k0 >= sr->n)
                    break;
                double sum = 0;
                long m = 0;
                for (long k = k0; k < k1 && k < sr->n; k++)
                    if (isfinite(sr->y[k]))
                        sum += sr->y[k], m++;
                double fr = m ? place(ax, sum / (double)m) : NAN;
                if (isnan(fr))
                    continue;
                int py = ph - 1 - (int)(fr * (ph - 1));
                dot(&c, px, py, sr->ro, sr->ascii_glyph);
                last_px = px, last_py = py;
            }
        }
        /* the series' glyph on its newest point: told apart without colour (inside the canvas
         * only: a point's step may lie past the steps plotted) */
        if (last_px >= 0 && last_px < pw && last_py >= 0 && last_py < ph && !ascii)
            frame_set(f, c.x + last_px / 2, c.y + last_py / 4, sr->glyph, sr->ro);
    }
    tick(f, r.x, r.y, c.h, label_w - 1, ax, ax->hi);
    if (c.h >= 5) /* a middle tick: a whole decade on a log axis */
        tick(f, r.x, r.y, c.h, label_w - 1, ax, ax->log ? round((ax->lo + ax->hi) / 2) : (ax->lo + ax->hi) / 2);
    tick(f, r.x, r.y, c.h, label_w - 1, ax, ax->lo);
}
