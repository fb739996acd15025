/* view_sample.c - the Data panel's image views: a row of the batch with the net's prediction,
 * the validation confusion matrix, the worst examples, a first-layer unit's weights. They read
 * what samples.c keeps; pictures are painted half blocks with colour, shading glyphs without. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "palette.h"
#include "samples.h"
#include "view.h"
#include "view_sample.h"
#include "wrap.h"

#define MAX_CLASSES_SHOWN 64
/* Columns the text beside a picture keeps at least (else the picture gets smaller). */
#define TEXT_MIN 16

static const char ascii_ramp[] = " .:-=+*#%@";
static const uint32_t utf_ramp[] = {' ', 0x2591, 0x2592, 0x2593, 0x2588}; /* ░▒▓█ */

int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Pictures are painted half blocks only with colour and UTF-8 (LANG=C has no U+2580): else
 * shading glyphs, which say the same without colour. */
bool painted(const app *a) { return a->colour && !a->ascii; }

void set_in(frame *f, rect r, int x, int y, uint32_t ch, unsigned ro)
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
    if (diverging) { /* the sign in the glyph: + and # positive, - and = negative */
        int level = clampi((int)lroundf(fabsf(v) / hi * 4), 0, 4);
        return level == 0 ? ' ' : v > 0 ? (level > 2 ? '#' : '+') : (level > 2 ? '=' : '-');
    }
    float t = (v - lo) / (hi - lo);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return ascii ? (uint32_t)ascii_ramp[(int)lroundf(t * 9)] : utf_ramp[(int)lroundf(t * 4)];
}

/* How a side x side image is drawn, whole: q x q dots, q an integer enlargement of the side
 * or half of it (2x2 pixels averaged into a dot, said next to the picture). A dot is half a
 * cell painted (two a cell, one above the other), or a cell row of two glyph columns so the
 * picture stays square. Never cropped, never resampled to an uneven size. */
typedef struct pic {
    int q, cols, rows;
} pic;

static pic pic_at(const app *a, int q)
{
    return painted(a) ? (pic){q, q, (q + 1) / 2} : (pic){q, 2 * q, q};
}

/* Halving is offered only for images of 16 pixels or more: an 8x8 digit at 4x4 is no digit. */
static int smallest_q(int side) { return side >= 16 && side % 2 == 0 ? side / 2 : side; }

/* The largest whole picture within w x h cells, enlarged at most `most` times; q = 0 when not
 * even the smallest fits. */
static pic pic_fit(const app *a, int side, int w, int h, int most)
{
    for (int k = most; k >= 1; k--) {
        pic p = pic_at(a, side * k);
        if (p.cols <= w && p.rows <= h)
            return p;
    }
    pic p = pic_at(a, smallest_q(side));
    return p.q < side && p.cols <= w && p.rows <= h ? p : (pic){0, 0, 0};
}

/* The enlargement a picture gets: small images (8x8) twice, big ones (28x28) their own size. */
static int enlarge(int side) { return side < 16 ? 2 : 1; }

/* Said next to a halved picture, "" for one at full resolution. */
static const char *pic_note(const app *a, int side, pic p)
{
    if (p.q >= side)
        return "";
    return painted(a) ? "(2x2 pixels a half cell)" : "(2x2 pixels a cell)";
}


/* When not even the smallest picture fits: what it needs, what the panel has, and how to get
 * room (hiding the narration gives rows, hiding the lesson text columns). Returns the next row. */
static int too_short(const app *a, frame *f, int x, int y, int bottom, int w, int side, int need_w, int need_h)
{
    char msg[300], fix[120] = "";
    bool rows = need_h > bottom - y, cols = need_w > w;
    const bool *hidden = a->les ? a->les->hidden : NULL;
    if (rows && hidden && !hidden[P_NARRATION])
        snprintf(fix, sizeof fix, "4 hides What just happened (rows), ");
    if (cols && hidden && !hidden[P_LESSON])
        snprintf(fix + strlen(fix), sizeof fix - strlen(fix), "1 hides the lesson (columns), ");
    snprintf(msg, sizeof msg, "no room for a whole %dx%d picture: it needs %d rows and %d columns, the panel has %d and %d; %s%s",
             side, side, need_h, need_w, bottom - y, w, fix, *fix ? "or use a bigger terminal" : "use a bigger terminal");
    return put_wrapped(f, x, y, bottom, w, ROLE_DIM, msg);
}

/* Draws v (side x side) whole at (x, y) within r as picture p. */
static void draw_picture(const app *a, frame *f, rect r, int x, int y, pic p, const float *v, int side, float lo,
                         float hi, bool diverging)
{
    if (!(hi > lo))
        hi = lo + 1;
    int q = p.q;
    if (painted(a)) {
        for (int i = 0; i < q; i += 2)
            for (int j = 0; j < q; j++) {
                int top = pixel_paint(resample(v, side, q, i, j), lo, hi, diverging);
                int bot = i + 1 < q ? pixel_paint(resample(v, side, q, i + 1, j), lo, hi, diverging) : top;
                set_in(f, r, x + j, y + i / 2, 0x2580, role_paint(top, bot));
            }
        return;
    }
    for (int i = 0; i < q; i++)
        for (int j = 0; j < q; j++) {
            uint32_t g = pixel_glyph(a->ascii, resample(v, side, q, i, j), lo, hi, diverging);
            set_in(f, r, x + 2 * j, y + i, g, ROLE_NORMAL);
            set_in(f, r, x + 2 * j + 1, y + i, g, ROLE_NORMAL);
        }
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
int put_wrapped(frame *f, int x, int y, int bottom, int w, role ro, const char *text)
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
    int cols = (n + rows - 1) / rows, colw = cols ? w / cols : w, per = cols ? (n + cols - 1) / cols : n;
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
        per = rows - 1;
    }
    /* down each column in turn (0-4 left, 5-9 right), the columns filled evenly */
    for (int k = 0; k < n; k++) {
        int c = order[k], cx = x + (k / per) * colw, cy = y + k % per, bw = colw - lw - 1 - 6;
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
    const char *note = "";
    if (side > 0 && d->d <= (int)(sizeof vals / sizeof vals[0])) {
        pic p = pic_fit(a, side, w - 2 - TEXT_MIN, bottom - y, enlarge(side));
        if (p.q == 0) { /* the text below what the picture would need */
            pic least = pic_at(a, smallest_q(side));
            y = too_short(a, f, x, y, bottom, w, side, least.cols + 2 + TEXT_MIN, least.rows);
        } else {
            samples_row_values(s, row, vals);
            float lo, hi;
            value_range(vals, d->d, &lo, &hi);
            draw_picture(a, f, r, x, y, p, vals, side, lo, hi, false);
            tx = x + p.cols + 2, tw = w - p.cols - 2;
            note = pic_note(a, side, p);
        }
    }
    /* one line each when the text column holds it, else two */
    char line[160];
    bool narrow = tw < 24;
    snprintf(line, sizeof line, narrow ? "label %d" : "label %d (data row %d)", truth, row);
    frame_put(f, tx, y++, ROLE_STRONG, line, tw);
    if (narrow) {
        snprintf(line, sizeof line, "data row %d", row);
        frame_put(f, tx, y++, ROLE_NORMAL, line, tw);
    }
    if (*note)
        y = put_wrapped(f, tx, y, bottom, tw, ROLE_DIM, note);
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
        role verdict = classifies ? (pred == truth ? ROLE_GOOD : ROLE_BAD) : ROLE_NORMAL;
        if (classifies)
            snprintf(line, sizeof line, narrow ? "predicted %d (%s)" : "predicted %d (%s): %s", pred, p,
                     pred == truth ? "right" : "wrong");
        else
            snprintf(line, sizeof line, "outputs (%s loss)", loss_name(s->t.net.loss));
        frame_put(f, tx, y++, verdict, line, tw);
        if (classifies && narrow)
            frame_put(f, tx, y++, verdict, pred == truth ? "right" : "wrong", tw);
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

/* ---- the worst examples -------------------------------------------------------------- */

/* The worst examples as a grid of tiles, each picture whole: its caption "true->predicted
 * confidence" under it when picture, caption and the detail line fit; else the caption beside
 * it (with the dataset row), the detail line only if a row is left; a halved picture (said so)
 * only when the whole one fits neither way; else what the panel lacks. *detail: whether the
 * bottom line is free for the detail. */
static void worst_tiles(const app *a, const session *s, const confusion *cm, int sel, frame *f, rect r, int x, int y,
                        int w, int bottom, bool *detail)
{
    const char *arrow = a->ascii ? "->" : "\xE2\x86\x92";
    int side = data_image_side(s), avail = bottom - y, dc = digits(cm->classes - 1), maxrow = 0;
    for (int k = 0; k < cm->n_worst; k++)
        maxrow = cm->worst[k].row > maxrow ? cm->worst[k].row : maxrow;
    int capw = 2 * dc + 2 > 4 ? 2 * dc + 2 : 4, under_w = capw + 5; /* "8->1" and "100%" */
    int side_w = capw > digits(maxrow) ? capw : digits(maxrow);      /* beside: "row" and its number */
    pic p = {0, 0, 0};
    bool under = false;
    int qs[2] = {side, smallest_q(side)};
    for (int c = 0; c < 2 && !p.q; c++) {
        pic t = pic_at(a, qs[c]);
        int note = t.q < side; /* the halving said on a line of its own */
        if (c == 1 && !note)
            break;
        if (t.rows + 1 + 1 + note <= avail && (t.cols > under_w ? t.cols : under_w) <= w)
            p = t, under = true;
        else if (t.rows + note <= avail && t.cols + 1 + side_w <= w)
            p = t, under = false;
    }
    if (!p.q) { /* the smallest picture with its caption beside it */
        pic least = pic_at(a, smallest_q(side));
        int next = too_short(a, f, x, y, bottom, w, side, least.cols + 1 + side_w, least.rows + (least.q < side));
        *detail = next < bottom;
        return;
    }
    int note = p.q < side, tiles_h = avail - note;
    *detail = under || p.rows + note + 1 <= avail;
    if (*detail)
        tiles_h--;
    if (note)
        frame_put(f, x, bottom - 1 - (*detail ? 1 : 0), ROLE_DIM, pic_note(a, side, p), w);
    int tw = under ? (p.cols > under_w ? p.cols : under_w) : p.cols + 1 + side_w, gap = under ? 1 : 2;
    int th = under ? p.rows + 1 : p.rows, vgap = under ? 0 : 1;
    int per_row = (w + gap) / (tw + gap), grid = (tiles_h + vgap) / (th + vgap);
    per_row = per_row > 0 ? per_row : 1, grid = grid > 0 ? grid : 1;
    int fit = per_row * grid, first = sel / fit * fit;
    float vals[4096];
    char line[64];
    for (int k = first; k < cm->n_worst && k < first + fit; k++) {
        const worst_example *e = &cm->worst[k];
        int tx = x + (k - first) % per_row * (tw + gap), ty = y + (k - first) / per_row * (th + vgap);
        samples_row_values(s, e->row, vals);
        float lo, hi;
        value_range(vals, side * side, &lo, &hi);
        draw_picture(a, f, r, tx, ty, p, vals, side, lo, hi, false);
        role ro = k == sel ? ROLE_SELECTED : ROLE_NORMAL;
        if (under) {
            snprintf(line, sizeof line, "%d%s%d %.0f%%", e->truth, arrow, e->pred, 100.0 * e->p_pred);
            frame_put(f, tx, ty + p.rows, ro, line, tw);
            continue;
        }
        char l0[32], l1[16], l3[16];
        snprintf(l0, sizeof l0, "%d%s%d", e->truth, arrow, e->pred);
        snprintf(l1, sizeof l1, "%.0f%%", 100.0 * e->p_pred);
        snprintf(l3, sizeof l3, "%d", e->row);
        const char *const lines[] = {l0, l1, "row", l3};
        put_lines(f, tx + p.cols + 1, ty, ty + p.rows, side_w, ro, lines, 4);
    }
}

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
    const worst_example *sw = &cm.worst[sel];
    int side = data_image_side(s);
    bool detail = true; /* the line about the selected one, at the bottom */
    if (side > 0 && side * side <= 4096) {
        worst_tiles(a, s, &cm, sel, f, r, x, y, w, bottom, &detail);
        y = bottom - 1;
    }
    snprintf(line, sizeof line, "#%d row %d: true %d p=%.0f%%, predicted %d p=%.0f%%", sel + 1, sw->row, sw->truth,
             100.0 * sw->p_truth, sw->pred, 100.0 * sw->p_pred);
    if (side > 0) {
        if (detail)
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
    char title[160];
    if (L)
        snprintf(title, sizeof title, "Data: weights of unit %d of %d, up/down", unit, units);
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
    pic p = pic_fit(a, side, w - 2 - TEXT_MIN, bottom - y, enlarge(side));
    int tx = x, tw = w;
    if (p.q == 0) {
        pic least = pic_at(a, smallest_q(side));
        y = too_short(a, f, x, y, bottom, w, side, least.cols + 2 + TEXT_MIN, least.rows);
    } else {
        draw_picture(a, f, r, x, y, p, W, side, -big, big > 0 ? big : 1, true);
        tx = x + p.cols + 2, tw = w - p.cols - 2;
    }
    /* short lines: the text column may be TEXT_MIN wide */
    char b1[16], b2[16], b3[16];
    char from[48], lo_line[48], hi_line[48], bias[48], step[48];
    snprintf(from, sizeof from, "layer %d, W row %d", li, unit);
    snprintf(lo_line, sizeof lo_line, "min w %s", fmt_compact(b1, sizeof b1, lo));
    snprintf(hi_line, sizeof hi_line, "max w %s", fmt_compact(b2, sizeof b2, hi));
    snprintf(bias, sizeof bias, "bias %s", fmt_compact(b3, sizeof b3, L->b[unit]));
    snprintf(step, sizeof step, "live, step %ld", s->t.state.step);
    /* the legend only with a picture to read it on */
    const char *legend = !p.q ? "" : painted(a) ? "blue +, orange -" : "positive: + #";
    const char *legend2 = !p.q || painted(a) ? "" : "negative: - =";
    const char *strong = p.q ? "stronger: larger |w|" : "";
    const char *note = p.q ? pic_note(a, side, p) : "";
    const char *const lines[] = {from, lo_line, hi_line, bias, legend, legend2, strong, step, note};
    const char *shown[9];
    int n = 0;
    for (int k = 0; k < 9; k++)
        if (*lines[k])
            shown[n++] = lines[k];
    for (int k = 0; k < n; k++) /* each line whole, wrapped when the column is narrow */
        y = put_wrapped(f, tx, y, bottom, tw, ROLE_NORMAL, shown[k]);
}
