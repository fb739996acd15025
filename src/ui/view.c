/* view.c - draws the screen into a frame from the app state (no curses). */
#include <stdio.h>
#include <string.h>

#include "app.h"

#define LINE_MAX_BYTES 1024

typedef struct text_line {
    role r;
    int indent;
    char text[LINE_MAX_BYTES];
} text_line;

typedef struct line_sink {
    text_line *lines;
    int n, cap;
} line_sink;

static void sink_add(line_sink *s, role r, int indent, const char *text, size_t len)
{
    if (s->n >= s->cap)
        return;
    text_line *l = &s->lines[s->n++];
    l->r = r;
    l->indent = indent;
    if (len >= sizeof l->text)
        len = sizeof l->text - 1;
    memcpy(l->text, text, len);
    l->text[len] = '\0';
}

/* Columns of a UTF-8 string (one per code point: lessons use no wide characters). */
static int columns(const char *s, size_t len)
{
    int c = 0;
    for (size_t i = 0; i < len; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Greedy word wrap of one paragraph line into width columns. */
static void wrap(line_sink *s, role r, int indent, const char *text, int width)
{
    size_t len = strlen(text), start = 0;
    if (width < 8)
        width = 8;
    while (start < len) {
        while (start < len && text[start] == ' ')
            start++;
        size_t end = start, last_space = 0;
        int cols = 0;
        while (end < len && cols < width) {
            if (text[end] == ' ')
                last_space = end;
            end++;
            while (end < len && ((unsigned char)text[end] & 0xC0) == 0x80)
                end++;
            cols++;
        }
        if (end < len && last_space > start)
            end = last_space;
        sink_add(s, r, indent, text + start, end - start);
        start = end;
    }
}

/* A light Markdown rendering of one page: headings, code fences, lists, paragraphs. */
static void render_page(const lesson *l, int page, int width, line_sink *s)
{
    const lesson_page *p = &l->pages[page];
    const char *src = l->src + p->begin, *end = l->src + p->end;
    bool in_code = false, in_experiment = false;
    while (src < end) {
        const char *nl = memchr(src, '\n', (size_t)(end - src));
        size_t len = nl ? (size_t)(nl - src) : (size_t)(end - src);
        char line[LINE_MAX_BYTES];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1), src);
        src += len + (nl ? 1 : 0);
        if (strncmp(line, "```", 3) == 0 || strncmp(line, "~~~", 3) == 0) {
            if (!in_code) {
                in_experiment = strstr(line, "deepstep") != NULL;
                sink_add(s, ROLE_DIM, 2, in_experiment ? "--- experiment ---" : "", in_experiment ? 18 : 0);
            } else if (in_experiment)
                sink_add(s, ROLE_DIM, 2, "------------------", 18);
            in_code = !in_code;
            continue;
        }
        if (in_code) {
            sink_add(s, ROLE_CODE, 4, line, strlen(line));
            continue;
        }
        if (line[0] == '#') {
            const char *t = line;
            while (*t == '#')
                t++;
            while (*t == ' ')
                t++;
            wrap(s, ROLE_HEADING, 1, t, width - 2);
            sink_add(s, ROLE_NORMAL, 0, "", 0);
            continue;
        }
        const char *t = line;
        int indent = 2;
        while (*t == ' ')
            t++, indent++;
        if ((t[0] == '-' || t[0] == '*') && t[1] == ' ') {
            char bullet[LINE_MAX_BYTES + 8];
            snprintf(bullet, sizeof bullet, "\xE2\x80\xA2 %s", t + 2);
            wrap(s, ROLE_NORMAL, indent, bullet, width - indent - 1);
            continue;
        }
        if (*t == '\0') {
            if (s->n > 0 && s->lines[s->n - 1].text[0] != '\0')
                sink_add(s, ROLE_NORMAL, 0, "", 0);
            continue;
        }
        wrap(s, ROLE_NORMAL, indent, t, width - indent - 1);
    }
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
    static text_line lines[2000];
    line_sink s = {lines, 0, 2000};
    render_page(l, a->page, f->w, &s);
    int body = f->h - 2;
    int scroll = a->scroll > s.n - body ? (s.n - body > 0 ? s.n - body : 0) : a->scroll;
    for (int y = 0; y < body && scroll + y < s.n; y++) {
        const text_line *t = &s.lines[scroll + y];
        frame_put(f, t->indent, 1 + y, t->r, t->text, f->w - t->indent);
    }
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
