/* markdown_render.h - the renderer's state and the helpers its parts share (markdown.c: blocks,
 * spans and text; md_table.c: tables). Private to the markdown renderer. */
#ifndef DS_MARKDOWN_RENDER_H
#define DS_MARKDOWN_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "markdown.h"

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
    bool code_is_ask; /* a ```deepstep ask block: its answer stays hidden until the run asks */
    /* tables are buffered whole (their text in run), so columns can be sized to their cells */
    bool in_table;
    int table_rows, table_col, cell_start;
    tcell *cells;
    int n_cells, cell_cap;
} render;

styled_line *md_new_line(render *r);
void md_line_put_text(styled_line *l, const char *s, const uint8_t *ro, int n, role one);
void md_line_put(styled_line *l, uint32_t cp, role ro);
int md_line_indent(render *r, styled_line *l, int spaces, int keep);
int md_margin_cols(const render *r, int spaces, int keep, int *bars);
void md_run_copy(render *r, int off, int len);
void md_emit_wrapped(render *r, const char *s, const uint8_t *ro, int n, const char *first);
void md_blank_line(render *r);
void md_run_add_utf8(render *r, const char *text, size_t size, role ro);
/* Tables are buffered whole, so columns can be sized to their cells (md_table.c). */
void md_table_store_cell(render *r);
void md_table_emit(render *r);

#endif
