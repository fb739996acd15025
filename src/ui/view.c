/* view.c - draws the screen into a frame from the app state (no curses). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "markdown.h"

/* Columns of a UTF-8 string (one per code point: lessons use no wide characters). */
static int columns(const char *s, size_t len)
{
    int c = 0;
    for (size_t i = 0; i < len; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static void draw_bar(frame *f, int y, role r, const char *left, const char *right)
{
    frame_fill(f, 0, y, f->w, ' ', r);
    frame_put(f, 1, y, r, left, f->w - 2);
    int rw = columns(right, strlen(right));
    if (rw + 2 < f->w - columns(left, strlen(left)))
        frame_put(f, f->w - rw - 1, y, r, right, rw);
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
        snprintf(head, sizeof head, "%s %-22s %s", sel ? ">" : " ", name ? name + 1 : e->path, e->title);
        frame_fill(f, 0, y, f->w, ' ', sel ? ROLE_SELECTED : ROLE_NORMAL);
        frame_put(f, 1, y, sel ? ROLE_SELECTED : ROLE_STRONG, head, f->w - 2);
        frame_put(f, 26, y + 1, e->broken ? ROLE_BAD : ROLE_DIM, e->summary, f->w - 27);
        y += 3;
    }
    draw_bar(f, f->h - 1, ROLE_STATUS, a->message[0] ? a->message : "\xE2\x86\x91\xE2\x86\x93 choose  Enter open  ? help  q quit", "");
}

static void draw_lesson(const app *a, frame *f)
{
    const lesson *l = &a->lesson;
    char right[200];
    snprintf(right, sizeof right, "page %d/%d", a->page + 1, l->n_pages);
    draw_bar(f, 0, ROLE_TITLE, l->title, right);
    const lesson_page *pg = &l->pages[a->page];
    md_doc doc = {0};
    md_render(&doc, l->src + pg->begin, pg->end - pg->begin, f->w);
    int body = f->h - 2;
    int max_scroll = doc.n - body > 0 ? doc.n - body : 0;
    int scroll = a->scroll > max_scroll ? max_scroll : a->scroll;
    for (int y = 0; y < body && scroll + y < doc.n; y++) {
        const styled_line *ln = &doc.lines[scroll + y];
        for (int x = 0; x < ln->n && x < f->w; x++)
            f->cells[(size_t)(1 + y) * f->w + x] = (cell){ln->ch[x], ln->role[x]};
    }
    md_doc_free(&doc);
    draw_bar(f, f->h - 1, ROLE_STATUS,
             a->message[0] ? a->message : "PgUp/PgDn page  \xE2\x86\x91\xE2\x86\x93 scroll  ? help  q quit", "");
}

static void draw_help(frame *f)
{
    static const char *const rows[] = {
        "Keys",
        "",
        "  PgDn \xE2\x86\x92 l     next page",
        "  PgUp \xE2\x86\x90 h     previous page",
        "  \xE2\x86\x93 j / \xE2\x86\x91 k    scroll",
        "  Esc         back to the lesson list",
        "  ?           this help",
        "  q           quit",
        "",
        "Any key closes this help.",
    };
    int n = (int)(sizeof rows / sizeof *rows), w = 40;
    int x0 = (f->w - w) / 2, y0 = (f->h - n - 2) / 2;
    for (int i = -1; i <= n; i++)
        frame_fill(f, x0, y0 + 1 + i, w, ' ', ROLE_SELECTED);
    for (int i = 0; i < n; i++)
        frame_put(f, x0 + 2, y0 + 1 + i, ROLE_SELECTED, rows[i], w - 4);
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
    else
        draw_lesson(a, f);
    if (a->help)
        draw_help(f);
}
