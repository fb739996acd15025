/* markdown.h - renders a lesson page's Markdown (via md4c) into wrapped, styled lines:
 * headings, emphasis, code spans and blocks, lists, block quotes, tables; links as text.
 * ```deepstep blocks are framed as experiments. No text is cut: paragraphs wrap (wrap.h), long
 * code lines continue on a line marked ↪, tables wrap their cells or become one record per row. */
#ifndef DS_MARKDOWN_H
#define DS_MARKDOWN_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

#define MD_LINE_COLS 400

/* One column per index, as in a frame row: a wide character's right half is ch 0, and the
 * combining marks on column x are in marks[x] (not columns of their own). */
typedef struct styled_line {
    int n;                      /* columns used */
    uint32_t ch[MD_LINE_COLS];
    uint8_t role[MD_LINE_COLS]; /* frame roles */
    uint16_t marks[MD_LINE_COLS][FRAME_MARKS];
} styled_line;

typedef struct md_doc {
    styled_line *lines;
    int n, cap;
} md_doc;

/* Render src[0..len) for a column width; appends to doc. Returns 0, -1 if md4c failed. */
int md_render(md_doc *doc, const char *src, size_t len, int width);
void md_doc_free(md_doc *doc);

/* Draws line l at (x, y) of f, at most max_w columns, with its marks. */
void md_line_draw(frame *f, int x, int y, const styled_line *l, int max_w);

#endif
