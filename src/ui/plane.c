/* plane.c - the input plane's model: where the picture goes in the Data panel, the net's
 * prediction at each of its pixels, the selected hidden layer's units over a coarser grid, and
 * each data row's place and whether the net gets it wrong. Recomputed only when what it shows
 * could have changed: the net's parameters or batchnorm buffers (a step forward or back, an
 * edit), the panel's size or the selected layer. A forward micro-step changes no parameter, so
 * it costs one comparison of the parameters, not a pass over the grid. */
#include "plane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "session.h"

#define LABEL_W_MAX 6 /* y labels are at most 5 characters, then a space */

double plane_raw(const session *s, int j, double v)
{
    const dataset *ds = s->t.data;
    double sc = ds->scale[j];
    if (sc != 0)
        return (v - ds->shift[j]) / sc;
    /* a constant feature: every row has the one value */
    return ds->raw_f32 ? ds->raw_f32[j] : (ds->raw_u8 ? ds->raw_u8[j] : v);
}

/* v in at most 5 characters, with as many significant digits (up to 3) as fit; 0 when it is
 * within rounding of 0 on an axis spanning span (so no "-2e-17", no "-0"). */
static void fmt5(char *out, double v, double span)
{
    if (fabs(v) < 1e-6 * fabs(span) || v == 0)
        v = 0;
    for (int p = 3; p >= 1; p--) {
        snprintf(out, PLANE_LABEL_MAX, "%.*g", p, v);
        if (strlen(out) <= 5)
            return;
    }
    char e[PLANE_LABEL_MAX + 8];
    snprintf(e, sizeof e, "%.0e", v); /* "-1e+05": drop the "+" and the exponent's leading zeros */
    char *o = out, *c = e;
    for (; *c && *c != 'e'; c++)
        *o++ = *c;
    if (*c == 'e') {
        *o++ = *c++;
        if (*c == '+')
            c++;
        else if (*c == '-')
            *o++ = *c++;
        while (*c == '0' && c[1])
            c++;
        while (*c && o < out + PLANE_LABEL_MAX - 1)
            *o++ = *c++;
    }
    *o = '\0';
}

static bool same(const float *a, const float *b, size_t n) { return n == 0 || memcmp(a, b, n * sizeof(float)) == 0; }

/* The net's predicted class and its confidence from one row of probabilities (K of them), by
 * the rule the accuracy uses: argmax, or for one output p > 0.5 (bce) / p >= 0.5 (mse). */
static int predicted(const float *pr, int K, bool bce, float *conf)
{
    if (K == 1) {
        float p = pr[0];
        int c = bce ? p > 0.5f : p >= 0.5f;
        float q = c ? p : 1 - p;
        *conf = q < 0 ? 0 : (q > 1 ? 1 : q);
        return c;
    }
    int best = 0;
    for (int k = 1; k < K; k++)
        if (pr[k] > pr[best])
            best = k;
    *conf = pr[best];
    return best;
}

/* How the tiles go into a region rw x rh cells: tiles of tr rows (2 tr pixels) and 2 tr columns,
 * each under a one-row label, a column apart; the largest size that shows every unit, else the
 * smallest, as many as fit. Returns the slots, 0 when not even one fits. */
static int fit_tiles(int rw, int rh, int n, int *tr_out, int *per_row)
{
    for (int tr = 4; tr >= 2; tr--) {
        int pr = (rw + 1) / (2 * tr + 1), rows = rh / (tr + 1);
        if ((pr * rows >= n) || tr == 2) {
            *tr_out = tr, *per_row = pr;
            return pr * rows;
        }
    }
    return 0;
}

/* Where the plot, the labels, the tiles and the legend go in a panel w x h (row 0 the title). */
static bool place(plane_cache *p, int w, int h, int n_units)
{
    int rows = h - 3; /* then the x labels' row and the legend's */
    int avail = w - LABEL_W_MAX;
    if (rows < 2 || avail < 8)
        return false;
    int P = rows, cols = avail, tx = 0, ty = 0, rw = 0, rh = 0;
    p->note_w = 0;
    if (n_units == 0 && 4 * rows < avail) { /* no tiles: at most twice as wide as square, a note beside */
        cols = 4 * rows;
        p->note_x = LABEL_W_MAX + cols + 2, p->note_y = 1, p->note_w = w - p->note_x, p->note_h = rows + 1;
        if (p->note_w < 12)
            cols = avail, p->note_w = 0;
    } else if (n_units > 0 && 2 * rows <= avail) { /* a wide panel: square plot, the tiles to its right */
        cols = 2 * rows < avail / 2 ? 2 * rows : avail / 2;
        tx = LABEL_W_MAX + cols + 1, ty = 1, rw = w - tx, rh = rows + 1;
    } else if (n_units > 0) { /* a tall one: the tiles below the x labels */
        int most = avail / 2 < rows - 3 ? avail / 2 : rows - 3, least = rows * 3 / 5;
        P = least < most ? least : most;
        for (int tr = 4; tr >= 2; tr--) { /* the largest tiles that show every unit, if the plot keeps 3/5 */
            int pr = (w + 1) / (2 * tr + 1), need = pr ? (n_units + pr - 1) / pr * (tr + 1) : rows;
            if (rows - need >= least) {
                P = rows - need < most ? rows - need : most;
                break;
            }
        }
        tx = 0, ty = P + 2, rw = w, rh = rows - P;
    }
    p->px = LABEL_W_MAX, p->py = 1, p->pw = cols, p->ph = 2 * P;
    p->xrow = 1 + P;
    p->legend_row = h - 1;
    p->n_tiles = 0, p->more_x = p->more_y = -1;
    p->tw = p->th = 0;
    if (n_units > 0) {
        int tr = 2, per_row = 0, slots = fit_tiles(rw, rh, n_units, &tr, &per_row);
        int shown = slots >= n_units ? n_units : (slots > 0 ? slots - 1 : 0);
        p->tw = 2 * tr, p->th = 2 * tr;
        p->tiles = xrealloc(p->tiles, (size_t)(shown > 0 ? shown : 1), sizeof *p->tiles);
        for (int k = 0; k < shown; k++)
            p->tiles[k] = (plane_tile){tx + k % per_row * (2 * tr + 1), ty + k / per_row * (tr + 1) + 1, k};
        p->n_tiles = shown;
        if (shown < n_units && slots > 0)
            p->more_x = tx + shown % per_row * (2 * tr + 1), p->more_y = ty + shown / per_row * (tr + 1);
    }
    return true;
}

/* The normalised extent of every row (training, validation and test), with a margin. */
static void data_range(const float *x, int n, plane_cache *p)
{
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2; j++)
            if (isfinite(x[2 * i + j]))
                lo[j] = fmin(lo[j], x[2 * i + j]), hi[j] = fmax(hi[j], x[2 * i + j]);
    for (int j = 0; j < 2; j++) {
        if (!(hi[j] >= lo[j]))
            lo[j] = -1, hi[j] = 1;
        double span = hi[j] - lo[j], m = span > 0 ? 0.08 * span : 1.0;
        lo[j] -= m, hi[j] += m;
    }
    p->x0 = lo[0], p->x1 = hi[0], p->y0 = lo[1], p->y1 = hi[1];
}

/* Inputs at the centres of a cols x rows pixel grid over the range, top row first. */
static void fill_grid(const plane_cache *p, float *g, int cols, int rows)
{
    for (int j = 0; j < rows; j++)
        for (int i = 0; i < cols; i++) {
            g[2 * ((size_t)j * cols + i)] = (float)(p->x0 + (i + 0.5) * (p->x1 - p->x0) / cols);
            g[2 * ((size_t)j * cols + i) + 1] = (float)(p->y1 - (j + 0.5) * (p->y1 - p->y0) / rows);
        }
}

/* "Nice" values on an axis from lo to hi (raw units): multiples of 1, 2 or 5 times a power of
 * ten, two to four of them. Returns how many, at most PLANE_TICKS. */
static int nice_ticks(double lo, double hi, double *v)
{
    double span = hi - lo;
    if (!(span > 0) || !isfinite(span))
        return 0;
    double mag = pow(10, floor(log10(span / 3))), step = mag;
    const double mult[] = {1, 2, 5, 10};
    for (int k = 0; k < 4; k++)
        if ((step = mult[k] * mag) >= span / 3.5)
            break;
    int n = 0;
    for (double k = ceil(lo / step); k * step <= hi && n < PLANE_TICKS; k++)
        v[n++] = k * step;
    return n;
}

static void axis_labels(const session *s, plane_cache *p)
{
    const dataset *ds = s->t.data;
    int P = p->ph / 2, longest = 1;
    double v[PLANE_TICKS];
    /* y: each nice value on the row its position falls in, the first of any two in one row */
    double r0 = plane_raw(s, 1, p->y0), r1 = plane_raw(s, 1, p->y1);
    int n = ds->scale[1] != 0 ? nice_ticks(fmin(r0, r1), fmax(r0, r1), v) : 0;
    p->n_y = 0;
    for (int k = 0; k < n; k++) {
        double yn = v[k] * ds->scale[1] + ds->shift[1];
        int row = (int)floor((p->y1 - yn) / (p->y1 - p->y0) * P);
        if (row < 0 || row >= P)
            continue;
        bool taken = false;
        for (int j = 0; j < p->n_y; j++)
            taken |= p->yrow[j] == p->py + row;
        if (taken)
            continue;
        p->yrow[p->n_y] = p->py + row, p->yval[p->n_y] = v[k];
        fmt5(p->ylab[p->n_y], v[k], r1 - r0);
        longest = (int)strlen(p->ylab[p->n_y]) > longest ? (int)strlen(p->ylab[p->n_y]) : longest;
        p->n_y++;
    }
    /* short labels give their columns to the plot */
    int spare = LABEL_W_MAX - 1 - longest;
    p->px -= spare, p->pw += spare;
    /* x: each label centred on its value's column, left out where it would touch the one before
     * or leave the plot's columns (and the label column before them) */
    r0 = plane_raw(s, 0, p->x0), r1 = plane_raw(s, 0, p->x1);
    n = ds->scale[0] != 0 ? nice_ticks(fmin(r0, r1), fmax(r0, r1), v) : 0;
    p->n_x = 0;
    int free_from = 0;
    for (int k = 0; k < n; k++) {
        double xn = v[k] * ds->scale[0] + ds->shift[0];
        int col = (int)floor((xn - p->x0) / (p->x1 - p->x0) * p->pw);
        if (col < 0 || col >= p->pw)
            continue;
        fmt5(p->xlab[p->n_x], v[k], r1 - r0);
        int len = (int)strlen(p->xlab[p->n_x]), at = p->px + col - (len - 1) / 2;
        if (at < free_from || at + len > p->px + p->pw + 1)
            continue;
        p->xcol[p->n_x] = at, p->xtick[p->n_x] = p->px + col, p->xval[p->n_x] = v[k];
        p->n_x++;
        free_from = at + len + 1;
    }
}

static void points(session *s, plane_cache *p)
{
    trainer *t = &s->t;
    const split *sp = t->split;
    int K = net_out_width(&t->net);
    const int *set[3] = {sp->test, sp->val, sp->train}; /* drawing order: training points on top */
    const int n_set[3] = {sp->n_test, sp->n_val, sp->n_train}, kind[3] = {PLANE_TEST, PLANE_VAL, PLANE_TRAIN};
    int n = sp->n_test + sp->n_val + sp->n_train;
    p->stride = (n + PLANE_MAX_POINTS - 1) / PLANE_MAX_POINTS;
    p->stride = p->stride < 1 ? 1 : p->stride;
    p->pts = xrealloc(p->pts, (size_t)(n ? n : 1), sizeof *p->pts);
    float *pr = xcalloc((size_t)(n ? n : 1) * K, sizeof(float));
    int *rows = xcalloc((size_t)(n ? n : 1), sizeof(int));
    float x[2];
    p->n_pts = p->n_wrong = 0;
    for (int k = 0; k < 3; k++) {
        int m = 0; /* the rows drawn: every stride-th */
        for (int i = 0; i < n_set[k]; i += p->stride)
            rows[m++] = set[k][i];
        if (!m)
            continue;
        trainer_predict(t, rows, m, pr);
        for (int i = 0; i < m; i++) {
            int row = rows[i], label;
            dataset_gather(t->data, &row, 1, x, &label);
            float conf;
            int c = predicted(pr + (size_t)i * K, K, p->bce, &conf);
            double fx = (x[0] - p->x0) / (p->x1 - p->x0) * p->pw, fy = (p->y1 - x[1]) / (p->y1 - p->y0) * p->ph;
            int col = isfinite(fx) ? (int)floor(fx) : 0, prow = isfinite(fy) ? (int)floor(fy) : 0;
            col = col < 0 ? 0 : (col >= p->pw ? p->pw - 1 : col);
            prow = prow < 0 ? 0 : (prow >= p->ph ? p->ph - 1 : prow);
            plane_point *q = &p->pts[p->n_pts++];
            *q = (plane_point){row, (int16_t)col, (int16_t)prow, (int16_t)label, (uint8_t)kind[k], c != label};
            p->n_wrong += q->wrong;
        }
    }
    free(rows);
    free(pr);
}

static void predict_grid(session *s, plane_cache *p)
{
    trainer *t = &s->t;
    int K = net_out_width(&t->net);
    size_t npx = (size_t)p->pw * p->ph;
    p->grid = xrealloc(p->grid, npx * 2, sizeof(float));
    p->probs = xrealloc(p->probs, npx * K, sizeof(float));
    p->cls = xrealloc(p->cls, npx, 1);
    p->conf = xrealloc(p->conf, npx, sizeof(float));
    fill_grid(p, p->grid, p->pw, p->ph);
    trainer_eval_inputs(t, p->grid, (int)npx, p->probs, -1, NULL);
    for (size_t i = 0; i < npx; i++)
        p->cls[i] = (uint8_t)predicted(p->probs + i * K, K, p->bce, &p->conf[i]);
    if (p->tiles_layer < 0 || p->n_tiles == 0)
        return;
    size_t ntp = (size_t)p->tw * p->th;
    p->tile_grid = xrealloc(p->tile_grid, ntp * 2, sizeof(float));
    float *a = xcalloc(ntp * p->n_units, sizeof(float));
    p->unit_a = xrealloc(p->unit_a, ntp * p->n_units, sizeof(float));
    fill_grid(p, p->tile_grid, p->tw, p->th);
    trainer_eval_inputs(t, p->tile_grid, (int)ntp, NULL, p->tiles_layer, a);
    /* (pixel, unit) as the engine keeps it, to (unit, pixel) as each tile is drawn */
    float top = 0;
    for (size_t i = 0; i < ntp; i++)
        for (int u = 0; u < p->n_units; u++) {
            float v = a[i * p->n_units + u];
            p->unit_a[(size_t)u * ntp + i] = v;
            top = isfinite(v) && fabsf(v) > top ? fabsf(v) : top;
        }
    p->unit_scale = top > 0 ? top : 1;
    free(a);
}

static void plane_range(session *s, plane_cache *p);

void plane_update(session *s, int w, int h)
{
    if (!s->t.data || s->t.data->d != 2)
        return;
    if (!s->plane)
        s->plane = xcalloc(1, sizeof *s->plane);
    plane_cache *p = s->plane;
    const net *n = &s->t.net;
    int sel = s->layer;
    if (p->valid && p->w == w && p->h == h && p->layer == sel && p->n_params == n->n_params &&
        p->n_buffers == n->n_buffers && same(p->params, n->params, n->n_params) &&
        same(p->buffers, n->buffers, n->n_buffers)) {
        p->micro = s->t.state.micro;
        return;
    }
    p->w = w, p->h = h, p->layer = sel, p->micro = s->t.state.micro;
    p->n_params = n->n_params, p->n_buffers = n->n_buffers;
    p->params = xrealloc(p->params, n->n_params ? n->n_params : 1, sizeof(float));
    p->buffers = xrealloc(p->buffers, n->n_buffers ? n->n_buffers : 1, sizeof(float));
    memcpy(p->params, n->params, n->n_params * sizeof(float));
    memcpy(p->buffers, n->buffers, n->n_buffers * sizeof(float));
    int K = net_out_width(n);
    p->bce = n->loss == LOSS_BCE && K == 1;
    p->K = K > 1 ? K : 2;
    bool hidden = sel >= 0 && sel < n->n_layers - 1;
    p->tiles_layer = hidden ? sel : -1;
    p->n_units = hidden ? n->layers[sel].n_out : 0;
    p->valid = place(p, w, h, p->n_units);
    if (!p->valid)
        return;
    if (p->n_tiles == 0)
        p->tiles_layer = -1;
    /* the range from every row, normalised as the net sees it: once, the data never changes */
    if (!p->have_range)
        plane_range(s, p);
    axis_labels(s, p);
    predict_grid(s, p);
    p->computed++;
    points(s, p);
}

static void plane_range(session *s, plane_cache *p)
{
    const split *sp = s->t.split;
    int nr = sp->n_train + sp->n_val + sp->n_test;
    int *rows = xcalloc((size_t)nr, sizeof(int));
    if (sp->n_train) /* an empty split's array may be NULL */
        memcpy(rows, sp->train, (size_t)sp->n_train * sizeof(int));
    if (sp->n_val)
        memcpy(rows + sp->n_train, sp->val, (size_t)sp->n_val * sizeof(int));
    if (sp->n_test)
        memcpy(rows + sp->n_train + sp->n_val, sp->test, (size_t)sp->n_test * sizeof(int));
    float *x = xcalloc((size_t)nr * 2, sizeof(float));
    dataset_gather(s->t.data, rows, nr, x, NULL);
    data_range(x, nr, p);
    p->have_range = true;
    free(x);
    free(rows);
}

void plane_free(plane_cache *p)
{
    if (!p)
        return;
    free(p->params);
    free(p->buffers);
    free(p->cls);
    free(p->conf);
    free(p->probs);
    free(p->grid);
    free(p->tiles);
    free(p->unit_a);
    free(p->tile_grid);
    free(p->pts);
    free(p);
}
