/* frame.h - a curses-free grid of cells. Views draw into it from plain state; the one
 * backend (term.c) copies it to the terminal; tests read its text without a terminal.
 *
 * One cell is one terminal column. A combining mark (U+0302 in "m̂") takes no column: it is
 * stored with the cell of the character it modifies. A wide character (CJK, 2 columns) takes
 * its cell and the next one, which holds ch 0 ("the right half of the character to my left"). */
#ifndef DS_FRAME_H
#define DS_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Semantic colour roles; term.c maps them to colours or to bold/reverse in monochrome. */
typedef enum role {
    ROLE_NORMAL, ROLE_TITLE, ROLE_HEADING, ROLE_EMPH, ROLE_STRONG, ROLE_CODE, ROLE_STATUS, ROLE_DIM,
    ROLE_GOOD, ROLE_WARN, ROLE_BAD, ROLE_SELECTED, ROLE_BORDER, ROLE_COUNT
} role;

/* Marks per cell: two cover the lessons' stacked accents; a third on one base is dropped. */
#define FRAME_MARKS 2

typedef struct cell {
    uint32_t ch; /* Unicode code point; 0 = the right half of the wide character at x - 1 */
    uint16_t role; /* a role, or a painted cell (palette.h: role_paint) */
} cell;

/* The marks are beside the cells, not in them, so (cell){ch, role} stays a whole initializer
 * (-Wextra would reject it with a field missing). 16 bits is enough: every mark cp_is_mark
 * accepts is in the Basic Multilingual Plane. Whoever writes cells[] directly owns clearing
 * marks[] of that cell (frame_set does both; frame_clear clears all). */
typedef struct frame {
    int w, h;
    cell *cells;
    uint16_t (*marks)[FRAME_MARKS]; /* per cell, the marks drawn over its ch in order; 0 = none */
} frame;

void frame_init(frame *f, int w, int h);
void frame_free(frame *f);
void frame_clear(frame *f);
/* Writes UTF-8 text at (x, y), clipped to max_w columns (or the edge; max_w <= 0: the edge);
 * returns columns used. A mark goes on the character before it; a mark with none before it in
 * this text gets a space of its own. A wide character that does not fit whole is not drawn. */
int frame_put(frame *f, int x, int y, role r, const char *utf8, int max_w);
/* The same for the first n bytes of utf8 (or up to a NUL). */
int frame_putn(frame *f, int x, int y, role r, const char *utf8, size_t n, int max_w);
/* Fills w cells from (x, y) with the one-column character ch. */
void frame_fill(frame *f, int x, int y, int w, uint32_t ch, role r);
/* Sets the cell at (x, y) to ch (one or two columns) with no marks; off-frame: nothing. A
 * wide character half covered by it becomes a space, so no half character is left. */
void frame_set(frame *f, int x, int y, uint32_t ch, role r);
/* Adds mark to the character at (x, y) (for a wide one's right half, at x - 1) if it has room. */
void frame_add_mark(frame *f, int x, int y, uint32_t mark);
/* Row y as UTF-8 (each cell's marks after its character), trailing spaces trimmed. */
void frame_row_text(const frame *f, int y, char *buf, size_t cap);
/* Is text anywhere on screen? (tests) */
int frame_contains(const frame *f, const char *utf8);

/* Decode one UTF-8 sequence; returns bytes used (1 for an invalid byte, decoded as U+FFFD).
 * utf8_decode reads up to a NUL; utf8_decode_n never reads past s[n - 1] (n >= 1). */
int utf8_decode(const char *s, uint32_t *cp);
int utf8_decode_n(const char *s, size_t n, uint32_t *cp);
int utf8_encode(uint32_t cp, char *out);

/* Is cp a combining mark or other zero-width modifier that is drawn on the character before it?
 * (The combining diacritics blocks, zero-width joiners, variation selectors; not the marks of
 * Indic and other scripts, which the lessons do not use.) */
int cp_is_mark(uint32_t cp);
/* Terminal columns of cp: 0 for a mark or a control character, 2 for East Asian wide and
 * emoji, else 1. A table, not wcwidth(): the answer must not depend on the locale. */
int cp_cols(uint32_t cp);

#endif
