/* md_table.c - Markdown tables laid out to the panel: each column gets its widest word, whole
 * columns fit the cheapest first, the rest wrap within their column; a table that cannot fit
 * even so becomes one record per row, so no cell is ever cut. */
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "markdown_render.h"
#include "wrap.h"

/* The pending run, trimmed, becomes cell (row, col) of the buffered table; the run keeps it. */
void md_table_store_cell(render *r)
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
            styled_line *l = md_new_line(r);
            md_line_indent(r, l, r->indent, MIN_TEXT);
            for (int col = 0; col < cols; col++) {
                if (col > 0)
                    md_line_put_text(l, " \xE2\x94\x82 ", NULL, 5, ROLE_DIM); /* " │ " */
                const tcell *c = at[row * cols + col] >= 0 ? &r->cells[at[row * cols + col]] : NULL;
                wrap_line ln = {0, 0, 0};
                if (c && wrap_next(r->run + c->off, c->len, &pos[col], width[col], &ln))
                    md_line_put_text(l, r->run + c->off + ln.start, r->run_role + c->off + ln.start, ln.len,
                                  ROLE_NORMAL);
                for (int i = ln.cols; i < width[col]; i++)
                    md_line_put(l, ' ', ROLE_NORMAL);
                more = more || (c && pos[col] < c->len);
            }
        }
        if (row == 0) { /* rule under the header */
            styled_line *rule = md_new_line(r);
            md_line_indent(r, rule, r->indent, MIN_TEXT);
            for (int col = 0; col < cols; col++) {
                if (col > 0)
                    md_line_put_text(rule, "\xE2\x94\x80\xE2\x94\xBC\xE2\x94\x80", NULL, 9, ROLE_DIM); /* ─┼─ */
                for (int i = 0; i < width[col]; i++)
                    md_line_put(rule, 0x2500, ROLE_DIM);
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
                md_run_copy(r, r->cells[h].off, r->cells[h].len);
                md_run_add_utf8(r, ": ", 2, ROLE_DIM);
            }
            md_run_copy(r, r->cells[v].off, r->cells[v].len);
            r->indent = indent + (shown++ ? 2 : 0);
            md_emit_wrapped(r, r->run + text_end, r->run_role + text_end, r->run_n - text_end, "");
            r->run_n = text_end;
        }
    r->indent = indent;
}

/* Column widths from wrap_fit_columns, each then cut to what its wrapped cells use; a table
 * that cannot fit with its words whole becomes records. */
void md_table_emit(render *r)
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
    int room = r->width - 1 - md_margin_cols(r, r->indent, MIN_TEXT, NULL) - 3 * (cols - 1);
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

