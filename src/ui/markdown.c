#include "markdown.h"

#include <md4c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "wrap.h"

#include "markdown_render.h"

styled_line *md_new_line(render *r)
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
void md_line_put(styled_line *l, uint32_t cp, role ro)
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
void md_line_put_text(styled_line *l, const char *s, const uint8_t *ro, int n, role one)
{
    for (int i = 0; i < n;) {
        uint32_t cp;
        int k = utf8_decode_n(s + i, (size_t)(n - i), &cp);
        if (i == 0 && cp_is_mark(cp))
            md_line_put(l, ' ', ro ? (role)ro[i] : one);
        md_line_put(l, cp, ro ? (role)ro[i] : one);
        i += k;
    }
}

/* Columns of margin (quote bars, then `spaces`) a line gets: fewer when the panel is so narrow
 * that keep columns would not remain after it, so text is never pushed past the edge. */
int md_margin_cols(const render *r, int spaces, int keep, int *bars)
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

int md_line_indent(render *r, styled_line *l, int spaces, int keep)
{
    int bars, cols = md_margin_cols(r, spaces, keep, &bars);
    for (int q = 0; q < bars; q++) {
        md_line_put(l, 0x2502, ROLE_DIM); /* │ */
        md_line_put(l, ' ', ROLE_NORMAL);
    }
    for (int i = 2 * bars; i < cols; i++)
        md_line_put(l, ' ', ROLE_NORMAL);
    return cols;
}

void md_blank_line(render *r)
{
    md_doc *d = r->doc;
    if (d->n > 0 && d->lines[d->n - 1].n > 0)
        md_new_line(r);
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
void md_run_copy(render *r, int off, int len)
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

void md_run_add_utf8(render *r, const char *text, size_t size, role ro)
{
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        i += (size_t)utf8_decode_n(text + i, size - i, &cp);
        run_add(r, cp == '\n' || cp == '\t' ? ' ' : cp, ro);
    }
}

/* Wraps s[0..n) (byte k in role ro[k]) into lines of the current block: margin, then `first`
 * (a list marker) on the first line and as many spaces on the others, then the text. */
void md_emit_wrapped(render *r, const char *s, const uint8_t *ro, int n, const char *first)
{
    int pre = wrap_cols(first, (int)strlen(first));
    int avail = r->width - 1 - pre - md_margin_cols(r, r->indent, pre + MIN_TEXT, NULL);
    int pos = 0;
    while (pos < n && s[pos] == ' ')
        pos++;
    for (bool first_line = true;; first_line = false) {
        wrap_line ln;
        int got = wrap_next(s, n, &pos, avail, &ln);
        if (!got && !first_line)
            break;
        styled_line *l = md_new_line(r);
        md_line_indent(r, l, r->indent, pre + MIN_TEXT);
        if (first_line)
            md_line_put_text(l, first, NULL, (int)strlen(first), ROLE_DIM);
        else
            for (int i = 0; i < pre; i++)
                md_line_put(l, ' ', ROLE_NORMAL);
        if (!got)
            break;
        md_line_put_text(l, s + ln.start, ro + ln.start, ln.len, ROLE_NORMAL);
    }
}

static void flush(render *r)
{
    if (r->run_n == 0 && !r->prefix[0])
        return;
    md_emit_wrapped(r, r->run, r->run_role, r->run_n, r->prefix);
    r->run_n = 0;
    r->prefix[0] = '\0';
}

static void code_line(render *r)
{
    md_line_indent(r, md_new_line(r), r->indent + 2, MIN_TEXT);
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
    md_line_put(l, 0x21AA, ROLE_DIM);             /* ↪ */
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
        md_line_put(last_line(r), cp, ROLE_CODE);
    }
}

/* "deepstep ask": the info string's second word starts with ask */
static bool is_ask_info(const MD_BLOCK_CODE_DETAIL *c)
{
    const char *t = c->info.text;
    size_t n = c->info.size, k = 8;
    while (k < n && (t[k] == ' ' || t[k] == '\t'))
        k++;
    return k > 8 && n - k >= 3 && memcmp(t + k, "ask", 3) == 0; /* as the lesson parser reads it (lesson.c) */
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    render *r = ud;
    switch (type) {
    case MD_BLOCK_H:
        flush(r);
        md_blank_line(r);
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
        styled_line *l = md_new_line(r);
        for (int i = 0; i < r->width - 2 && i < 60; i++)
            md_line_put(l, 0x2500, ROLE_DIM);
        break;
    }
    case MD_BLOCK_CODE: {
        flush(r);
        const MD_BLOCK_CODE_DETAIL *c = detail;
        r->in_code = true;
        r->code_is_experiment = c->lang.size == 8 && memcmp(c->lang.text, "deepstep", 8) == 0;
        r->code_is_ask = r->code_is_experiment && is_ask_info(c);
        md_blank_line(r);
        if (r->code_is_ask) { /* the block holds the answer: one line says a question waits */
            styled_line *l = md_new_line(r);
            md_line_indent(r, l, r->indent, 16);
            const char *t = "\xE2\x94\x80\xE2\x94\x80 a question waits \xE2\x94\x80\xE2\x94\x80";
            md_line_put_text(l, t, NULL, (int)strlen(t), ROLE_DIM);
        } else if (r->code_is_experiment) {
            styled_line *l = md_new_line(r);
            md_line_indent(r, l, r->indent, 16); /* the header is 16 columns */
            const char *t = "\xE2\x94\x80\xE2\x94\x80 experiment \xE2\x94\x80\xE2\x94\x80"; /* ── experiment ── */
            md_line_put_text(l, t, NULL, (int)strlen(t), ROLE_DIM);
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
        md_new_line(r);
        break;
    case MD_BLOCK_P:
        flush(r);
        if (!r->list_depth)
            md_new_line(r);
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
            md_new_line(r);
        break;
    case MD_BLOCK_QUOTE:
        flush(r);
        r->quote_depth--;
        md_new_line(r);
        break;
    case MD_BLOCK_CODE:
        if (r->code_is_experiment && !r->code_is_ask) {
            styled_line *l = md_new_line(r);
            md_line_indent(r, l, r->indent, 16);
            for (int i = 0; i < 16; i++)
                md_line_put(l, 0x2500, ROLE_DIM);
        }
        r->in_code = false;
        r->code_line_open = false;
        md_new_line(r);
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        md_table_store_cell(r);
        r->block_role = ROLE_NORMAL;
        break;
    case MD_BLOCK_TABLE:
        md_table_emit(r);
        r->run_n = 0;
        r->in_table = false;
        md_new_line(r);
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
        if (!r->code_is_ask)
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
        md_run_add_utf8(r, e ? e : text, e ? strlen(e) : size, current_role(r));
        break;
    }
    case MD_TEXT_NULLCHAR: /* U+0000 in the source: CommonMark shows it as U+FFFD */
        run_add(r, 0xFFFD, current_role(r));
        break;
    default:
        md_run_add_utf8(r, text, size, current_role(r));
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
