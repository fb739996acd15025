/* view.c - draws the screen into a frame from the app state (no curses): the title and
 * status bars, the lesson text, the browser, the help, and the panels via view_*.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "editor.h"
#include "keys.h"
#include "narrate.h"
#include "view.h"
#include "trace.h"
#include "quiz.h"

/* Columns of a UTF-8 string (one per code point: lessons use no wide characters). */
static int columns(const char *s)
{
    int c = 0;
    for (; *s; s++)
        c += ((unsigned char)*s & 0xC0) != 0x80;
    return c;
}

static void draw_bar(frame *f, int y, role r, const char *left, const char *right)
{
    frame_fill(f, 0, y, f->w, ' ', r);
    int rw = columns(right);
    int room = f->w - 2 - (rw ? rw + 2 : 0);
    char fitted[600]; /* cut at a word: "loss 3." would read as another number */
    fit_words(fitted, sizeof fitted, left, room > 0 ? room : 1, false);
    frame_put(f, 1, y, r, fitted, room > 0 ? room : 1);
    if (rw && rw + 2 < f->w)
        frame_put(f, f->w - rw - 1, y, r, right, rw);
}

/* TEXT cut to at most MAX columns at a word boundary, marked with an ellipsis: a title cut
 * mid-word ("vanishin", "res be") reads as a different word. */
void fit_words(char *out, size_t cap, const char *text, int max, bool ascii)
{
    snprintf(out, cap, "%s", text);
    if (columns(out) <= max || max < 4)
        return;
    const char *mark = ascii ? "~" : "\xE2\x80\xA6";
    int keep = max - 1, col = 0;
    size_t cut = 0, last_space = 0;
    for (size_t i = 0; out[i] && col < keep; i++) {
        if (((unsigned char)out[i] & 0xC0) == 0x80)
            continue;
        col++;
        if (out[i] == ' ')
            last_space = i;
        cut = i + 1;
        while (((unsigned char)out[cut] & 0xC0) == 0x80)
            cut++;
    }
    if (last_space > (size_t)keep / 2)
        cut = last_space; /* back to the word's start, unless that loses most of the title */
    while (cut > 0 && (out[cut - 1] == ' ' || out[cut - 1] == ',' || out[cut - 1] == ':' || out[cut - 1] == '('))
        cut--;
    snprintf(out + cut, cap - cut, "%s", mark);
}

int panel_title(frame *f, rect r, const char *title, bool focused)
{
    frame_fill(f, r.x, r.y, r.w, 0x2500, ROLE_BORDER);
    char t[300], fitted[300], whole[300];
    /* A title's last parenthesis explains; its start names. When the whole does not fit, the
     * explanation goes whole, rather than being cut mid-way ("(min..max…"). */
    snprintf(whole, sizeof whole, "%s", title);
    char *paren = strrchr(whole, '(');
    if (columns(whole) > r.w - 4 && paren && paren > whole + 1 && paren[-1] == ' ') {
        paren[-1] = '\0';
        if (columns(whole) > r.w - 4)
            snprintf(whole, sizeof whole, "%s", title);
    }
    fit_words(fitted, sizeof fitted, whole, r.w - 4, false);
    snprintf(t, sizeof t, " %s ", fitted);
    frame_put(f, r.x + 1, r.y, focused ? ROLE_SELECTED : ROLE_STRONG, t, r.w - 2);
    return r.y + 1;
}

int lesson_panel_title(const app *a, frame *f, rect r, panel_id p, const char *title)
{
    /* the digit that hides the panel (1..7), set into the right end of its rule: the
     * mapping the keys use, on screen */
    int y = panel_title(f, (rect){r.x, r.y, r.w - 4, r.h}, title, a->les->focus == p);
    panel_key(a, f, r, p);
    return y;
}

void panel_key(const app *a, frame *f, rect r, panel_id p)
{
    char key[8];
    frame_fill(f, r.x + r.w - 4, r.y, 4, 0x2500, ROLE_BORDER);
    snprintf(key, sizeof key, "[%d]", (int)p + 1);
    frame_put(f, r.x + r.w - 4, r.y, a->les->focus == p ? ROLE_SELECTED : ROLE_DIM, key, 3);
}

const char *fmt_compact(char *buf, size_t cap, double v)
{
    if (v == 0)
        v = 0.0; /* a ReLU's zero may be -0: print 0, the sign of zero means nothing here */
    if (isnan(v))
        snprintf(buf, cap, "nan");
    else if (isinf(v))
        snprintf(buf, cap, v > 0 ? "inf" : "-inf");
    else if (v != 0 && (fabs(v) < 1e-3 || fabs(v) >= 1e5))
        snprintf(buf, cap, "%.2e", v);
    else
        snprintf(buf, cap, "%.4g", v);
    return buf;
}

static void draw_browser(const app *a, frame *f)
{
    draw_bar(f, 0, ROLE_TITLE, "deepstep \xE2\x80\x94 lessons", "");
    int y = 2;
    int first = a->list.selected - (f->h - 5) / 3 + 1;
    if (first < 0)
        first = 0;
    int i = first;
    for (; i < a->list.n && y + 1 < f->h - 1; i++) {
        const lesson_entry *e = &a->list.entries[i];
        bool sel = i == a->list.selected;
        const char *name = strrchr(e->path, '/');
        char head[400], title[200];
        fit_words(title, sizeof title, e->title, f->w - 33, a->ascii);
        snprintf(head, sizeof head, "%s %-28s %s", sel ? ">" : " ", name ? name + 1 : e->path, title);
        frame_fill(f, 0, y, f->w, ' ', sel ? ROLE_SELECTED : ROLE_NORMAL);
        frame_put(f, 1, y, sel ? ROLE_SELECTED : ROLE_STRONG, head, f->w - 2);
        char summary[400];
        fit_words(summary, sizeof summary, e->summary, f->w - 33, a->ascii);
        frame_put(f, 32, y + 1, e->broken ? ROLE_BAD : ROLE_DIM, summary, f->w - 33);
        y += 3;
    }
    char more[48];
    if (first > 0) {
        snprintf(more, sizeof more, "%s %d more above", a->ascii ? "^" : "\xE2\x86\x91", first);
        frame_put(f, f->w - columns(more) - 1, 1, ROLE_DIM, more, columns(more));
    }
    if (i < a->list.n) { /* lessons below the screen: say so, or a learner thinks the list ends here */
        snprintf(more, sizeof more, "%s %d more below", a->ascii ? "v" : "\xE2\x86\x93", a->list.n - i);
        frame_put(f, f->w - columns(more) - 1, f->h - 2, ROLE_DIM, more, columns(more));
    }
    char hints[200];
    keys_hints(&keys_browser, false, hints, sizeof hints);
    draw_bar(f, f->h - 1, ROLE_STATUS, a->message[0] ? a->message : hints, "");
}

static void draw_lesson_text(const app *a, frame *f, rect r)
{
    const lesson_screen *ls = a->les;
    const lesson *l = &ls->lesson;
    const lesson_page *pg = &l->pages[ls->page];
    int y0 = r.y;
    if (app_run_c(a)) {
        char t[200];
        snprintf(t, sizeof t, "Lesson %d/%d: %s", ls->page + 1, l->n_pages, ls->page ? pg->title : "Introduction");
        y0 = lesson_panel_title(a, f, r, P_LESSON, t);
    }
    /* The model keeps the page laid out at its terminal's width; a frame of another size
     * (a test, a resize not yet told) gets its own, drawn and dropped. */
    md_doc own = {0};
    const md_doc *doc = &ls->text.doc;
    if (ls->text.page != ls->page || ls->text.width != r.w) {
        md_render(&own, l->src + pg->begin, pg->end - pg->begin, r.w);
        doc = &own;
    }
    int body = r.y + r.h - y0;
    int max_scroll = doc->n - body > 0 ? doc->n - body : 0;
    int scroll = ls->scroll < max_scroll ? ls->scroll : max_scroll;
    for (int y = 0; y < body && scroll + y < doc->n; y++) {
        const styled_line *ln = &doc->lines[scroll + y];
        md_line_draw(f, r.x, y0 + y, ln, r.w);
    }
    if (max_scroll > 0 && r.w > 2) /* a scroll hint in the corner */
        frame_put(f, r.x + r.w - 1, r.y + r.h - 1, ROLE_DIM, scroll < max_scroll ? "\xE2\x86\x93" : " ", 1);
    md_doc_free(&own);
}

/* How a run stands in a few words, the same in the status bar and the network's title:
 * a run that ended on a NaN says so instead of "finished". */
const char *run_state(const trainer *t, char *buf, size_t cap)
{
    if (t->state.div.happened)
        snprintf(buf, cap, "diverged: %s at step %ld", isnan(t->state.div.value) ? "NaN" : "Inf",
                 t->state.div.step + 1); /* div.step counts the updates before it, as the engine's message does */
    else if (t->state.early.stopped)
        snprintf(buf, cap, "stopped early at epoch %d (best %d restored)", t->state.epoch, t->state.early.best_epoch);
    else if (trainer_done(t))
        snprintf(buf, cap, "finished: %ld step%s", t->state.step, t->state.step == 1 ? "" : "s");
    else
        snprintf(buf, cap, "%s", phase_name(t->state.next_phase));
    return buf;
}

static void status_line(const app *a, char *left, size_t cap, char *right, size_t rcap)
{
    const session *s = app_run_c(a);
    const trainer *t = &s->t;
    char b1[16], b2[16], state[96];
    bool done = trainer_done(t);
    char where[48] = "";
    if (!done && (t->state.next_phase == PHASE_FORWARD || t->state.next_phase == PHASE_BACKWARD ||
                  t->state.next_phase == PHASE_UPDATE))
        snprintf(where, sizeof where, " L%d", t->state.next_layer);
    char run[32] = "";
    if (s->running)
        snprintf(run, sizeof run, "[running x%d] ", s->speed >= SPEED_MAX ? 0 : 1 << (2 * s->speed));
    if (s->running && s->speed >= SPEED_MAX)
        snprintf(run, sizeof run, "[running, full speed] ");
    /* the epoch being trained, or (when done) the last one trained */
    int epoch = done ? (t->state.epoch > 0 ? t->state.epoch : 1) : t->state.epoch + (t->state.epoch < t->epochs);
    /* when done, the last epoch's mean loss: the last batch alone may be a few rows */
    const epoch_metrics *m = done && s->n_epochs ? &s->epochs[s->n_epochs - 1] : NULL;
    const char *loss = m ? fmt_compact(b2, sizeof b2, m->train_loss)
                         : (t->state.step > 0 || t->state.next_phase > PHASE_LOSS ? fmt_compact(b2, sizeof b2, t->state.loss) : "-");
    snprintf(left, cap, "%sepoch %d/%d  batch %d/%d  step %ld  %s%s%s  lr %s  %s %s", run, epoch, t->epochs,
             done && t->state.batch == 0 ? t->batches_per_epoch : t->state.batch + 1, t->batches_per_epoch, t->state.step, done ? "" : "next: ", run_state(t, state, sizeof state),
             where, fmt_compact(b1, sizeof b1, t->state.lr), m ? "epoch loss" : "loss", loss);
    keys_hints(&keys_lesson, true, right, rcap);
}

void draw_box(frame *f, rect b, const char *title, const char *footer, bool ascii)
{
    int x0 = b.x, y0 = b.y, w = b.w, h = b.h;
    uint32_t hz = ascii ? '-' : 0x2500, vt = ascii ? '|' : 0x2502;
    uint32_t c[4] = {0x250C, 0x2510, 0x2514, 0x2518};
    for (int y = y0; y < y0 + h; y++)
        frame_fill(f, x0, y, w, ' ', ROLE_NORMAL);
    frame_fill(f, x0, y0, w, hz, ROLE_BORDER);
    frame_fill(f, x0, y0 + h - 1, w, hz, ROLE_BORDER);
    for (int y = y0 + 1; y < y0 + h - 1; y++) {
        frame_fill(f, x0, y, 1, vt, ROLE_BORDER);
        frame_fill(f, x0 + w - 1, y, 1, vt, ROLE_BORDER);
    }
    frame_fill(f, x0, y0, 1, ascii ? '+' : c[0], ROLE_BORDER);
    frame_fill(f, x0 + w - 1, y0, 1, ascii ? '+' : c[1], ROLE_BORDER);
    frame_fill(f, x0, y0 + h - 1, 1, ascii ? '+' : c[2], ROLE_BORDER);
    frame_fill(f, x0 + w - 1, y0 + h - 1, 1, ascii ? '+' : c[3], ROLE_BORDER);
    char t[200];
    if (title) {
        snprintf(t, sizeof t, " %s ", title);
        frame_put(f, x0 + 2, y0, ROLE_HEADING, t, w - 4);
    }
    if (footer) { /* right-aligned, or from the left edge when it is wider than the box */
        snprintf(t, sizeof t, " %s ", footer);
        int x = x0 + w - 2 - columns(t);
        frame_put(f, x > x0 + 1 ? x : x0 + 1, y0 + h - 1, ROLE_DIM, t, w - 2);
    }
}

/* The help of the screen it was opened on, generated from that screen's key table, in a box
 * over the screen. Rows that do not fit a short terminal are counted in the bottom edge. */
static void draw_help(const app *a, frame *f)
{
    const key_table *t = a->screen == SCREEN_LESSON && a->les && a->les->editing ? &keys_editor : keys_of(a->screen);
    char rows[48][KEY_HELP_W + 1];
    int n = keys_help(t, rows, (int)(sizeof rows / sizeof *rows));
    int w = KEY_HELP_W + 4 < f->w ? KEY_HELP_W + 4 : f->w;
    int room = f->h - 2 - 2; /* inside the border, title and status bars left visible */
    int shown = n < room ? n : room;
    int x0 = (f->w - w) / 2, y0 = 1 + (room - shown) / 2;
    char footer[80];
    if (shown < n)
        snprintf(footer, sizeof footer, "%d more rows need a taller terminal; any key closes", n - shown);
    else
        snprintf(footer, sizeof footer, "any key closes this help");
    draw_box(f, (rect){x0, y0, w, shown + 2}, t->title, footer, a->ascii);
    for (int i = 0; i < shown; i++)
        frame_put(f, x0 + 1, y0 + 1 + i, ROLE_NORMAL, rows[i], w - 2);
}

static void draw_lesson_screen(const app *a, frame *f)
{
    const lesson_screen *ls = a->les;
    char right[200];
    snprintf(right, sizeof right, "page %d/%d", ls->page + 1, ls->lesson.n_pages);
    /* a run started from the editor (E) is not the lesson's: the title says so on every page */
    const struct editor *ed = ls->edits && ls->experiment >= 0 ? ls->edits[ls->experiment] : NULL;
    char title[240];
    snprintf(title, sizeof title, "%s%s", ls->lesson.title, ed && editor_applied(ed) ? " (edited)" : "");
    draw_bar(f, 0, ROLE_TITLE, title, right);
    layout L;
    layout_compute(a, f->w, f->h, &L);
    if (L.visible[P_LESSON])
        draw_lesson_text(a, f, L.r[P_LESSON]);
    if (app_run_c(a)) {
        if (L.visible[P_NETWORK]) draw_network(a, f, L.r[P_NETWORK]);
        if (L.visible[P_NARRATION]) draw_narration(a, f, L.r[P_NARRATION]);
        if (L.visible[P_INSPECTOR]) draw_inspector(a, f, L.r[P_INSPECTOR]);
        if (L.visible[P_ACTIVATIONS]) draw_activations(a, f, L.r[P_ACTIVATIONS]);
        if (L.visible[P_GRADIENTS]) draw_gradients(a, f, L.r[P_GRADIENTS]);
        if (L.visible[P_CURVES]) draw_curves(a, f, L.r[P_CURVES]);
        if (L.visible[P_DATA]) draw_data(a, f, L.r[P_DATA]);
        if (L.visible[P_DIST]) draw_dist(a, f, L.r[P_DIST]);
    }
    char left[400], hint[120];
    if (ls->quiz && ls->quiz->open >= 0 && !ls->quiz->revealed)
        snprintf(left, sizeof left, "a question: Enter answers, Esc skips; Tab brings a panel into view, ? help");
    else if (ls->prompting)
        snprintf(left, sizeof left, "new value for the selected weight: %s_   (%sEnter sets, Esc cancels)", ls->prompt,
                 ls->prompt_fresh ? "type to replace, " : "");
    else if (a->message[0])
        snprintf(left, sizeof left, "%s", a->message);
    else if (app_run_c(a)) {
        status_line(a, left, sizeof left, hint, sizeof hint);
        /* the key hints when they fit beside the state; else the one hint that leads to the rest */
        bool room = columns(left) + columns(hint) + 6 <= f->w;
        draw_bar(f, f->h - 1, ROLE_STATUS, left, room ? hint : "? help");
        return;
    } else
        keys_hints(&keys_lesson, false, left, sizeof left);
    draw_bar(f, f->h - 1, ROLE_STATUS, left, "");
}

void view_draw(const app *a, frame *f)
{
    frame_clear(f);
    if (f->w < UI_MIN_W || f->h < UI_MIN_H) {
        char msg[80];
        snprintf(msg, sizeof msg, "terminal too small (need %dx%d)", UI_MIN_W, UI_MIN_H);
        frame_put(f, 0, f->h / 2, ROLE_WARN, msg, f->w);
        return;
    }
    if (a->screen == SCREEN_BROWSER)
        draw_browser(a, f);
    else if (a->screen == SCREEN_LAB)
        draw_lab(a, f);
    else if (a->screen == SCREEN_COMPARE)
        draw_compare(a, f);
    else if (a->screen == SCREEN_RACE)
        draw_race(a, f);
    else
        draw_lesson_screen(a, f);
    if (a->screen == SCREEN_LESSON && a->les && a->les->trace)
        draw_trace(a, f);
    if (a->screen == SCREEN_LESSON && a->les && a->les->editing)
        draw_editor(a, f);
    if (a->screen == SCREEN_LESSON && a->les && a->les->quiz && a->les->quiz->open >= 0)
        draw_quiz(a, f);
    if (a->help)
        draw_help(a, f);
}
