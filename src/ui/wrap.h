/* wrap.h - word wrap of UTF-8 text into lines of at most a given number of terminal columns.
 * The one wrap used for narration and lesson text, so the two cannot disagree.
 *
 * Columns are counted as frame_put draws them (cp_cols in frame.h): a combining mark takes
 * none (it sits on the character before it; one that starts a line gets a space, so 1), a wide
 * character 2, a control character none, a tab 1. Lines break at spaces (and tabs); the run of
 * spaces at a break is dropped. A word longer than the width is broken between characters
 * (never between a character and its marks). A '\n' ends a line. Only whitespace is dropped
 * (the spaces at a break, a line's trailing spaces, an indent that does not fit): joining the
 * lines with one space where a break ate spaces gives back the text. */
#ifndef DS_WRAP_H
#define DS_WRAP_H

#include "frame.h"

/* One line: bytes s[start, start + len) of the text, cols columns wide. */
typedef struct wrap_line {
    int start, len, cols;
} wrap_line;

/* Lays out the line of s[0..n) that starts at byte *pos, width columns at most (width < 1
 * counts as 1). Returns 1 and fills *line, moving *pos to where the next line starts (past the
 * spaces or the '\n' that ended this one); returns 0 when *pos >= n. A line is wider than
 * width only when width is 1 and it holds one wide character. Spaces that start the text or
 * follow a '\n' are kept (an indent) unless the line's first word does not fit after them. Usage:
 *     int pos = 0; wrap_line ln;
 *     while (wrap_next(text, len, &pos, w, &ln)) draw(text + ln.start, ln.len);           */
int wrap_next(const char *s, int n, int *pos, int width, wrap_line *line);

/* Columns of s[0..n) on one line (spaces and marks counted as in a wrapped line). */
int wrap_cols(const char *s, int n);

/* Columns of the widest line of s[0..n) wrapped at width. */
int wrap_widest(const char *s, int n, int width);

/* Columns of the widest word of s[0..n): the least width at which wrap_next breaks no word. */
int wrap_min_width(const char *s, int n);

/* Widths for cols columns side by side in room columns (gaps between them not included), from
 * each column's widest cell on one line (full) and widest word (least): every column gets its
 * widest word, then whole columns (on one line) the cheapest first, then what is left goes to
 * the columns still wrapped, the furthest from one line first. Returns 0, or -1 when even the
 * widest words do not fit (width is then undefined). */
int wrap_fit_columns(const int *full, const int *least, int cols, int room, int *width);

/* Draws text wrapped into w columns from (x, y): the first line at x, the others at x + hang
 * (a wrapped line then reads as the continuation of the one above), at most max_lines lines;
 * if the text needs more, the last line ends in "…" so the cut shows. Returns lines drawn. */
int wrap_put(frame *f, int x, int y, int w, int max_lines, int hang, role ro, const char *text);

#endif
