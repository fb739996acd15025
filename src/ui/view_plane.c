/* view_plane.c - the Data panel's input plane: the prediction over the plane of 2-D data as a
 * picture (half blocks painted by class, deeper where the net is surer), the data rows on it,
 * axis labels in the data's own units, a legend, and one small map per unit of the selected
 * hidden layer (TensorFlow Playground's picture). Without colour the picture is drawn with a
 * shading glyph per class, under LANG=C with ASCII. Reads plane.c's cache only. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "palette.h"
#include "plane.h"
#include "view.h"
#include "wrap.h"

/* Per class: the glyph where the net is unsure, and where it is sure. */
static const uint32_t shade_utf8[6][2] = {{' ', 0x00B7}, {0x2591, 0x2592}, {0x2593, 0x2588},
                                          {0x254C, 0x2550}, {0x2506, 0x2551}, {'~', 0x2248}};
static const char shade_ascii[6][2] = {{' ', '.'}, {'-', '='}, {'*', '#'}, {'%', '@'}, {'~', '&'}, {',', ';'}};
/* Points: training filled, validation hollow, test the class digit (classes 6+ by letter). */
static const uint32_t train_utf8[6] = {0x25CF, 0x25B2, 0x25A0, 0x25C6, 0x25BC, 0x271A};
static const uint32_t val_utf8[6] = {0x25CB, 0x25B3, 0x25A1, 0x25C7, 0x25BD, 0x271B};
#define WRONG_UTF8 0x2716 /* ✖ */
/* The unit maps' ramp, low to high. */
static const uint32_t ramp_utf8[6] = {' ', 0x00B7, 0x2591, 0x2592, 0x2593, 0x2588};
static const char ramp_ascii[] = " .:-=+*#%@";

static int shade_of(const plane_cache *p, float conf)
{
    double s = (conf - 1.0 / p->K) / (1.0 - 1.0 / p->K);
    if (!isfinite(s))
        return 0;
    int l = (int)(s * 3); /* 0 unsure .. 2 sure; the deepest shade is the points' */
    return l < 0 ? 0 : (l > 2 ? 2 : l);
}

static int pixel_colour(const plane_cache *p, size_t i) { return pal_class(p->cls[i], shade_of(p, p->conf[i])); }

static uint32_t class_shade_glyph(int k, int sure, bool ascii)
{
    k = k < 0 ? 0 : (k > 5 ? 5 : k);
    return ascii ? (uint32_t)shade_ascii[k][sure] : shade_utf8[k][sure];
}

static uint32_t point_glyph(const plane_point *q, bool ascii)
{
    int k = q->label < 0 ? 0 : q->label;
    if (q->wrong)
        return ascii ? 'X' : WRONG_UTF8;
    if (q->split == PLANE_TEST)
        return (uint32_t)('0' + k % 10);
    if (ascii || k >= 6)
        return (uint32_t)((q->split == PLANE_TRAIN ? 'A' : 'a') + k % 10);
    return q->split == PLANE_TRAIN ? train_utf8[k] : val_utf8[k];
}

/* A unit's value v on the layer's scale: orange below 0, blue above, deeper the larger |v|. */
static int unit_colour(float v, float scale)
{
    float t = fabsf(v) / scale;
    int l = isfinite(t) ? (int)(t * 4) : 0;
    return pal_class(v < 0 ? 0 : 1, l > 3 ? 3 : l);
}

static uint32_t unit_glyph(float v, float scale, bool ascii)
{
    float t = (v / scale + 1) / 2; /* 0 at -scale .. 1 at +scale */
    t = isfinite(t) ? (t < 0 ? 0 : (t > 1 ? 1 : t)) : 0;
    int n = ascii ? 10 : 6, l = (int)(t * (n - 1) + 0.5f);
    return ascii ? (uint32_t)ramp_ascii[l] : ramp_utf8[l];
}

static void draw_picture(const app *a, const plane_cache *p, frame *f, rect r)
{
    bool blocks = a->colour && !a->ascii;
    for (int c = 0; c < p->ph / 2; c++)
        for (int i = 0; i < p->pw; i++) {
            size_t top = (size_t)(2 * c) * p->pw + i, bot = top + p->pw;
            int x = r.x + p->px + i, y = r.y + p->py + c;
            if (blocks) {
                frame_set(f, x, y, 0x2580, role_paint(pixel_colour(p, top), pixel_colour(p, bot)));
                continue;
            }
            int k = p->cls[top], sure = shade_of(p, p->conf[top]) > 0;
            role ro = a->colour ? role_paint(pal_class(k, 3), pixel_colour(p, top)) : (sure ? ROLE_NORMAL : ROLE_DIM);
            frame_set(f, x, y, class_shade_glyph(k, sure, a->ascii), ro);
        }
}

static void draw_points(const app *a, const plane_cache *p, frame *f, rect r)
{
    for (int pass = 0; pass < 2; pass++) /* the misclassified last, so nothing hides them */
        for (int n = 0; n < p->n_pts; n++) {
            const plane_point *q = &p->pts[n];
            if (q->wrong != (pass == 1))
                continue;
            role ro = ROLE_STRONG;
            if (q->wrong)
                ro = ROLE_BAD;
            else if (a->colour) /* the class's deepest shade on the picture's colour under it */
                ro = role_paint(pal_class(q->label, 3), pixel_colour(p, (size_t)q->prow * p->pw + q->col));
            frame_set(f, r.x + p->px + q->col, r.y + p->py + q->prow / 2, point_glyph(q, a->ascii), ro);
        }
}

static void draw_axes(const plane_cache *p, frame *f, rect r)
{
    for (int k = 0; k < p->n_y; k++) {
        int len = (int)strlen(p->ylab[k]);
        frame_put(f, r.x + p->px - 1 - len, r.y + p->yrow[k], ROLE_DIM, p->ylab[k], len);
    }
    for (int k = 0; k < p->n_x; k++)
        frame_put(f, r.x + p->xcol[k], r.y + p->xrow, ROLE_DIM, p->xlab[k], (int)strlen(p->xlab[k]));
}

static void draw_tiles(const app *a, const plane_cache *p, frame *f, rect r)
{
    bool blocks = a->colour && !a->ascii;
    size_t ntp = (size_t)p->tw * p->th;
    for (int k = 0; k < p->n_tiles; k++) {
        const plane_tile *tl = &p->tiles[k];
        const float *u = p->unit_a + (size_t)tl->unit * ntp;
        char lab[16];
        snprintf(lab, sizeof lab, "u%d", tl->unit);
        if ((int)strlen(lab) <= p->tw)
            frame_put(f, r.x + tl->x, r.y + tl->y - 1, ROLE_DIM, lab, p->tw);
        for (int c = 0; c < p->th / 2; c++)
            for (int i = 0; i < p->tw; i++) {
                float top = u[(size_t)(2 * c) * p->tw + i], bot = u[(size_t)(2 * c + 1) * p->tw + i];
                int x = r.x + tl->x + i, y = r.y + tl->y + c;
                if (blocks)
                    frame_set(f, x, y, 0x2580, role_paint(unit_colour(top, p->unit_scale), unit_colour(bot, p->unit_scale)));
                else
                    frame_set(f, x, y, unit_glyph((top + bot) / 2, p->unit_scale, a->ascii),
                              a->colour ? role_paint(pal_grey(7), unit_colour((top + bot) / 2, p->unit_scale))
                                        : ROLE_NORMAL);
            }
    }
    if (p->more_x >= 0) {
        char more[24];
        snprintf(more, sizeof more, "+%d", p->n_units - p->n_tiles);
        frame_put(f, r.x + p->more_x, r.y + p->more_y, ROLE_NORMAL, more, r.w - p->more_x);
        frame_put(f, r.x + p->more_x, r.y + p->more_y + 1, ROLE_NORMAL, "more", r.w - p->more_x);
    }
}

/* The legend: each class's colour (or glyph), the points' glyphs, the count of wrong ones.
 * Parts that do not fit in the width are left out, the least needed first. */
static void draw_legend(const app *a, const session *s, const plane_cache *p, frame *f, rect r)
{
    bool has[3] = {false, false, false};
    for (int n = 0; n < p->n_pts; n++)
        has[p->pts[n].split] = true;
    int K = p->K > 6 ? 6 : p->K;
    char parts[4][96];
    int keep[4] = {1, has[PLANE_VAL], has[PLANE_TEST], 1}, widths[4];
    const char *names[3] = {"train", "val", "test"}; /* by split */
    int order[3] = {PLANE_TRAIN, PLANE_VAL, PLANE_TEST};
    for (int j = 0; j < 3; j++) {
        char *o = parts[j];
        for (int k = 0; k < K; k++) {
            plane_point q = {0, 0, 0, (int16_t)k, (uint8_t)order[j], false};
            o += utf8_encode(point_glyph(&q, a->ascii), o);
        }
        snprintf(o, 32, " %s", names[order[j]]);
    }
    if (p->stride > 1) /* a big data set: the count is of the rows drawn */
        snprintf(parts[3], sizeof parts[3], "%s wrong now: %d of %d drawn", a->ascii ? "X" : "\xE2\x9C\x96", p->n_wrong,
                 p->n_pts);
    else
        snprintf(parts[3], sizeof parts[3], "%s wrong now: %d", a->ascii ? "X" : "\xE2\x9C\x96", p->n_wrong);
    int sw = K * 4; /* the classes' swatches: "██0 " */
    for (int j = 0; j < 4; j++)
        widths[j] = wrap_cols(parts[j], (int)strlen(parts[j])) + 2;
    int total = sw;
    for (int j = 0; j < 4; j++)
        total += keep[j] ? widths[j] : 0;
    const int drop[3] = {2, 1, 0}; /* test, then validation, then training */
    for (int d = 0; d < 3 && total > r.w; d++)
        if (keep[drop[d]])
            keep[drop[d]] = 0, total -= widths[drop[d]];
    int x = r.x, y = r.y + p->legend_row;
    if (total <= r.w || sw <= r.w)
        for (int k = 0; k < K; k++) {
            for (int c = 0; c < 2; c++)
                frame_set(f, x + c, y, a->colour ? ' ' : class_shade_glyph(k, 1, a->ascii),
                          a->colour ? role_paint(pal_class(k, 2), pal_class(k, 2)) : ROLE_NORMAL);
            char d[8];
            snprintf(d, sizeof d, "%d", k);
            frame_put(f, x + 2, y, ROLE_DIM, d, 1);
            x += 4;
        }
    for (int j = 0; j < 4; j++)
        if (keep[j] && x + widths[j] - 2 <= r.x + r.w) {
            frame_put(f, x, y, j == 3 && p->n_wrong ? ROLE_BAD : ROLE_NORMAL, parts[j], r.x + r.w - x);
            x += widths[j];
        }
    (void)s;
}

/* Beside a plot without tiles: how to get them. Shorter wordings when the room is small; none
 * when even the shortest would be cut. */
static void draw_note(const app *a, const session *s, const plane_cache *p, frame *f, rect r)
{
    if (p->note_w <= 0 || p->tiles_layer >= 0)
        return;
    char v[3][200];
    const char *lr = a->ascii ? "left/right" : "\xE2\x86\x90/\xE2\x86\x92";
    if (s->t.net.n_layers < 2) {
        snprintf(v[0], sizeof v[0], "A net without a hidden layer: its boundary between two classes is a straight line.");
        snprintf(v[1], sizeof v[1], "No hidden layer: straight boundaries.");
        snprintf(v[2], sizeof v[2], "No hidden layer.");
    } else {
        snprintf(v[0], sizeof v[0], "Layer %d (the output) is selected. %s here or in 2 Network picks a hidden "
                 "layer: a map per unit then shows what each computes.", s->layer, lr);
        snprintf(v[1], sizeof v[1], "%s picks a hidden layer: a map per unit.", lr);
        snprintf(v[2], sizeof v[2], "%s: unit maps", lr);
    }
    for (int k = 0; k < 3; k++) {
        int pos = 0, lines = 0, n = (int)strlen(v[k]);
        wrap_line ln;
        while (wrap_next(v[k], n, &pos, p->note_w, &ln))
            lines++;
        if (lines <= p->note_h && wrap_min_width(v[k], n) <= p->note_w) {
            wrap_put(f, r.x + p->note_x, r.y + p->note_y, p->note_w, lines, 0, ROLE_DIM, v[k]);
            return;
        }
    }
}

/* The title: what the colours mean and whose units the tiles are, as much as fits uncut. */
static void title(const app *a, const session *s, const plane_cache *p, frame *f, rect r)
{
    char v[5][200];
    bool tiles = p && p->valid && p->tiles_layer >= 0;
    int L = tiles ? p->tiles_layer : 0;
    bool bce = p && p->bce;
    const char *shade = bce ? "P(class 1)" : "confidence", *shade_short = bce ? "P(1)" : "sure";
    if (tiles) {
        snprintf(v[0], sizeof v[0], "Data: input plane (colour: predicted class, shade: %s; tiles: layer %d's units)",
                 shade, L);
        snprintf(v[1], sizeof v[1], "Data: input plane (shade: %s; tiles: layer %d units)", shade, L);
        snprintf(v[2], sizeof v[2], "Data: plane, shade %s; layer %d units", shade, L);
        snprintf(v[3], sizeof v[3], "Data: plane, shade %s; L%d units", shade_short, L);
    } else {
        snprintf(v[0], sizeof v[0], "Data: input plane (colour: predicted class, shade: %s)", shade);
        snprintf(v[1], sizeof v[1], "Data: input plane (shade: %s)", shade);
        snprintf(v[2], sizeof v[2], "Data: input plane, shade %s", shade);
        snprintf(v[3], sizeof v[3], "Data: plane, shade %s", shade_short);
    }
    snprintf(v[4], sizeof v[4], "Data: input plane");
    int k = 0;
    while (k < 4 && wrap_cols(v[k], (int)strlen(v[k])) > r.w - 8)
        k++;
    (void)s;
    lesson_panel_title(a, f, r, P_DATA, v[k]);
}

void draw_plane(const app *a, const session *s, frame *f, rect r)
{
    const plane_cache *p = s->plane;
    bool ok = p && p->valid && p->w == r.w && p->h == r.h;
    title(a, s, ok ? p : NULL, f, r);
    if (!ok) {
        const char *why = p && !p->valid && p->w == r.w && p->h == r.h ? "too small for the plane" : "computing";
        frame_put(f, r.x + 1, r.y + 1, ROLE_DIM, why, r.w - 2);
        return;
    }
    draw_picture(a, p, f, r);
    draw_points(a, p, f, r);
    draw_axes(p, f, r);
    draw_tiles(a, p, f, r);
    draw_legend(a, s, p, f, r);
    draw_note(a, s, p, f, r);
}
