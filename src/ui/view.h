/* view.h - the panels' draw functions (all draw into a frame from plain state). */
#ifndef DS_VIEW_H
#define DS_VIEW_H

#include "app.h"

/* Title line of a panel; the focused panel's is highlighted. Returns the first content row. */
int panel_title(frame *f, rect r, const char *title, bool focused);
void layout_compute(app *a, int w, int h);

void draw_network(const app *a, frame *f, rect r);
void draw_inspector(const app *a, frame *f, rect r);
void draw_narration(const app *a, frame *f, rect r);
void draw_activations(const app *a, frame *f, rect r);
void draw_gradients(const app *a, frame *f, rect r);
void draw_gradients_of(const session *s, frame *f, rect r, const char *title, bool focused, bool ascii);
/* Several loss series on one braille plot, one role (colour) each, on a shared scale. */
void plot_series(frame *f, rect r, const float *const *series, const long *lens, const role *roles, int n, bool ascii);
void draw_curves(const app *a, frame *f, rect r);
void draw_lab(const app *a, frame *f);
void draw_compare(app *a, frame *f);
void draw_race(const app *a, frame *f);

/* "1.23e-05"-style compact number into buf (width <= 9). */
const char *fmt_compact(char *buf, size_t cap, double v);

#endif
