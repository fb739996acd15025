/* view.c - draws the screen into a frame from the app state (no curses): the title and
 * status bars, the lesson text, the browser, the help, and the panels via view_*.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "narrate.h"
#include "view.h"

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
    frame_put(f, 1, y, r, left, room > 0 ? room : 1);
    if (rw && rw + 2 < f->w)
        frame_put(f, f->w - rw - 1, y, r, right, rw);
}

int panel_title(frame *f, rect r, const char *title, bool focused)
{
    role ro = focused ? ROLE_SELECTED : ROLE_BORDER;
    frame_fill(f, r.x, r.y, r.w, 0x2500, ROLE_BORDER);
    char t[256];
    snprintf(t, sizeof t, " %s ", title);
    frame_put(f, r.x + 1, r.y, ro, t, r.w - 2);
    return r.y + 1;
}

const char *fmt_compact(char *buf, size_t cap, double v)
{
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
    int first = a->selected - (f->h - 5) / 3 + 1;
    if (first < 0)
        first = 0;
    for (int i = first; i < a->n_entries && y + 1 < f->h - 1; i++) {
        const lesson_entry *e = &a->entries[i];
        bool sel = i == a->selected;
        const char *name = strrchr(e->path, '/');
        char head[400];
        snprintf(head, sizeof head, "%s %-28s %s", sel ? ">" : " ", name ? name + 1 : e->path, e->title);
        frame_fill(f, 0, y, f->w, ' ', sel ? ROLE_SELECTED : ROLE_NORMAL);
        frame_put(f, 1, y, sel ? ROLE_SELECTED : ROLE_STRONG, head, f->w - 2);
        frame_put(f, 32, y + 1, e->broken ? ROLE_BAD : ROLE_DIM, e->summary, f->w - 33);
        y += 3;
    }
    draw_bar(f, f->h - 1, ROLE_STATUS, a->message[0] ? a->message : "\xE2\x86\x91\xE2\x86\x93 choose  Enter open  ? help  q quit", "");
}

static void draw_lesson_text(app *a, frame *f, rect r)
{
    const lesson *l = &a->lesson;
    const lesson_page *pg = &l->pages[a->page];
    int y0 = r.y;
    if (a->has_session) {
        char t[200];
        snprintf(t, sizeof t, "Lesson %d/%d: %s", a->page + 1, l->n_pages, a->page ? pg->title : "Introduction");
        y0 = panel_title(f, r, t, a->focus == P_LESSON);
    }
    page_cache *c = a->cache;
    if (c->page != a->page || c->width != r.w || c->src != l->src) {
        md_doc_free(&c->doc);
        md_render(&c->doc, l->src + pg->begin, pg->end - pg->begin, r.w);
        c->page = a->page, c->width = r.w, c->src = l->src;
    }
    int body = r.y + r.h - y0;
    int max_scroll = c->doc.n - body > 0 ? c->doc.n - body : 0;
    if (a->scroll > max_scroll)
        a->scroll = max_scroll;
    for (int y = 0; y < body && a->scroll + y < c->doc.n; y++) {
        const styled_line *ln = &c->doc.lines[a->scroll + y];
        for (int x = 0; x < ln->n && x < r.w; x++)
            f->cells[(size_t)(y0 + y) * f->w + r.x + x] = (cell){ln->ch[x], ln->role[x]};
    }
    if (max_scroll > 0 && r.w > 2) /* a scroll hint in the corner */
        frame_put(f, r.x + r.w - 1, r.y + r.h - 1, ROLE_DIM, a->scroll < max_scroll ? "\xE2\x86\x93" : " ", 1);
}

static void status_line(const app *a, char *left, size_t cap, char *right, size_t rcap)
{
    const trainer *t = &a->s.t;
    char b1[16], b2[16];
    const char *next = trainer_done(t) ? "finished" : phase_name(t->state.next_phase);
    char where[48] = "";
    if (!trainer_done(t) && (t->state.next_phase == PHASE_FORWARD || t->state.next_phase == PHASE_BACKWARD ||
                             t->state.next_phase == PHASE_UPDATE))
        snprintf(where, sizeof where, " L%d", t->state.next_layer);
    char run[32] = "";
    if (a->s.running)
        snprintf(run, sizeof run, "[running x%d] ", a->s.speed >= SPEED_MAX ? 0 : 1 << (2 * a->s.speed));
    if (a->s.running && a->s.speed >= SPEED_MAX)
        snprintf(run, sizeof run, "[running, full speed] ");
    snprintf(left, cap, "%sepoch %d/%d  batch %d/%d  step %ld  next: %s%s  lr %s  loss %s", run,
             t->state.epoch + (t->state.epoch < t->epochs), t->epochs, t->state.batch + 1, t->batches_per_epoch, t->state.step, next, where,
             fmt_compact(b1, sizeof b1, t->state.lr),
             t->state.step > 0 || t->state.next_phase > PHASE_LOSS ? fmt_compact(b2, sizeof b2, t->state.loss) : "-");
    snprintf(right, rcap, "n step  b back  r run  ? help  q quit");
}

/* The help of the screen it was opened on, generated from that screen's key table. */
static void draw_help(const app *a, frame *f)
{
    const key_table *t = keys_of(a->screen);
    char rows[40][KEY_HELP_W + 1];
    int cap = (int)(sizeof rows / sizeof *rows), n = 0;
    snprintf(rows[n++], sizeof rows[0], "%s", t->title);
    rows[n++][0] = '\0';
    n += keys_help(t, rows + n, cap - n - 2);
    rows[n++][0] = '\0';
    snprintf(rows[n++], sizeof rows[0], "Any key closes this help.");
    int w = 72 < f->w - 2 ? 72 : f->w - 2;
    int x0 = (f->w - w) / 2, y0 = (f->h - n - 2) / 2;
    if (y0 < 0)
        y0 = 0;
    for (int i = -1; i <= n; i++)
        frame_fill(f, x0, y0 + 1 + i, w, ' ', ROLE_SELECTED);
    for (int i = 0; i < n; i++)
        frame_put(f, x0 + 2, y0 + 1 + i, ROLE_SELECTED, rows[i], w - 4);
}

static void draw_lesson_screen(app *a, frame *f)
{
    const lesson *l = &a->lesson;
    char right[200];
    snprintf(right, sizeof right, "page %d/%d", a->page + 1, l->n_pages);
    draw_bar(f, 0, ROLE_TITLE, l->title, right);
    layout_compute(a, f->w, f->h);
    if (a->visible[P_LESSON])
        draw_lesson_text(a, f, a->rects[P_LESSON]);
    if (a->has_session) {
        if (a->visible[P_NETWORK]) draw_network(a, f, a->rects[P_NETWORK]);
        if (a->visible[P_NARRATION]) draw_narration(a, f, a->rects[P_NARRATION]);
        if (a->visible[P_INSPECTOR]) draw_inspector(a, f, a->rects[P_INSPECTOR]);
        if (a->visible[P_ACTIVATIONS]) draw_activations(a, f, a->rects[P_ACTIVATIONS]);
        if (a->visible[P_GRADIENTS]) draw_gradients(a, f, a->rects[P_GRADIENTS]);
        if (a->visible[P_CURVES]) draw_curves(a, f, a->rects[P_CURVES]);
    }
    char left[400], hint[120];
    if (a->prompting)
        snprintf(left, sizeof left, "new value for the selected weight: %s_   (Enter to set, Esc to cancel)", a->prompt);
    else if (a->message[0])
        snprintf(left, sizeof left, "%s", a->message);
    else if (a->has_session) {
        status_line(a, left, sizeof left, hint, sizeof hint);
        draw_bar(f, f->h - 1, ROLE_STATUS, left, f->w >= 120 ? hint : "? help");
        return;
    } else
        snprintf(left, sizeof left, "PgUp/PgDn page  \xE2\x86\x91\xE2\x86\x93 scroll  ? help  q quit");
    draw_bar(f, f->h - 1, ROLE_STATUS, left, "");
}

void view_draw(app *a, frame *f)
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
    if (a->help)
        draw_help(a, f);
}
