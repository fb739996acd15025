/* view_sample.h - what the Data panel's image views (view_sample.c) and its confusion matrix
 * (view_confusion.c) share; not for other modules. */
#ifndef DS_VIEW_SAMPLE_H
#define DS_VIEW_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

int clampi(int v, int lo, int hi);
/* Pictures are painted half blocks only with colour and UTF-8 (LANG=C has no U+2580): else
 * shading glyphs, which say the same without colour. */
bool painted(const app *a);
/* frame_set, clipped to r. */
void set_in(frame *f, rect r, int x, int y, uint32_t ch, unsigned ro);
/* Text word-wrapped to w columns from (x, y) down to bottom; returns the next row. */
int put_wrapped(frame *f, int x, int y, int bottom, int w, role ro, const char *text);

/* (view_confusion.c) What to say when there is no matrix (none yet, none kept, no validation rows). */
struct session;
void no_matrix(const struct session *s, frame *f, int x, int y, int bottom, int w);
/* Decimal digits of v >= 0. */
int digits(long v);

#endif
