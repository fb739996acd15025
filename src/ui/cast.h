/* cast.h - recording a UI session as an asciicast v2 file (--record FILE.cast): a JSON header
 * line, then one [seconds, "o", text] event per frame that changed, the text a repaint of the
 * whole frame with its colours (SGR), at the time it was drawn. asciinema plays it; it embeds in
 * web pages. Curses-free: the front end passes how each role looks. The file appears whole
 * when the session ends (io/atomic.h), never half-written. */
#ifndef DS_CAST_H
#define DS_CAST_H

#include <stdbool.h>

#include "../io/atomic.h"
#include "frame.h"

/* The SGR parameters of a role ("1;38;5;2"), "" for the terminal's default; NULL: no colours. */
typedef void (*cast_sgr_fn)(unsigned role, char *buf, size_t cap);

typedef struct cast_writer {
    atomic_file out;
    bool open;
    int w, h;
    cell *prev;      /* the last frame recorded: a frame that did not change adds no event */
    int prev_w, prev_h;
    long events;
    cast_sgr_fn sgr;
} cast_writer;

/* Create PATH (checked now, so a bad path is said before the UI starts) and write the header
 * for a w x h terminal. Returns 0, or -1 with err set. */
int cast_open(cast_writer *c, const char *path, int w, int h, const char *title, cast_sgr_fn sgr, ds_error *err);
/* The frame as drawn at `seconds` since the recording began. */
void cast_frame(cast_writer *c, const frame *f, double seconds);
/* Finish the file (renamed into place). Returns 0, or -1 with err set. */
int cast_close(cast_writer *c, ds_error *err);

#endif
