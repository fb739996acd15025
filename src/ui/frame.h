/* frame.h - a curses-free grid of cells. Views draw into it from plain state; the one
 * backend (term.c) copies it to the terminal; tests read its text without a terminal. */
#ifndef DS_FRAME_H
#define DS_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Semantic colour roles; term.c maps them to colours or to bold/reverse in monochrome. */
typedef enum role {
    ROLE_NORMAL, ROLE_TITLE, ROLE_HEADING, ROLE_EMPH, ROLE_STRONG, ROLE_CODE, ROLE_STATUS, ROLE_DIM,
    ROLE_GOOD, ROLE_WARN, ROLE_BAD, ROLE_SELECTED, ROLE_BORDER, ROLE_COUNT
} role;

typedef struct cell {
    uint32_t ch; /* Unicode code point */
    uint8_t role;
} cell;

typedef struct frame {
    int w, h;
    cell *cells;
} frame;

void frame_init(frame *f, int w, int h);
void frame_free(frame *f);
void frame_clear(frame *f);
/* Writes UTF-8 text at (x, y), clipped to max_w columns (or the edge); returns columns used. */
int frame_put(frame *f, int x, int y, role r, const char *utf8, int max_w);
void frame_fill(frame *f, int x, int y, int w, uint32_t ch, role r);
/* Row y as UTF-8, trailing spaces trimmed. */
void frame_row_text(const frame *f, int y, char *buf, size_t cap);
/* Is text anywhere on screen? (tests) */
int frame_contains(const frame *f, const char *utf8);

/* Decode one UTF-8 sequence; returns bytes used (1 for an invalid byte, decoded as U+FFFD). */
int utf8_decode(const char *s, uint32_t *cp);
int utf8_encode(uint32_t cp, char *out);

#endif
