/* view_sample.c - the Data panel's image views: a row of the batch with the net's prediction,
 * the validation confusion matrix, the worst examples, a first-layer unit's weights. They read
 * what samples.c keeps; pictures are painted half blocks with colour, shading glyphs without. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "palette.h"
#include "samples.h"
#include "view.h"
#include "wrap.h"

#define MAX_CLASSES_SHOWN 64
/* The largest a picture is drawn: small images (8x8) twice their size, big ones (28x28) their own. */
#define ENLARGE(side) ((side) < 16 ? 2 * (side) : (side))

static const char ascii_ramp[] = " .:-=+*#%@";
static const uint32_t utf_ramp[] = {' ', 0x2591, 0x2592, 0x2593, 0x2588}; /* ░▒▓█ */

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Pictures are painted half blocks only with colour and UTF-8 (LANG=C has no U+2580): else
 * shading glyphs, which say the same without colour. */
static bool painted(const app *a) { return a->colour && !a->ascii; }

static void set_in(frame *f, rect r, int x, int y, uint32_t ch, unsigned ro)
{
    if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h)
        frame_set(f, x, y, ch, (role)ro);
}

/* ---- pictures ------------------------------------------------------------------------ */

/* The mean of source pixels under target pixel (i, j) of a p x p resampling of side x side. */
static float resample(const float *v, int side, int p, int i, int j)
{
    int r0 = i * side / p, r1 = ((i + 1) * side + p - 1) / p;
    int c0 = j * side / p, c1 = ((j + 1) * side + p - 1) / p;
    r1 = r1 > r0 ? r1 : r0 + 1, c1 = c1 > c0 ? c1 : c0 + 1;
    double sum = 0;
    for (int y = r0; y < r1; y++)
        for (int x = c0; x < c1; x++)
            sum += v[y * side + x];
    return (float)(sum / ((r1 - r0) * (c1 - c0)));
}

/* A pixel's paint: grey from lo (black) to hi (white); diverging (lo unused, hi = the largest
 * magnitude): light grey near 0, blue deepening for positive, orange for negative. */
static int pixel_paint(float v, float lo, float hi, bool diverging)
{
    if (!diverging)
        return pal_grey((int)lroundf((v - lo) / (hi - lo) * 7));
    int level = clampi((int)lroundf(fabsf(v) / hi * 4), 0, 4);
    return level == 0 ? pal_grey(6) : pal_class(v > 0 ? 1 : 0, level - 1);
}

static uint32_t pixel_glyph(bool ascii, float v, float lo, float hi, bool diverging)
{
    if (diverging) { /* the sign in the glyph: + # positive, - = negative */
        int level = clampi((int)lroundf(fabsf(v) / hi * 4), 0, 4);
        return level == 0 ? ' ' : v > 0 ? (level > 2 ? '#' : '+') : (level > 2 ? '=' : '-');
    }
    float t = (v - lo) / (hi - lo);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return ascii ? (uint32_t)ascii_ramp[(int)lroundf(t * 9)] : utf_ramp[(int)lroundf(t * 4)];
}

/* The largest picture of a side x side image that fits w x h cells: painted, two pixels per
 * cell (a half block); as glyphs, one pixel per cell row and two columns per pixel, so it
 * stays square; at most `most` pixels a side. */
static int picture_px(const app *a, int w, int h, int most)
{
    int p = painted(a) ? (w < 2 * h ? w : 2 * h) : (w / 2 < h ? w / 2 : h);
    p = p < most ? p : most;
    if (painted(a) && p > 1)
        p &= ~1;
    return p < 1 ? 1 : p;
}

/* Draws v (side x side) at (x, y) within r, fitted to w x h cells; returns the columns used
 * and the rows in *rows. */
static int draw_picture(const app *a, frame *f, rect r, int x, int y, int w, int h, const float *v, int side,
                        int most, float lo, float hi, bool diverging, int *rows)
{
    if (!(hi > lo))
        hi = lo + 1;
    int p = picture_px(a, w, h, most);
    if (painted(a)) {
        for (int i = 0; i < p; i += 2)
            for (int j = 0; j < p; j++) {
                int top = pixel_paint(resample(v, side, p, i, j), lo, hi, diverging);
                int bot = i + 1 < p ? pixel_paint(resample(v, side, p, i + 1, j), lo, hi, diverging) : top;
                set_in(f, r, x + j, y + i / 2, 0x2580, role_paint(top, bot));
            }
        *rows = (p + 1) / 2;
        return p;
    }
    for (int i = 0; i < p; i++)
        for (int j = 0; j < p; j++) {
            uint32_t g = pixel_glyph(a->ascii, resample(v, side, p, i, j), lo, hi, diverging);
            set_in(f, r, x + 2 * j, y + i, g, ROLE_NORMAL);
            set_in(f, r, x + 2 * j + 1, y + i, g, ROLE_NORMAL);
        }
    *rows = p;
    return 2 * p;
}

static void value_range(const float *v, int n, float *lo, float *hi)
{
    *lo = *hi = n ? v[0] : 0;
    for (int k = 1; k < n; k++)
        *lo = v[k] < *lo ? v[k] : *lo, *hi = v[k] > *hi ? v[k] : *hi;
}

/* A bar of frac (0..1) of w cells, in eighths with UTF-8. */
static void draw_bar(const app *a, frame *f, int x, int y, int w, double frac, role ro)
{
    static const uint32_t eighths[8] = {0x258F, 0x258E, 0x258D, 0x258C, 0x258B, 0x258A, 0x2589, 0x2588};
    frac = isfinite(frac) ? (frac < 0 ? 0 : frac > 1 ? 1 : frac) : 0;
    int units = (int)lround(frac * w * 8);
    for (int k = 0; k < w; k++) {
        int u = units - 8 * k;
        if (u <= 0)
            frame_set(f, x + k, y, a->ascii ? '.' : 0x00B7, ROLE_DIM);
        else if (a->ascii)
            frame_set(f, x + k, y, u >= 4 ? '#' : '.', ro);
        else
            frame_set(f, x + k, y, eighths[(u > 8 ? 8 : u) - 1], ro);
    }
}

static void pct(char *buf, size_t cap, double p)
{
    snprintf(buf, cap, isfinite(p) ? "%.0f%%" : "?", 100 * p);
}

/* Lines of text cut to w columns, from (x, y) down to the panel's bottom; returns the next row. */
static int put_lines(frame *f, int x, int y, int bottom, int w, role ro, const char *const *lines, int n)
{
    for (int k = 0; k < n && y < bottom; k++, y++)
        frame_put(f, x, y, ro, lines[k], w);
    return y;
}

/* Text word-wrapped to w columns from (x, y) down to the panel's bottom; returns the next row. */
static int put_wrapped(frame *f, int x, int y, int bottom, int w, role ro, const char *text)
{
    int pos = 0, n = (int)strlen(text);
    wrap_line ln;
    while (y < bottom && wrap_next(text, n, &pos, w, &ln))
        frame_putn(f, x, y++, ro, text + ln.start, (size_t)ln.len, w);
    return y;
}

/* ---- the sample ---------------------------------------------------------------------- */

/* The class probabilities as bars, in columns when the rows run out; the top ones by
 * probability (said so) when even that does not fit. */
static void draw_prob_bars(const app *a, frame *f, int x, int y, int w, int bottom, const float *p, int C, int truth,
                           int pred)
{
    int rows = bottom - y, order[MAX_CLASSES_SHOWN], n = C < MAX_CLASSES_SHOWN ? C : MAX_CLASSES_SHOWN;
    if (rows < 1)
        return;
    int lw = C > 10 ? (C > 100 ? 3 : 2) : 1, entry = lw + 1 + 4 + 5; /* "7 ####  93%" */
    int cols = (n + rows - 1) / rows, colw = cols ? w / cols : w;
    for (int k = 0; k < n; k++)
        order[k] = k;
    bool top = colw < entry || C > n;
    if (top) { /* the most probable first, as many as fit */
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && p[order[j]] > p[order[j - 1]]; j--) {
                int tmp = order[j];
                order[j] = order[j - 1], order[j - 1] = tmp;
            }
        cols = w / (entry + 4) > 0 ? w / (entry + 4) : 1;
        colw = w / cols;
        n = n < cols * (rows - 1) ? n : cols * (rows - 1);
        if (rows < 2)
            n = 0;
    }
    for (int k = 0; k < n; k++) {
        int c = order[k], cx = x + (k / rows) * colw, cy = y + k % rows, bw = colw - lw - 1 - 6;
        char lab[8], v[8];
        snprintf(lab, sizeof lab, "%*d", lw, c);
        frame_put(f, cx, cy, c == truth ? ROLE_STRONG : ROLE_DIM, lab, lw);
        draw_bar(a, f, cx + lw + 1, cy, bw, p[c], c == pred ? (pred == truth ? ROLE_GOOD : ROLE_BAD) : ROLE_NORMAL);
        pct(v, sizeof v, p[c]);
        char pc[12];
        snprintf(pc, sizeof pc, "%5s", v);
        frame_put(f, cx + lw + 1 + bw, cy, ROLE_NORMAL, pc, 5);
    }
    if (top && rows >= 2) {
        char note[48];
        snprintf(note, sizeof note, "the %d most probable of %d classes", n, C);
        frame_put(f, x, bottom - 1, ROLE_DIM, note, w);
    }
}

/* The features of a row that is not an image: name and value, in columns, as many as fit. */
static void draw_features(const session *s, frame *f, int x, int y, int w, int bottom, const float *v)
{
    const dataset *d = s->t.data;
    int rows = bottom - y, colw = 20, cols = w / colw > 0 ? w / colw : 1, room = rows * cols, shown = d->d;
    if (rows < 1)
        return;
    if (shown > room)
        shown = room - 1;
    for (int k = 0; k < shown; k++) {
        char name[24], num[16], entry[40];
        if (d->feature_names && d->feature_names[k])
            snprintf(name, sizeof name, "%s", d->feature_names[k]);
        else
            snprintf(name, sizeof name, "x%d", k);
        fmt_compact(num, sizeof num, v[k]);
        int nw = colw - 2 - (int)strlen(num);
        snprintf(entry, sizeof entry, "%-*.*s %s", nw, nw, name, num);
        frame_put(f, x + (k / rows) * colw, y + k % rows, ROLE_NORMAL, entry, colw - 1);
    }
    if (shown < d->d) {
        char more[32];
        snprintf(more, sizeof more, "+%d more features", d->d - shown);
        frame_put(f, x + ((room - 1) / rows) * colw, y + (room - 1) % rows, ROLE_DIM, more, colw - 1);
    }
}

void draw_sample(const app *a, const session *s, frame *f, rect r)
{
    int n = samples_batch_rows(s), sel = clampi(s->data_sel, 0, n > 0 ? n - 1 : 0);
    char title[160];
    if (n > 0)
        snprintf(title, sizeof title, "Data: sample, batch row %d of %d, up/down", sel + 1, n);
    else
        snprintf(title, sizeof title, "Data: sample");
    int y = lesson_panel_title(a, f, r, P_DATA, title), bottom = r.y + r.h, x = r.x + 1, w = r.w - 2;
    if (n == 0) {
        frame_put(f, x, y, ROLE_DIM, "press n to load a batch", w);
        return;
    }
    const dataset *d = s->t.data;
    int row = samples_batch_data_row(s, sel), truth = s->t.labels[sel], side = data_image_side(s);
    float vals[DATA_MAX_FEATURES > 4096 ? 4096 : DATA_MAX_FEATURES];
    int tx = x, tw = w;
    if (side > 0 && d->d <= (int)(sizeof vals / sizeof vals[0])) {
        samples_row_values(s, row, vals);
        float lo, hi;
        value_range(vals, d->d, &lo, &hi);
        int rows, iw = draw_picture(a, f, r, x, y, w / 2, bottom - y, vals, side, ENLARGE(side), lo, hi, false, &rows);
        tx = x + iw + 2, tw = w - iw - 2;
    }
    char line[160];
    snprintf(line, sizeof line, "label %d (data row %d)", truth, row);
    frame_put(f, tx, y, ROLE_STRONG, line, tw);
    y++;
    float probs[MAX_CLASSES_SHOWN];
    int C = samples_classes(s), pred = -1;
    bool classifies = data_classifies(s);
    if (C > MAX_CLASSES_SHOWN) {
        frame_put(f, tx, y++, ROLE_DIM, "too many outputs to draw", tw);
    } else if (!samples_batch_probs(s, sel, probs, &pred)) {
        y = put_wrapped(f, tx, y, bottom, tw, ROLE_DIM, "the prediction comes with the forward pass: press n");
    } else {
        char p[8];
        pct(p, sizeof p, classifies ? probs[pred] : NAN);
        if (classifies)
            snprintf(line, sizeof line, "predicted %d (%s): %s", pred, p, pred == truth ? "right" : "wrong");
        else
            snprintf(line, sizeof line, "outputs (%s loss)", loss_name(s->t.net.loss));
        frame_put(f, tx, y++, classifies ? (pred == truth ? ROLE_GOOD : ROLE_BAD) : ROLE_NORMAL, line, tw);
        if (side > 0 || d->d <= 0)
            draw_prob_bars(a, f, tx, y, tw, bottom, probs, C, truth, classifies ? pred : -1);
        else { /* features below, the probabilities on one line */
            char *o = line;
            for (int k = 0; k < C && o < line + sizeof line - 16; k++)
                o += snprintf(o, 16, "%s%d:%.0f%%", k ? " " : "p ", k, 100 * probs[k]);
            frame_put(f, tx, y++, ROLE_NORMAL, line, tw);
        }
    }
    if (side == 0 && d->d <= (int)(sizeof vals / sizeof vals[0])) {
        samples_row_values(s, row, vals);
        draw_features(s, f, x, y, w, bottom, vals);
    }
}

/* ---- the confusion matrix ------------------------------------------------------------ */

/* What to say when there is no matrix (none yet, none kept, no validation rows). */
static void no_matrix(const session *s, frame *f, int x, int y, int bottom, int w)
{
    char why[160];
    if (s->t.split->n_val == 0)
        snprintf(why, sizeof why, "this run holds out no validation rows");
    else if (s->n_epochs == 0)
        snprintf(why, sizeof why, "appears after the first epoch (e: one epoch)");
    else
        snprintf(why, sizeof why, "stepped back before an epoch's end: appears again at the end of epoch %d (e)",
                 s->n_epochs + 1);
    put_wrapped(f, x, y, bottom, w, ROLE_DIM, why);
}

static int digits(long v)
{
    int n = 1;
    while (v >= 10)
        v /= 10, n++;
    return n;
}

/* Cell (i, j) of the matrix: painted by count (green on the diagonal, red off it) with
 * colour; without, the diagonal in reverse video and mistakes bold and underlined. */
static void draw_count(const app *a, frame *f, rect r, int x, int y, int cw, long v, bool diag, long scale)
{
    char txt[24];
    snprintf(txt, sizeof txt, "%*s", cw, "");
    if (v)
        snprintf(txt, sizeof txt, "%*ld", cw - 1, v);
    else
        snprintf(txt, sizeof txt, "%*s", cw - 1, ".");
    unsigned ro = v == 0 ? ROLE_DIM : diag ? ROLE_SELECTED : ROLE_BAD;
    if (a->colour && v) {
        int shade = clampi((int)(4.0 * v / (scale > 0 ? scale : 1)), 0, 3);
        ro = role_paint(shade >= 2 ? pal_grey(7) : pal_grey(0), pal_class(diag ? 2 : 6, shade));
    }
    set_in(f, r, x, y, ' ', ROLE_NORMAL);
    for (int k = 0; k < cw - 1; k++)
        set_in(f, r, x + 1 + k, y, (uint32_t)txt[k], ro);
}

void draw_confusion(const app *a, const session *s, frame *f, rect r)
{
    confusion cm;
    bool has = samples_confusion(s, &cm);
    char title[160], line[200];
    if (has)
        snprintf(title, sizeof title, "Data: confusion matrix, epoch %d (rows true, columns predicted)", cm.epoch);
    else
        snprintf(title, sizeof title, "Data: confusion matrix (validation rows)");
    int y = lesson_panel_title(a, f, r, P_DATA, title), bottom = r.y + r.h, x = r.x + 1, w = r.w - 2;
    if (!has) {
        no_matrix(s, f, x, y, bottom, w);
        return;
    }
    int C = cm.classes, sel = clampi(s->data_sel, 0, C - 1);
    long dmax = 0, omax = 0, big = 0;
    for (int i = 0; i < C; i++)
        for (int j = 0; j < C; j++) {
            long v = cm.counts[(size_t)i * C + j];
            big = v > big ? v : big;
            if (i == j)
                dmax = v > dmax ? v : dmax;
            else
                omax = v > omax ? v : omax;
        }
    int lw = digits(C - 1) + 1, cw = (digits(big) > digits(C - 1) ? digits(big) : digits(C - 1)) + 1;
    lw = lw < 3 ? 3 : lw;
    int fit_cols = clampi((w - lw) / cw, 1, C), rows_room = bottom - y - 2; /* summary, header */
    bool detail = rows_room > C || rows_room >= 5; /* the selected row in words, when there is room */
    int fit_rows = clampi(rows_room - (detail ? 1 : 0), 1, C);
    int r0 = clampi(sel - fit_rows / 2, 0, C - fit_rows), c0 = clampi(sel - fit_cols / 2, 0, C - fit_cols);
    char acc[16];
    snprintf(acc, sizeof acc, "%.1f%%", 100.0 * cm.correct / (cm.n ? cm.n : 1));
    if (cm.restored)
        snprintf(line, sizeof line, "%ld/%ld right = %s (weights of epoch %d, restored)", cm.correct, cm.n, acc,
                 cm.best_epoch);
    else
        snprintf(line, sizeof line, "%ld/%ld right = %s, val_acc %.4f", cm.correct, cm.n, acc, cm.val_acc);
    if (fit_rows < C || fit_cols < C) { /* what does not fit is said, and up/down reaches it */
        char part[96], rows_part[32] = "", cols_part[32] = "";
        if (fit_rows < C)
            snprintf(rows_part, sizeof rows_part, "rows %d-%d", r0, r0 + fit_rows - 1);
        if (fit_cols < C)
            snprintf(cols_part, sizeof cols_part, "%scols %d-%d", fit_rows < C ? ", " : "", c0, c0 + fit_cols - 1);
        snprintf(part, sizeof part, "; %s%s of %d, up/down", rows_part, cols_part, C);
        if ((int)(strlen(line) + strlen(part)) <= w)
            strcat(line, part);
        else
            snprintf(line, sizeof line, "%ld/%ld = %s%s", cm.correct, cm.n, acc, part);
    }
    frame_put(f, x, y++, ROLE_NORMAL, line, w);
    snprintf(line, sizeof line, "%-*s", lw, "t\\p");
    frame_put(f, x, y, ROLE_DIM, line, lw);
    for (int j = c0; j < c0 + fit_cols; j++) {
        snprintf(line, sizeof line, "%*d", cw, j);
        frame_put(f, x + lw + (j - c0) * cw, y, j == sel ? ROLE_STRONG : ROLE_DIM, line, cw);
    }
    y++;
    for (int i = r0; i < r0 + fit_rows && y < bottom; i++, y++) {
        snprintf(line, sizeof line, "%*d", lw - 1, i);
        frame_put(f, x, y, i == sel ? ROLE_SELECTED : ROLE_DIM, line, lw - 1);
        for (int j = c0; j < c0 + fit_cols; j++)
            draw_count(a, f, r, x + lw + (j - c0) * cw, y, cw, cm.counts[(size_t)i * C + j], i == j,
                       i == j ? dmax : omax);
    }
    if (!detail || y >= bottom)
        return;
    /* the selected true class in words: how many right, and what it was taken for */
    const long *row = cm.counts + (size_t)sel * C;
    long total = 0;
    bool listed[DATA_MAX_CLASSES] = {false};
    for (int j = 0; j < C; j++)
        total += row[j];
    int o = snprintf(line, sizeof line, "true %d: %ld of %ld right", sel, row[sel], total);
    for (int shown = 0; shown < 4 && o < (int)sizeof line - 24; shown++) {
        int best = -1;
        for (int j = 0; j < C && j < DATA_MAX_CLASSES; j++) /* the next most frequent mistake */
            if (j != sel && row[j] > 0 && !listed[j] && (best < 0 || row[j] > row[best]))
                best = j;
        if (best < 0)
            break;
        listed[best] = true;
        char more[40];
        int m = snprintf(more, sizeof more, "%s as %d: %ld", shown ? "," : ";", best, row[best]);
        if (o + m > w) /* whole mistakes only, as many as the line holds */
            break;
        o += snprintf(line + o, sizeof line - o, "%s", more);
    }
    frame_put(f, x, y, ROLE_NORMAL, line, w);
}

/* ---- the worst examples -------------------------------------------------------------- */

void draw_worst(const app *a, const session *s, frame *f, rect r)
{
    confusion cm;
    bool has = samples_confusion(s, &cm);
    int sel = has ? clampi(s->data_sel, 0, cm.n_worst > 0 ? cm.n_worst - 1 : 0) : 0;
    char title[160], line[200];
    if (has && cm.n_worst)
        snprintf(title, sizeof title, "Data: worst examples, #%d of %d (epoch %d)", sel + 1, cm.n_worst, cm.epoch);
    else
        snprintf(title, sizeof title, "Data: worst examples (validation rows)");
    int y = lesson_panel_title(a, f, r, P_DATA, title), bottom = r.y + r.h, x = r.x + 1, w = r.w - 2;
    if (!has) {
        no_matrix(s, f, x, y, bottom, w);
        return;
    }
    if (cm.n_worst == 0) {
        snprintf(line, sizeof line, "no validation row is wrong at epoch %d", cm.epoch);
        frame_put(f, x, y, ROLE_GOOD, line, w);
        return;
    }
    const char *arrow = a->ascii ? "->" : "\xE2\x86\x92";
    const worst_example *sw = &cm.worst[sel];
    int side = data_image_side(s);
    if (side > 0 && bottom - y >= 3 && side * side <= 4096) {
        /* a grid of tiles, each the picture at most its own size and "true->predicted
         * confidence" under it; the last line says more about the selected one */
        float vals[4096];
        int ih = bottom - y - 2, p = picture_px(a, painted(a) ? 2 * ih : 4 * ih, ih, side);
        int iw = painted(a) ? p : 2 * p, th = (painted(a) ? (p + 1) / 2 : p) + 1;
        int tile = (iw > 8 ? iw : 8) + 1, per_row = w / tile > 0 ? w / tile : 1;
        int grid = (bottom - y - 1) / th > 0 ? (bottom - y - 1) / th : 1, fit = per_row * grid;
        int first = sel / fit * fit;
        for (int k = first; k < cm.n_worst && k < first + fit; k++) {
            const worst_example *e = &cm.worst[k];
            int tx = x + (k - first) % per_row * tile, ty = y + (k - first) / per_row * th, rows;
            samples_row_values(s, e->row, vals);
            float lo, hi;
            value_range(vals, side * side, &lo, &hi);
            draw_picture(a, f, r, tx, ty, iw, th - 1, vals, side, side, lo, hi, false, &rows);
            snprintf(line, sizeof line, "%d%s%d %.0f%%", e->truth, arrow, e->pred, 100.0 * e->p_pred);
            frame_put(f, tx, ty + th - 1, k == sel ? ROLE_SELECTED : ROLE_NORMAL, line, tile - 1);
        }
        y = bottom - 1;
    }
    snprintf(line, sizeof line, "#%d row %d: true %d p=%.0f%%, predicted %d p=%.0f%%", sel + 1, sw->row, sw->truth,
             100.0 * sw->p_truth, sw->pred, 100.0 * sw->p_pred);
    if (side > 0) {
        frame_put(f, x, y, ROLE_NORMAL, line, w);
        return;
    }
    int first = clampi(sel - (bottom - y) / 2, 0, cm.n_worst - 1);
    for (int k = first; k < cm.n_worst && y < bottom; k++, y++) { /* not images: one line each */
        const worst_example *e = &cm.worst[k];
        snprintf(line, sizeof line, "#%d row %d: true %d p=%.0f%%, predicted %d p=%.0f%%", k + 1, e->row, e->truth,
                 100.0 * e->p_truth, e->pred, 100.0 * e->p_pred);
        frame_put(f, x, y, k == sel ? ROLE_SELECTED : ROLE_NORMAL, line, w);
    }
}

/* ---- first-layer weights ------------------------------------------------------------- */

void draw_weights(const app *a, const session *s, frame *f, rect r)
{
    int li = samples_weight_layer(s), side = data_image_side(s);
    const layer *L = li >= 0 ? &s->t.net.layers[li] : NULL;
    int units = L ? L->n_out : 0, unit = clampi(s->data_sel, 0, units > 0 ? units - 1 : 0), n_in = 0;
    char title[160], line[160];
    if (L)
        snprintf(title, sizeof title, "Data: weights of unit %d/%d, up/down", unit, units);
    else
        snprintf(title, sizeof title, "Data: first-layer weights");
    int y = lesson_panel_title(a, f, r, P_DATA, title), bottom = r.y + r.h, x = r.x + 1, w = r.w - 2;
    const float *W = L ? samples_unit_weights(s, unit, &n_in) : NULL;
    if (!W || side == 0 || n_in != side * side) {
        frame_put(f, x, y, ROLE_DIM, "no dense layer reads the pixels directly", w);
        return;
    }
    float lo, hi;
    value_range(W, n_in, &lo, &hi);
    float big = fmaxf(fabsf(lo), fabsf(hi));
    int rows, iw = draw_picture(a, f, r, x, y, w / 2, bottom - y, W, side, ENLARGE(side), -big, big > 0 ? big : 1, true, &rows);
    int tx = x + iw + 2, tw = w - iw - 2;
    char b1[16], b2[16], b3[16];
    char from[48];
    snprintf(from, sizeof from, "layer %d, W row %d", li, unit);
    snprintf(line, sizeof line, "W from %s to %s", fmt_compact(b1, sizeof b1, lo), fmt_compact(b2, sizeof b2, hi));
    const char *legend = painted(a) ? "blue: +, orange: -" : "+ # positive, - = negative";
    char bias[48], step[48];
    snprintf(bias, sizeof bias, "bias %s", fmt_compact(b3, sizeof b3, L->b[unit]));
    snprintf(step, sizeof step, "live: after step %ld", s->t.state.step);
    const char *const lines[] = {from, line, bias, legend, "stronger = larger |w|", step};
    put_lines(f, tx, y, bottom, tw, ROLE_NORMAL, lines, 6);
}
