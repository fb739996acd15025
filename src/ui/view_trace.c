/* view_trace.c - the computation trace in a box over the lesson screen: the tree with its
 * marks, the selected node highlighted, how much more there is, and the keys in its border.
 * The layout (which rows the open nodes take at a width) is here too, a pure function of the
 * trace, so the keys that keep the selection in view and the drawing agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "trace.h"
#include "view.h"
#include "wrap.h"

static int columns(const char *s) /* one per code point: the trace draws no wide characters */
{
    int c = 0;
    for (; *s; s++)
        c += ((unsigned char)*s & 0xC0) != 0x80;
    return c;
}

rect trace_box(int cols, int rows)
{
    /* the whole width on a small screen; on a large one no wider than reads well (a tree's
     * lines, not a table), centred */
    int w = cols <= 100 ? cols : (cols - 8 < 132 ? cols - 8 : 132);
    return (rect){(cols - w) / 2, 1, w, rows - 2}; /* the title and status bars stay in view */
}

/* The header line and the blank after it, then the tree. */
int trace_room(int box_h) { return box_h - 2 - 2; }

/* Two columns per level, then the open/closed mark and a space; deep trees stop indenting at
 * half the width, so the text keeps room. */
int trace_indent(const trace_state *t, int k, int box_w)
{
    int d = t->nodes[k].depth, most = (box_w - 4) / 2 / 2 - 1;
    return 2 * (d < most ? d : most) + 2;
}

static int add_rows(const trace_state *t, int k, int w, trace_row **rows, int n, int *cap)
{
    const char *text = t->nodes[k].text;
    int len = (int)strlen(text), pos = 0, width = w - 4 - trace_indent(t, k, w);
    wrap_line ln;
    bool first = true;
    while (wrap_next(text, len, &pos, width, &ln)) {
        if (n == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *rows = xrealloc(*rows, (size_t)*cap, sizeof **rows);
        }
        (*rows)[n++] = (trace_row){k, ln.start, ln.len, first};
        first = false;
    }
    if (t->nodes[k].open)
        for (int i = 0; i < t->nodes[k].n_kids; i++)
            n = add_rows(t, t->nodes[k].first + i, w, rows, n, cap);
    return n;
}

int trace_layout(const trace_state *t, int box_w, trace_row **out)
{
    int cap = 0;
    *out = NULL;
    return t && t->n ? add_rows(t, 0, box_w, out, 0, &cap) : 0;
}

static bool last_child(const trace_state *t, int k)
{
    int p = t->nodes[k].parent;
    return p < 0 || k == t->nodes[p].first + t->nodes[p].n_kids - 1;
}

/* The tree's marks before a row of node k: a rule for every ancestor with siblings still to
 * come, then the branch (first row) or its continuation, then open / closed. */
static void marks(const trace_state *t, const trace_row *row, int w, bool ascii, char *out, size_t cap)
{
    const char *bar = ascii ? "| " : "\xE2\x94\x82 ", *tee = ascii ? "+-" : "\xE2\x94\x9C\xE2\x94\x80",
               *elbow = ascii ? "`-" : "\xE2\x94\x94\xE2\x94\x80";
    int k = row->node, d = t->nodes[k].depth, levels = (trace_indent(t, k, w) - 2) / 2;
    const char *lv[64];
    int n = 0;
    for (int a = k; t->nodes[a].parent >= 0 && n < 64; a = t->nodes[a].parent)
        lv[n++] = a == k ? (row->first ? (last_child(t, a) ? elbow : tee) : (last_child(t, a) ? "  " : bar))
                         : (last_child(t, a) ? "  " : bar);
    out[0] = '\0';
    size_t at = 0;
    for (int i = levels - 1; i >= 0 && i < n; i--) /* the nearest `levels` levels, outermost first */
        at += (size_t)snprintf(out + at, cap - at, "%s", i == levels - 1 && d > levels ? (ascii ? "~ " : "\xE2\x80\xA6 ") : lv[i]);
    const trace_node *nd = &t->nodes[k];
    const char *m = !row->first || !nd->expandable ? " " : nd->open ? (ascii ? "-" : "\xE2\x96\xBE") : (ascii ? "+" : "\xE2\x96\xB8");
    snprintf(out + at, cap - at, "%s ", m);
}

static role role_of(const trace_node *nd)
{
    switch (nd->what) {
    case TW_SUM: return ROLE_CODE;
    case TW_REST: case TW_NOTE: return ROLE_DIM;
    case TW_TERM: return ROLE_NORMAL;
    default: return ROLE_STRONG;
    }
}

void draw_trace(const app *a, frame *f)
{
    const trace_state *t = a->les->trace;
    rect b = trace_box(f->w, f->h);
    bool ascii = a->ascii;
    draw_box(f, b, NULL, NULL, ascii);
    char line[400];
    snprintf(line, sizeof line, " %s ", t->title);
    frame_put(f, b.x + 2, b.y, ROLE_HEADING, line, b.w - 4);
    fit_words(line, sizeof line, t->header, b.w - 4, ascii);
    frame_put(f, b.x + 2, b.y + 1, ROLE_DIM, line, b.w - 4);
    trace_row *rows;
    int n = trace_layout(t, b.w, &rows), room = trace_room(b.h);
    int top = t->top > n - room ? n - room : t->top;
    top = top < 0 ? 0 : top;
    for (int i = 0; i < room && top + i < n; i++) {
        const trace_row *r = &rows[top + i];
        const trace_node *nd = &t->nodes[r->node];
        int y = b.y + 3 + i, x = b.x + 2;
        marks(t, r, b.w, ascii, line, sizeof line);
        x += frame_put(f, x, y, ROLE_BORDER, line, b.w - 4);
        role ro = r->node == t->sel ? ROLE_SELECTED : role_of(nd);
        frame_putn(f, x, y, ro, nd->text + r->start, (size_t)r->len, b.x + b.w - 2 - x);
    }
    /* the keys, and how much is below (bottom edge) and above (top edge) */
    const char *keys = ascii ? " up/down move  right/Enter open  left close  Esc/t close "
                             : " \xE2\x86\x91\xE2\x86\x93 move  \xE2\x86\x92/Enter open  \xE2\x86\x90 close  Esc/t close ";
    frame_put(f, b.x + b.w - 2 - columns(keys), b.y + b.h - 1, ROLE_DIM, keys, b.w - 4);
    int below = n - top - room;
    if (below > 0) {
        snprintf(line, sizeof line, " %s %d more row%s below ", ascii ? "v" : "\xE2\x86\x93", below, below == 1 ? "" : "s");
        frame_put(f, b.x + 2, b.y + b.h - 1, ROLE_WARN, line, b.w - 4);
    }
    if (top > 0) {
        snprintf(line, sizeof line, " %s %d row%s above ", ascii ? "^" : "\xE2\x86\x91", top, top == 1 ? "" : "s");
        frame_put(f, b.x + b.w - 2 - columns(line), b.y, ROLE_WARN, line, b.w - 4);
    }
    free(rows);
}
