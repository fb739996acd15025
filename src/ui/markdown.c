#include "markdown.h"

#include <md4c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "wrap.h"

#define MAX_DEPTH 8
#define MIN_TEXT 10 /* columns of text a margin (quote bars, indent) always leaves on a line */

/* A table cell: bytes run[off, off + len) of the buffered table. */
typedef struct tcell {
    int row, col, off, len;
} tcell;

/* Text waiting to be wrapped into lines, as UTF-8 with one role per byte: the wrap (wrap.h)
 * works on UTF-8, so paragraphs and the narration share it. */
typedef struct render {
    md_doc *doc;
    int width;
    char *run; /* only valid UTF-8: run_add encodes what it decoded */
    uint8_t *run_role;
    int run_n, run_cap;
    int indent;                 /* columns for every line of the current block */
    char prefix[32];            /* first-line marker of a list item ("• ", "3. ") */
    int span_role[MAX_DEPTH];   /* stack of span roles */
    int spans;
    role block_role;            /* heading or normal */
    int list_depth, ol_number[MAX_DEPTH], is_ol[MAX_DEPTH];
    int quote_depth;
    bool in_code, code_is_experiment, code_line_open;
    /* tables are buffered whole (their text in run), so columns can be sized to their cells */
    bool in_table;
    int table_rows, table_col, cell_start;
    tcell *cells;
    int n_cells, cell_cap;
} render;

static styled_line *new_line(render *r)
{
    md_doc *d = r->doc;
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->lines = xrealloc(d->lines, (size_t)d->cap, sizeof *d->lines);
    }
    styled_line *l = &d->lines[d->n++];
    l->n = 0;
    return l;
}

static styled_line *last_line(render *r)
{
    return &r->doc->lines[r->doc->n - 1];
}

/* Appends cp as the frame would draw it: a mark on the column before (on a space of its own at
 * the start), a wide character on two columns. Lines are wrapped to at most MD_LINE_COLS. */
static void line_put(styled_line *l, uint32_t cp, role ro)
{
    bool mark = cp_is_mark(cp);
    if (mark && l->n > 0) {
        int b = l->n - 1 > 0 && l->ch[l->n - 1] == 0 ? l->n - 2 : l->n - 1;
        for (int m = 0; m < FRAME_MARKS; m++)
            if (l->marks[b][m] == 0) {
                l->marks[b][m] = (uint16_t)cp;
                break;
            }
        return;
    }
    int w = mark ? 1 : cp_cols(cp);
    if (w == 0 || l->n + w > MD_LINE_COLS) /* a control character draws nothing */
        return;
    for (int i = 0; i < w; i++) {
        l->ch[l->n] = i ? 0 : mark ? ' ' : cp;
        l->role[l->n] = (uint8_t)ro;
        memset(l->marks[l->n], 0, sizeof l->marks[l->n]);
        if (mark)
            l->marks[l->n][0] = (uint16_t)cp;
        l->n++;
    }
}

/* Appends s[0..n), byte k in role ro[k] (or all in role one when ro is NULL). A mark that
 * starts it gets a space of its own, not the margin's or the cell's before: wrap.h counts it so. */
static void line_put_text(styled_line *l, const char *s, const uint8_t *ro, int n, role one)
{
    for (int i = 0; i < n;) {
        uint32_t cp;
        int k = utf8_decode_n(s + i, (size_t)(n - i), &cp);
        if (i == 0 && cp_is_mark(cp))
            line_put(l, ' ', ro ? (role)ro[i] : one);
        line_put(l, cp, ro ? (role)ro[i] : one);
        i += k;
    }
}

/* Columns of margin (quote bars, then `spaces`) a line gets: fewer when the panel is so narrow
 * that keep columns would not remain after it, so text is never pushed past the edge. */
static int margin_cols(const render *r, int spaces, int keep, int *bars)
{
    int room = r->width - 1 - keep;
    int b = r->quote_depth, s = spaces;
    if (2 * b + s > room)
        s = room - 2 * b > 0 ? room - 2 * b : 0;
    if (2 * b > room)
        b = room > 0 ? room / 2 : 0;
    if (bars)
        *bars = b;
    return 2 * b + s;
}

static int line_indent(render *r, styled_line *l, int spaces, int keep)
{
    int bars, cols = margin_cols(r, spaces, keep, &bars);
    for (int q = 0; q < bars; q++) {
        line_put(l, 0x2502, ROLE_DIM); /* │ */
        line_put(l, ' ', ROLE_NORMAL);
    }
    for (int i = 2 * bars; i < cols; i++)
        line_put(l, ' ', ROLE_NORMAL);
    return cols;
}

static void blank_line(render *r)
{
    md_doc *d = r->doc;
    if (d->n > 0 && d->lines[d->n - 1].n > 0)
        new_line(r);
}

static void run_reserve(render *r, int more)
{
    if (r->run_n + more <= r->run_cap)
        return;
    r->run_cap = (r->run_n + more) * 2;
    r->run = xrealloc(r->run, (size_t)r->run_cap, 1);
    r->run_role = xrealloc(r->run_role, (size_t)r->run_cap, 1);
}

static void run_add(render *r, uint32_t cp, role ro)
{
    run_reserve(r, 4);
    int k = utf8_encode(cp, r->run + r->run_n);
    memset(r->run_role + r->run_n, ro, (size_t)k);
    r->run_n += k;
}

/* Appends run[off, off + len) to the run again (a table record built from its cells). */
static void run_copy(render *r, int off, int len)
{
    run_reserve(r, len);
    memcpy(r->run + r->run_n, r->run + off, (size_t)len);
    memcpy(r->run_role + r->run_n, r->run_role + off, (size_t)len);
    r->run_n += len;
}

static role current_role(const render *r)
{
    if (r->spans > 0)
        return (role)r->span_role[r->spans - 1];
    return r->block_role;
}

static void run_add_utf8(render *r, const char *text, size_t size, role ro)
{
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        i += (size_t)utf8_decode_n(text + i, size - i, &cp);
        run_add(r, cp == '\n' || cp == '\t' ? ' ' : cp, ro);
    }
}

/* Wraps s[0..n) (byte k in role ro[k]) into lines of the current block: margin, then `first`
 * (a list marker) on the first line and as many spaces on the others, then the text. */
static void emit_wrapped(render *r, const char *s, const uint8_t *ro, int n, const char *first)
{
    int pre = wrap_cols(first, (int)strlen(first));
    int avail = r->width - 1 - pre - margin_cols(r, r->indent, pre + MIN_TEXT, NULL);
    int pos = 0;
    while (pos < n && s[pos] == ' ')
        pos++;
    for (bool first_line = true;; first_line = false) {
        wrap_line ln;
        int got = wrap_next(s, n, &pos, avail, &ln);
        if (!got && !first_line)
            break;
        styled_line *l = new_line(r);
        line_indent(r, l, r->indent, pre + MIN_TEXT);
        if (first_line)
            line_put_text(l, first, NULL, (int)strlen(first), ROLE_DIM);
        else
            for (int i = 0; i < pre; i++)
                line_put(l, ' ', ROLE_NORMAL);
        if (!got)
            break;
        line_put_text(l, s + ln.start, ro + ln.start, ln.len, ROLE_NORMAL);
    }
}

static void flush(render *r)
{
    if (r->run_n == 0 && !r->prefix[0])
        return;
    emit_wrapped(r, r->run, r->run_role, r->run_n, r->prefix);
    r->run_n = 0;
    r->prefix[0] = '\0';
}

static void code_line(render *r)
{
    line_indent(r, new_line(r), r->indent + 2, MIN_TEXT);
}

/* A code line too long for the panel continues on the next line, marked ↪, rather than being
 * cut; a word near the edge moves down whole. */
static void code_continue(render *r)
{
    const styled_line *prev = last_line(r);
    int cut = prev->n;
    for (int q = prev->n - 1; q > prev->n - 16 && q > r->indent + 4; q--)
        if (prev->ch[q] == ' ') {
            cut = q + 1;
            break;
        }
    code_line(r);
    styled_line *l = last_line(r), *p = l - 1; /* after new_line: it may have moved the array */
    line_put(l, 0x21AA, ROLE_DIM);             /* ↪ */
    for (int q = cut; q < p->n && l->n < MD_LINE_COLS; q++, l->n++) {
        l->ch[l->n] = p->ch[q];
        l->role[l->n] = p->role[q];
        memcpy(l->marks[l->n], p->marks[q], sizeof l->marks[q]);
    }
    p->n = cut;
}

/* md4c hands code text in pieces (a line, then its "\n"): a line stays open until '\n'. */
static void code_text(render *r, const char *text, size_t size)
{
    for (size_t i = 0; i < size;) {
        if (text[i] == '\n') {
            if (!r->code_line_open) /* an empty line */
                code_line(r);
            r->code_line_open = false;
            i++;
            continue;
        }
        uint32_t cp;
        i += (size_t)utf8_decode_n(text + i, size - i, &cp);
        cp = cp == '\t' ? ' ' : cp;
        if (!r->code_line_open) {
            code_line(r);
            r->code_line_open = true;
        } else if (!cp_is_mark(cp) && last_line(r)->n + cp_cols(cp) > r->width - 1)
            code_continue(r);
        line_put(last_line(r), cp, ROLE_CODE);
    }
}

/* The pending run, trimmed, becomes cell (row, col) of the buffered table; the run keeps it. */
static void table_store_cell(render *r)
{
    int a = r->cell_start, b = r->run_n;
    while (a < b && r->run[a] == ' ')
        a++;
    while (b > a && r->run[b - 1] == ' ')
        b--;
    if (r->n_cells == r->cell_cap) {
        r->cell_cap = r->cell_cap ? 2 * r->cell_cap : 32;
        r->cells = xrealloc(r->cells, (size_t)r->cell_cap, sizeof *r->cells);
    }
    r->cells[r->n_cells++] = (tcell){r->table_rows - 1, r->table_col - 1, a, b - a};
}

/* The table as a grid, each cell wrapped within its column's width. */
static void table_grid(render *r, const int *at, int rows, int cols, const int *width)
{
    int *pos = xcalloc((size_t)cols, sizeof *pos); /* how far each cell of the row has been drawn */
    for (int row = 0; row < rows; row++) {
        memset(pos, 0, (size_t)cols * sizeof *pos);
        for (bool more = true, first = true; more || first; first = false) {
            more = false;
            styled_line *l = new_line(r);
            line_indent(r, l, r->indent, MIN_TEXT);
            for (int col = 0; col < cols; col++) {
                if (col > 0)
                    line_put_text(l, " \xE2\x94\x82 ", NULL, 5, ROLE_DIM); /* " │ " */
                const tcell *c = at[row * cols + col] >= 0 ? &r->cells[at[row * cols + col]] : NULL;
                wrap_line ln = {0, 0, 0};
                if (c && wrap_next(r->run + c->off, c->len, &pos[col], width[col], &ln))
                    line_put_text(l, r->run + c->off + ln.start, r->run_role + c->off + ln.start, ln.len,
                                  ROLE_NORMAL);
                for (int i = ln.cols; i < width[col]; i++)
                    line_put(l, ' ', ROLE_NORMAL);
                more = more || (c && pos[col] < c->len);
            }
        }
        if (row == 0) { /* rule under the header */
            styled_line *rule = new_line(r);
            line_indent(r, rule, r->indent, MIN_TEXT);
            for (int col = 0; col < cols; col++) {
                if (col > 0)
                    line_put_text(rule, "\xE2\x94\x80\xE2\x94\xBC\xE2\x94\x80", NULL, 9, ROLE_DIM); /* ─┼─ */
                for (int i = 0; i < width[col]; i++)
                    line_put(rule, 0x2500, ROLE_DIM);
            }
        }
    }
    free(pos);
}

/* A table too wide for a grid even with every word on a line of its own: one record per row,
 * "header: value" for each cell, the first flush left and the others indented under it. A grid
 * would have to break words, and a number broken across two lines reads as two numbers. */
static void table_records(render *r, const int *at, int rows, int cols)
{
    int text_end = r->run_n, indent = r->indent;
    for (int row = rows > 1 ? 1 : 0; row < rows; row++)
        for (int col = 0, shown = 0; col < cols; col++) {
            int v = at[row * cols + col], h = row > 0 ? at[col] : -1;
            if (v < 0 || r->cells[v].len == 0)
                continue;
            if (h >= 0 && r->cells[h].len > 0) {
                run_copy(r, r->cells[h].off, r->cells[h].len);
                run_add_utf8(r, ": ", 2, ROLE_DIM);
            }
            run_copy(r, r->cells[v].off, r->cells[v].len);
            r->indent = indent + (shown++ ? 2 : 0);
            emit_wrapped(r, r->run + text_end, r->run_role + text_end, r->run_n - text_end, "");
            r->run_n = text_end;
        }
    r->indent = indent;
}

/* Column widths from wrap_fit_columns, each then cut to what its wrapped cells use; a table
 * that cannot fit with its words whole becomes records. */
static void table_emit(render *r)
{
    int rows = r->table_rows, cols = 0;
    for (int i = 0; i < r->n_cells; i++)
        cols = r->cells[i].col + 1 > cols ? r->cells[i].col + 1 : cols;
    if (rows <= 0 || cols <= 0)
        return;
    int *at = xcalloc((size_t)(rows + 3) * cols, sizeof *at); /* (row, col) -> index in cells, -1: none */
    int *width = at + rows * cols, *least = width + cols, *full = least + cols;
    for (int i = 0; i < rows * cols; i++)
        at[i] = -1;
    for (int i = 0; i < r->n_cells; i++) {
        const tcell *c = &r->cells[i];
        at[c->row * cols + c->col] = i;
        int w = wrap_cols(r->run + c->off, c->len), m = wrap_min_width(r->run + c->off, c->len);
        full[c->col] = w > full[c->col] ? w : full[c->col];
        least[c->col] = m > least[c->col] ? m : least[c->col];
    }
    int room = r->width - 1 - margin_cols(r, r->indent, MIN_TEXT, NULL) - 3 * (cols - 1);
    if (wrap_fit_columns(full, least, cols, room, width) == 0) {
        for (int col = 0; col < cols; col++) {
            int used = 0;
            for (int row = 0; row < rows; row++)
                if (at[row * cols + col] >= 0) {
                    const tcell *c = &r->cells[at[row * cols + col]];
                    int w = wrap_widest(r->run + c->off, c->len, width[col]);
                    used = w > used ? w : used;
                }
            width[col] = used;
        }
        table_grid(r, at, rows, cols, width);
    } else
        table_records(r, at, rows, cols);
    free(at);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    render *r = ud;
    switch (type) {
    case MD_BLOCK_H:
        flush(r);
        blank_line(r);
        r->block_role = ROLE_HEADING;
        break;
    case MD_BLOCK_P:
        if (!r->list_depth)
            flush(r);
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        flush(r);
        if (r->list_depth < MAX_DEPTH) {
            r->is_ol[r->list_depth] = type == MD_BLOCK_OL;
            r->ol_number[r->list_depth] = type == MD_BLOCK_OL ? (int)((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
        }
        if (r->list_depth > 0)
            r->indent += 2;
        r->list_depth++;
        break;
    case MD_BLOCK_LI: {
        flush(r);
        int d = r->list_depth - 1 < MAX_DEPTH ? r->list_depth - 1 : MAX_DEPTH - 1;
        if (r->is_ol[d])
            snprintf(r->prefix, sizeof r->prefix, "%d. ", r->ol_number[d]++);
        else
            snprintf(r->prefix, sizeof r->prefix, "\xE2\x80\xA2 ");
        break;
    }
    case MD_BLOCK_QUOTE:
        flush(r);
        r->quote_depth++;
        break;
    case MD_BLOCK_HR: {
        flush(r);
        styled_line *l = new_line(r);
        for (int i = 0; i < r->width - 2 && i < 60; i++)
            line_put(l, 0x2500, ROLE_DIM);
        break;
    }
    case MD_BLOCK_CODE: {
        flush(r);
        const MD_BLOCK_CODE_DETAIL *c = detail;
        r->in_code = true;
        r->code_is_experiment = c->lang.size == 8 && memcmp(c->lang.text, "deepstep", 8) == 0;
        blank_line(r);
        if (r->code_is_experiment) {
            styled_line *l = new_line(r);
            line_indent(r, l, r->indent, 16); /* the header is 16 columns */
            const char *t = "\xE2\x94\x80\xE2\x94\x80 experiment \xE2\x94\x80\xE2\x94\x80"; /* ── experiment ── */
            line_put_text(l, t, NULL, (int)strlen(t), ROLE_DIM);
        }
        break;
    }
    case MD_BLOCK_TABLE:
        flush(r);
        r->in_table = true;
        r->table_rows = r->n_cells = 0;
        break;
    case MD_BLOCK_TR:
        r->table_col = 0;
        r->table_rows++;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        r->table_col++;
        r->cell_start = r->run_n;
        if (type == MD_BLOCK_TH)
            r->block_role = ROLE_STRONG;
        break;
    default:
        break;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    render *r = ud;
    (void)detail;
    switch (type) {
    case MD_BLOCK_H:
        flush(r);
        r->block_role = ROLE_NORMAL;
        new_line(r);
        break;
    case MD_BLOCK_P:
        flush(r);
        if (!r->list_depth)
            new_line(r);
        break;
    case MD_BLOCK_LI:
        flush(r);
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        flush(r);
        r->list_depth--;
        if (r->list_depth > 0)
            r->indent -= 2;
        else
            new_line(r);
        break;
    case MD_BLOCK_QUOTE:
        flush(r);
        r->quote_depth--;
        new_line(r);
        break;
    case MD_BLOCK_CODE:
        if (r->code_is_experiment) {
            styled_line *l = new_line(r);
            line_indent(r, l, r->indent, 16);
            for (int i = 0; i < 16; i++)
                line_put(l, 0x2500, ROLE_DIM);
        }
        r->in_code = false;
        r->code_line_open = false;
        new_line(r);
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        table_store_cell(r);
        r->block_role = ROLE_NORMAL;
        break;
    case MD_BLOCK_TABLE:
        table_emit(r);
        r->run_n = 0;
        r->in_table = false;
        new_line(r);
        break;
    default:
        break;
    }
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    render *r = ud;
    (void)detail;
    role ro = current_role(r);
    if (type == MD_SPAN_EM)
        ro = ROLE_EMPH;
    else if (type == MD_SPAN_STRONG)
        ro = ROLE_STRONG;
    else if (type == MD_SPAN_CODE)
        ro = ROLE_CODE;
    if (r->spans < MAX_DEPTH)
        r->span_role[r->spans] = (int)ro;
    r->spans++;
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    render *r = ud;
    (void)type, (void)detail;
    if (r->spans > 0)
        r->spans--;
    return 0;
}

static const char *entity(const char *t, size_t n)
{
    static const char *const map[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
                                         {"&nbsp;", " "}, {"&times;", "\xC3\x97"}, {"&mdash;", "\xE2\x80\x94"}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strlen(map[i][0]) == n && memcmp(map[i][0], t, n) == 0)
            return map[i][1];
    return NULL;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
    render *r = ud;
    if (r->in_code) {
        code_text(r, text, size);
        return 0;
    }
    switch (type) {
    case MD_TEXT_SOFTBR:
        run_add(r, ' ', current_role(r));
        break;
    case MD_TEXT_BR:
        if (r->in_table) /* a cell is wrapped whole: a break in it is a space */
            run_add(r, ' ', current_role(r));
        else
            flush(r);
        break;
    case MD_TEXT_ENTITY: {
        const char *e = entity(text, size);
        run_add_utf8(r, e ? e : text, e ? strlen(e) : size, current_role(r));
        break;
    }
    case MD_TEXT_NULLCHAR: /* U+0000 in the source: CommonMark shows it as U+FFFD */
        run_add(r, 0xFFFD, current_role(r));
        break;
    default:
        run_add_utf8(r, text, size, current_role(r));
        break;
    }
    return 0;
}

int md_render(md_doc *doc, const char *src, size_t len, int width)
{
    render *r = xcalloc(1, sizeof *r);
    r->doc = doc;
    r->width = width < 20 ? 20 : (width > MD_LINE_COLS ? MD_LINE_COLS : width);
    r->indent = 1;
    r->block_role = ROLE_NORMAL;
    MD_PARSER p = {0};
    p.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML;
    p.enter_block = enter_block;
    p.leave_block = leave_block;
    p.enter_span = enter_span;
    p.leave_span = leave_span;
    p.text = on_text;
    int rc = md_parse(src, (MD_SIZE)len, &p, r);
    flush(r);
    while (doc->n > 0 && doc->lines[doc->n - 1].n == 0)
        doc->n--;
    free(r->run);
    free(r->run_role);
    free(r->cells);
    free(r);
    return rc == 0 ? 0 : -1;
}

void md_doc_free(md_doc *doc)
{
    free(doc->lines);
    memset(doc, 0, sizeof *doc);
}

void md_line_draw(frame *f, int x, int y, const styled_line *l, int max_w)
{
    for (int i = 0; i < l->n && i < max_w; i++) {
        if (l->ch[i] == 0) /* the right half of a wide character: drawn with its left half */
            continue;
        if (cp_cols(l->ch[i]) == 2 && i + 1 >= max_w)
            break;
        frame_set(f, x + i, y, l->ch[i], (role)l->role[i]);
        for (int m = 0; m < FRAME_MARKS && l->marks[i][m]; m++)
            frame_add_mark(f, x + i, y, l->marks[i][m]);
    }
}
