/* markdown.h - renders a lesson page's Markdown (via md4c) into wrapped, styled lines:
 * headings, emphasis, code spans and blocks, lists, block quotes, tables; links as text.
 * ```deepstep blocks are framed as experiments. */
#ifndef DS_MARKDOWN_H
#define DS_MARKDOWN_H

#include <stddef.h>
#include <stdint.h>

#define MD_LINE_COLS 400

typedef struct styled_line {
    int n;                     /* code points in ch */
    uint32_t ch[MD_LINE_COLS];
    uint8_t role[MD_LINE_COLS]; /* frame roles */
} styled_line;

typedef struct md_doc {
    styled_line *lines;
    int n, cap;
} md_doc;

/* Render src[0..len) for a column width; appends to doc. Returns 0, -1 if md4c failed. */
int md_render(md_doc *doc, const char *src, size_t len, int width);
void md_doc_free(md_doc *doc);

#endif
