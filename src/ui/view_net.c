/* view_net.c - the network strip, the inspector and the narration panel. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "narrate.h"
#include "view.h"

static const char *short_kind(const layer *L)
{
    switch (L->kind) {
    case LAYER_DENSE: return "dense";
    case LAYER_BATCHNORM: return "batchnorm";
    case LAYER_LAYERNORM: return "layernorm";
    case LAYER_DROPOUT: return "dropout";
    case LAYER_RESIDUAL_BEGIN: return "res begin";
    case LAYER_RESIDUAL_END: return "res end";
    default: return "?";
    }
}

/* For a slot too narrow for short_kind's words. */
static const char *tiny_kind(const layer *L)
{
    switch (L->kind) {
    case LAYER_BATCHNORM: return "bnorm";
    case LAYER_LAYERNORM: return "lnorm";
    case LAYER_RESIDUAL_BEGIN: return "res(";
    case LAYER_RESIDUAL_END: return "res)";
    default: return short_kind(L);
    }
}

/* Health as of now: the engine classifies at the end of each step, but mid-step the activation
 * panel already shows this batch's forward pass. Classifying a copy of the statistics with the
 * engine's own rule makes the network, activation and gradient panels agree at every micro-step
 * (gradient-based words still use the last backward pass, as the gradient panel does). Before
 * the first backward only the activation words (saturated, dead) apply. */
void live_health(const trainer *t, layer_health *out)
{
    const net *n = &t->net;
    layer_stats live[NET_MAX_LAYERS];
    memcpy(live, t->stats, (size_t)n->n_layers * sizeof *live);
    bool grads = t->state.step > 0 || t->state.next_phase > PHASE_BACKWARD;
    for (int i = 0; i < n->n_layers && t->state.step == 0; i++) { /* what has not been measured yet */
        live[i].update_ratio = NAN;
        if (!grads)
            live[i].grad_norm = NAN;
    }
    stats_classify(live, n);
    for (int i = 0; i < n->n_layers; i++)
        out[i] = grads || live[i].health == HEALTH_SATURATED || live[i].health == HEALTH_DEAD ? live[i].health
                                                                                               : HEALTH_COUNT;
}

role health_role(layer_health h)
{
    switch (h) {
    case HEALTH_OK: return ROLE_GOOD;
    case HEALTH_EXPLODING: return ROLE_BAD;
    default: return ROLE_WARN;
    }
}


static const char *act_short(activation a)
{
    switch (a) {
    case ACT_SIGMOID: return "sigm";
    case ACT_LEAKY_RELU: return "lrelu";
    case ACT_SOFTMAX: return "smax";
    case ACT_LINEAR: return "";
    default: return act_name(a);
    }
}

/* The layer the stepper is at (just computed, or next), and which way it is going. */
static int active_layer(const trainer *t, const char **arrow)
{
    *arrow = "";
    if (trainer_done(t))
        return -2;
    switch (t->state.next_phase) {
    case PHASE_FORWARD: *arrow = "\xE2\x86\x92 forward"; return t->state.next_layer;
    case PHASE_BACKWARD: *arrow = "\xE2\x86\x90 backward"; return t->state.next_layer;
    case PHASE_UPDATE: *arrow = "\xE2\x9C\x8E update"; return t->state.next_layer;
    case PHASE_LOSS: *arrow = "loss next"; return t->net.n_layers - 1;
    case PHASE_CLIP: *arrow = "clip next"; return -1;
    default: return -2;
    }
}

void draw_network(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    const trainer *t = &s->t;
    const net *n = &t->net;
    char title[200], state[96];
    snprintf(title, sizeof title, "Network (%d layers, %zu parameters): %s", n->n_layers, n->n_params,
             run_state(t, state, sizeof state));
    int y = lesson_panel_title(a, f, r, P_NETWORK, title);
    const char *arrow;
    int active = active_layer(t, &arrow);
    layer_health health[NET_MAX_LAYERS];
    live_health(t, health);
    int slots = n->n_layers + 1, first, width, shown;
    net_strip(n->n_layers, s->layer, r.w, &first, &width, &shown);
    for (int k = 0; k < shown; k++) {
        int slot = first + k, x = r.x + k * width, li = slot - 1;
        char name[32], shape[32];
        if (slot == 0) {
            snprintf(name, sizeof name, "input");
            snprintf(shape, sizeof shape, "%d", n->n_in);
        } else {
            const layer *L = &n->layers[li];
            snprintf(name, sizeof name, "%d %s", li, short_kind(L));
            if ((int)strlen(name) > width - 3) /* "12 batchnorm" in a 12-column slot */
                snprintf(name, sizeof name, "%d %s", li, tiny_kind(L));
            snprintf(shape, sizeof shape, "%d %s", L->n_out, L->act == ACT_LINEAR ? "" : act_name(L->act));
            if ((int)strlen(shape) > width - 3) /* a narrow slot: the activation's short name, not a cut one */
                snprintf(shape, sizeof shape, "%d %s", L->n_out, act_short(L->act));
        }
        bool sel = li == s->layer && slot > 0;
        frame_put(f, x + 1, y, sel ? ROLE_SELECTED : ROLE_STRONG, name, width - 3);
        frame_put(f, x + 1, y + 1, ROLE_NORMAL, shape, width - 3); /* a space before the arrow */
        if (slot > 0 && li == active)
            frame_put(f, x + 1, y + 2, ROLE_WARN, arrow, width - 2);
        if (slot > 0 && health[li] != HEALTH_COUNT)
            frame_put(f, x + 1, y + 3, health_role(health[li]), health_name(health[li]), width - 2);
        if (k + 1 < shown)
            frame_put(f, x + width - 1, y + 1, ROLE_DIM, "\xE2\x86\x92", 1);
    }
    if (first > 0)
        frame_put(f, r.x, y + 1, ROLE_DIM, "\xE2\x80\xA6", 1);
    if (first + shown < slots)
        frame_put(f, r.x + r.w - 1, y + 1, ROLE_DIM, "\xE2\x80\xA6", 1);
}

/* Heatmap cell: the value's size (relative to the largest in view) as a shade, its sign as colour. */
static void heat_cell(frame *f, int x, int y, float v, float scale, bool ascii, bool sel)
{
    static const char *const shades[] = {" ", "\xE2\x96\x91", "\xE2\x96\x92", "\xE2\x96\x93", "\xE2\x96\x88"};
    static const char *const ascii_shades[] = {" ", ".", ":", "*", "#"};
    int level = scale > 0 && isfinite(v) ? (int)ceilf(4.0f * fabsf(v) / scale) : (isfinite(v) ? 0 : 4);
    level = level < 0 ? 0 : (level > 4 ? 4 : level);
    const char *c = ascii ? ascii_shades[level] : shades[level];
    role ro = sel ? ROLE_SELECTED : (!isfinite(v) ? ROLE_WARN : (v >= 0 ? ROLE_GOOD : ROLE_BAD));
    frame_put(f, x, y, ro, c, 1);
    frame_put(f, x + 1, y, ro, c, 1);
}

void draw_inspector(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    const trainer *t = &s->t;
    int rows, cols;
    const float *v = session_buffer(s, s->buf, &rows, &cols);
    char title[200];
    snprintf(title, sizeof title, "Inspector: layer %d, %s (%dx%d)", s->layer, buffer_name(s->buf), rows, cols);
    int y = lesson_panel_title(a, f, r, P_INSPECTOR, title);
    if (!v) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "this layer has no such values (press i for another view)", r.w - 2);
        return;
    }
    if (rows == 0) {
        frame_put(f, r.x + 1, y, ROLE_DIM, "no batch loaded yet: press n", r.w - 2);
        return;
    }
    int cell_w = s->heatmap ? 2 : 10, lab = 5;
    int vis_rows = r.h - 3, vis_cols = (r.w - lab - 1) / cell_w;
    if (vis_rows < 1 || vis_cols < 1)
        return;
    int r0 = s->row - vis_rows + 1 > 0 ? s->row - vis_rows + 1 : 0;
    int c0 = s->col - vis_cols + 1 > 0 ? s->col - vis_cols + 1 : 0;
    float scale = 0;
    for (int i = r0; i < rows && i < r0 + vis_rows; i++)
        for (int j = c0; j < cols && j < c0 + vis_cols; j++)
            if (isfinite(v[(size_t)i * cols + j]))
                scale = fmaxf(scale, fabsf(v[(size_t)i * cols + j]));
    char buf[32];
    if (s->heatmap) { /* the legend: what a full cell means, and the signs' colours */
        char legend[120];
        snprintf(legend, sizeof legend, "%s = |v| %s %s; + green, - red (underlined without colour)",
                 a->ascii ? "#" : "\xE2\x96\x88", a->ascii ? ">=" : "\xE2\x89\xA5", fmt_compact(buf, sizeof buf, scale));
        char fitted[160];
        fit_words(fitted, sizeof fitted, legend, r.w - 2, a->ascii);
        snprintf(legend, sizeof legend, "%s", fitted);
        frame_put(f, r.x + 1, r.y + r.h - 2, ROLE_DIM, legend, r.w - 2);
        vis_rows = vis_rows > 1 ? vis_rows - 1 : vis_rows;
    }
    for (int i = 0; i < vis_rows && r0 + i < rows; i++) {
        snprintf(buf, sizeof buf, "%4d", r0 + i);
        frame_put(f, r.x, y + i, ROLE_DIM, buf, lab);
        for (int j = 0; j < vis_cols && c0 + j < cols; j++) {
            float val = v[(size_t)(r0 + i) * cols + c0 + j];
            bool sel = r0 + i == s->row && c0 + j == s->col;
            int x = r.x + lab + j * cell_w;
            if (s->heatmap)
                heat_cell(f, x, y + i, val, scale, a->ascii, sel);
            else {
                char txt[16];
                snprintf(txt, sizeof txt, "%9s", fmt_compact(buf, sizeof buf, val));
                frame_put(f, x, y + i, sel ? ROLE_SELECTED : (val < 0 ? ROLE_BAD : ROLE_NORMAL), txt, cell_w - 1);
            }
        }
    }
    /* the selected element in full, and for a parameter its whole story this step */
    char line[300], fitted[300], b1[32], b2[32], b3[32], b4[32];
    float sv = v[(size_t)s->row * cols + s->col];
    double shown = sv == 0 ? 0.0 : (double)sv; /* no "-0" */
    long j = session_selected_param(s);
    if (j >= 0 && j == s->edit_param && t->state.micro == s->edit_micro)
        snprintf(line, sizeof line, "[%d][%d] = %.7g   set with x (was %s)", s->row,
                 s->col, shown, fmt_compact(b1, sizeof b1, s->edit_from));
    else if (j >= 0 && t->state.step > 0) {
        param_story p = trainer_param_story(t, (size_t)j);
        snprintf(line, sizeof line, "[%d][%d] = %.7g   this step: w %s -> %s, grad %s, dw = %s", s->row, s->col,
                 shown, fmt_compact(b1, sizeof b1, p.before), fmt_compact(b2, sizeof b2, p.after),
                 fmt_compact(b3, sizeof b3, p.grad), fmt_compact(b4, sizeof b4, p.delta));
    } else
        snprintf(line, sizeof line, "[%d][%d] = %.7g", s->row, s->col, shown);
    fit_words(fitted, sizeof fitted, line, r.w - 2, a->ascii); /* a cut number would read as another */
    frame_put(f, r.x + 1, r.y + r.h - 1, ROLE_STRONG, fitted, r.w - 2);
    if (t->net.precision != FP32 && j >= 0 && r.h > 4 && !s->heatmap) { /* the weight as the format stores it */
        fp_value e = fp_encode(sv, t->net.precision);
        char bits[80], extra[200];
        fp_bits_text(&e, bits, sizeof bits);
        param_story p = trainer_param_story(t, (size_t)j);
        bool lost = p.grad != 0 && p.delta == 0;
        snprintf(extra, sizeof extra, "%s bits %s  ulp %s%s", fp_spec_of(t->net.precision)->name, bits,
                 fmt_compact(b1, sizeof b1, e.ulp), lost ? "  update lost: |dw| < ulp/2" : "");
        frame_put(f, r.x + 1, r.y + r.h - 2, lost ? ROLE_WARN : ROLE_CODE, extra, r.w - 2);
    }
}

void draw_narration(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    static narration_text nr; /* 13 KB: kept off the stack; the UI has one thread */
    narration_layout(s, r.w - 2, &nr);
    int y = lesson_panel_title(a, f, r, P_NARRATION, "What just happened");
    int most, room = narration_room(r.h, nr.n_rows, &most);
    int first = a->les->narr_scroll < most ? a->les->narr_scroll : most;
    int gc = s->gradcheck[0] ? nr.n_text - 1 : -1; /* the gradient check's line, if any */
    for (int k = first; k < nr.n_rows && k < first + room; k++, y++) {
        const narration_row *row = &nr.rows[k];
        const char *line = nr.text[row->line];
        role ro = row->line == gc ? (strstr(line, "(they agree)") ? ROLE_GOOD : ROLE_WARN)
                  : row->line == 0 ? ROLE_STRONG : (strchr(line, '=') ? ROLE_CODE : ROLE_NORMAL);
        frame_putn(f, r.x + 1 + (row->cont ? 2 : 0), y, ro, line + row->start, row->len, r.w - 2 - (row->cont ? 2 : 0));
    }
    if (nr.n_rows > room) { /* where the rest is, and how to read it */
        char more[80];
        snprintf(more, sizeof more, "%s %d of %d rows; Tab here, arrows scroll", first < most ? (a->ascii ? "v" : "\xE2\x86\x93") : (a->ascii ? "^" : "\xE2\x86\x91"),
                 room, nr.n_rows);
        frame_put(f, r.x + 1, r.y + r.h - 1, ROLE_DIM, more, r.w - 2);
    }
}
