#include "markdown.h"

#include <md4c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "frame.h"

#define RUN_MAX 8192
#define MAX_DEPTH 8

/* A run of styled code points waiting to be wrapped into lines. */
typedef struct render {
    md_doc *doc;
    int width;
    uint32_t run[RUN_MAX];
    uint8_t run_role[RUN_MAX];
    int run_n;
    int indent;                 /* columns for every line of the current block */
    char prefix[32];            /* first-line marker of a list item ("• ", "3. ") */
    int span_role[MAX_DEPTH];   /* stack of span roles */
    int spans;
    role block_role;            /* heading or normal */
    int list_depth, ol_number[MAX_DEPTH], is_ol[MAX_DEPTH];
    int quote_depth;
    bool in_code, code_is_experiment, code_line_open;
    /* tables are buffered whole, so columns can be padded to their widest cell */
    bool in_table;
    int table_col, table_rows, table_cols;
    styled_line *cells; /* (rows, TABLE_MAX_COLS) */
    int cell_cap;
} render;

#define TABLE_MAX_COLS 12

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

static void line_put(styled_line *l, uint32_t ch, role ro)
{
    if (l->n < MD_LINE_COLS) {
        l->ch[l->n] = ch;
        l->role[l->n++] = (uint8_t)ro;
    }
}

static void line_indent(render *r, styled_line *l, int cols)
{
    for (int q = 0; q < r->quote_depth; q++) {
        line_put(l, 0x2502, ROLE_DIM); /* │ */
        line_put(l, ' ', ROLE_NORMAL);
    }
    for (int i = 0; i < cols; i++)
        line_put(l, ' ', ROLE_NORMAL);
}

static void blank_line(render *r)
{
    md_doc *d = r->doc;
    if (d->n > 0 && d->lines[d->n - 1].n > 0)
        new_line(r);
}

static void run_add(render *r, uint32_t ch, role ro)
{
    if (r->run_n < RUN_MAX) {
        r->run[r->run_n] = ch;
        r->run_role[r->run_n++] = (uint8_t)ro;
    }
}

static role current_role(const render *r)
{
    if (r->spans > 0)
        return (role)r->span_role[r->spans - 1];
    return r->block_role;
}

static void run_add_utf8(render *r, const char *text, size_t size, role ro)
{
    size_t i = 0;
    while (i < size) {
        uint32_t cp;
        char tmp[5] = {0};
        size_t k = size - i < 4 ? size - i : 4;
        memcpy(tmp, text + i, k);
        int used = utf8_decode(tmp, &cp);
        i += (size_t)used;
        run_add(r, cp == '\n' || cp == '\t' ? ' ' : cp, ro);
    }
}

/* Greedy word wrap of the pending run into lines of the current indent. */
static void flush(render *r)
{
    if (r->run_n == 0 && !r->prefix[0])
        return;
    int pre = (int)strlen(r->prefix) > 0 ? 2 : 0; /* bullets are two columns wide on screen */
    if (r->prefix[0] && r->prefix[0] != '\xE2')
        pre = (int)strlen(r->prefix);
    int avail = r->width - r->indent - pre - 2 * r->quote_depth - 1;
    if (avail < 10)
        avail = 10;
    int start = 0;
    bool first = true;
    while (start < r->run_n || first) {
        while (start < r->run_n && r->run[start] == ' ')
            start++;
        int end = start, last_space = -1;
        while (end < r->run_n && end - start < avail) {
            if (r->run[end] == ' ')
                last_space = end;
            end++;
        }
        if (end < r->run_n && last_space > start)
            end = last_space;
        styled_line *l = new_line(r);
        line_indent(r, l, r->indent);
        if (first && r->prefix[0]) {
            const char *p = r->prefix;
            while (*p) {
                uint32_t cp;
                p += utf8_decode(p, &cp);
                line_put(l, cp, ROLE_DIM);
            }
        } else
            for (int i = 0; i < pre; i++)
                line_put(l, ' ', ROLE_NORMAL);
        for (int i = start; i < end; i++)
            line_put(l, r->run[i], (role)r->run_role[i]);
        first = false;
        start = end;
        if (start >= r->run_n)
            break;
    }
    r->run_n = 0;
    r->prefix[0] = '\0';
}

/* md4c hands code text in pieces (a line, then its "\n"): a line stays open until '\n'. */
static void code_text(render *r, const char *text, size_t size)
{
    size_t i = 0;
    while (i < size) {
        if (text[i] == '\n') {
            if (!r->code_line_open) { /* an empty line */
                styled_line *l = new_line(r);
                line_indent(r, l, r->indent + 2);
            }
            r->code_line_open = false;
            i++;
            continue;
        }
        if (!r->code_line_open) {
            styled_line *l = new_line(r);
            line_indent(r, l, r->indent + 2);
            r->code_line_open = true;
        } else if (r->doc->lines[r->doc->n - 1].n >= r->width - 1) {
            /* too long for the panel: continue on the next line, marked, rather than cut;
             * a word near the edge moves down whole */
            int cut = r->doc->lines[r->doc->n - 1].n;
            const styled_line *prev = &r->doc->lines[r->doc->n - 1];
            for (int q = prev->n - 1; q > prev->n - 16 && q > r->indent + 4; q--)
                if (prev->ch[q] == ' ') {
                    cut = q + 1;
                    break;
                }
            styled_line *l = new_line(r);
            styled_line *p = &r->doc->lines[r->doc->n - 2]; /* new_line may have moved the array */
            line_indent(r, l, r->indent + 2);
            line_put(l, 0x21AA, ROLE_DIM); /* ↪ */
            for (int q = cut; q < p->n; q++)
                line_put(l, p->ch[q], (role)p->role[q]);
            p->n = cut;
        }
        uint32_t cp;
        char tmp[5] = {0};
        size_t k = size - i < 4 ? size - i : 4;
        memcpy(tmp, text + i, k);
        i += (size_t)utf8_decode(tmp, &cp);
        line_put(&r->doc->lines[r->doc->n - 1], cp == '\t' ? ' ' : cp, ROLE_CODE);
    }
}

/* The pending run becomes cell (row, col) of the buffered table. */
static void table_store_cell(render *r)
{
    int row = r->table_rows - 1, col = r->table_col - 1;
    if (row < 0 || col < 0 || col >= TABLE_MAX_COLS) {
        r->run_n = 0;
        return;
    }
    size_t need = (size_t)(row + 1) * TABLE_MAX_COLS;
    if ((int)need > r->cell_cap) {
        int old = r->cell_cap;
        r->cell_cap = (int)need * 2;
        r->cells = xrealloc(r->cells, (size_t)r->cell_cap, sizeof *r->cells);
        for (int i = old; i < r->cell_cap; i++)
            r->cells[i].n = 0;
    }
    styled_line *c = &r->cells[(size_t)row * TABLE_MAX_COLS + col];
    c->n = 0;
    int a = 0, b = r->run_n;
    while (a < b && r->run[a] == ' ')
        a++;
    while (b > a && r->run[b - 1] == ' ')
        b--;
    for (int i = a; i < b; i++)
        line_put(c, r->run[i], (role)r->run_role[i]);
    if (col + 1 > r->table_cols)
        r->table_cols = col + 1;
    r->run_n = 0;
}

static void table_emit(render *r)
{
    int width[TABLE_MAX_COLS] = {0};
    for (int row = 0; row < r->table_rows; row++)
        for (int col = 0; col < r->table_cols; col++) {
            int n = r->cells[(size_t)row * TABLE_MAX_COLS + col].n;
            width[col] = n > width[col] ? n : width[col];
        }
    for (int row = 0; row < r->table_rows; row++) {
        styled_line *l = new_line(r);
        line_indent(r, l, r->indent);
        for (int col = 0; col < r->table_cols; col++) {
            const styled_line *c = &r->cells[(size_t)row * TABLE_MAX_COLS + col];
            if (col > 0) {
                line_put(l, ' ', ROLE_DIM);
                line_put(l, 0x2502, ROLE_DIM);
                line_put(l, ' ', ROLE_DIM);
            }
            for (int i = 0; i < c->n; i++)
                line_put(l, c->ch[i], (role)c->role[i]);
            for (int i = c->n; i < width[col]; i++)
                line_put(l, ' ', ROLE_NORMAL);
        }
        if (row == 0) { /* rule under the header */
            styled_line *rule = new_line(r);
            line_indent(r, rule, r->indent);
            for (int col = 0; col < r->table_cols; col++) {
                if (col > 0)
                    for (int i = 0; i < 3; i++)
                        line_put(rule, i == 1 ? 0x253C : 0x2500, ROLE_DIM);
                for (int i = 0; i < width[col]; i++)
                    line_put(rule, 0x2500, ROLE_DIM);
            }
        }
    }
    r->table_rows = r->table_cols = 0;
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
            line_indent(r, l, r->indent);
            const char *t = "\xE2\x94\x80\xE2\x94\x80 experiment \xE2\x94\x80\xE2\x94\x80"; /* ── experiment ── */
            while (*t) {
                uint32_t cp;
                t += utf8_decode(t, &cp);
                line_put(l, cp, ROLE_DIM);
            }
        }
        break;
    }
    case MD_BLOCK_TABLE:
        flush(r);
        r->in_table = true;
        r->table_rows = r->table_cols = 0;
        break;
    case MD_BLOCK_TR:
        r->table_col = 0;
        r->table_rows++;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        r->table_col++;
        r->run_n = 0;
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
            line_indent(r, l, r->indent);
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
        flush(r);
        break;
    case MD_TEXT_ENTITY: {
        const char *e = entity(text, size);
        run_add_utf8(r, e ? e : text, e ? strlen(e) : size, current_role(r));
        break;
    }
    case MD_TEXT_NULLCHAR:
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
    free(r->cells);
    free(r);
    return rc == 0 ? 0 : -1;
}

void md_doc_free(md_doc *doc)
{
    free(doc->lines);
    memset(doc, 0, sizeof *doc);
}
