/* view.h - the panels' draw functions (all draw into a frame from plain state). */
#ifndef DS_VIEW_H
#define DS_VIEW_H

#include "app.h"

/* Title line of a panel; the focused panel's is highlighted. Returns the first content row. */
int panel_title(frame *f, rect r, const char *title, bool focused);
/* A lesson-screen panel's title, led by the digit that hides it and highlighted when focused. */
int lesson_panel_title(const app *a, frame *f, rect r, panel_id p, const char *title);
/* The digit that hides panel p, "[6]", at the right end of its title rule. */
void panel_key(const app *a, frame *f, rect r, panel_id p);

/* Each layer's health now (HEALTH_COUNT: nothing to say yet), by the engine's rule. */
void live_health(const trainer *t, layer_health *out);
role health_role(layer_health h);
void draw_network(const app *a, frame *f, rect r);
void draw_inspector(const app *a, frame *f, rect r);
void draw_narration(const app *a, frame *f, rect r);
void draw_activations(const app *a, frame *f, rect r);
void draw_gradients(const app *a, frame *f, rect r);
void draw_gradients_of(const session *s, frame *f, rect r, const char *title, bool focused, bool ascii);
/* ---- plots (view_plot.c) ---- */
typedef struct series {
    const float *y;
    const long *x;        /* the step of each point; NULL: point k is step k, drawn as a line */
    long n;
    role ro;              /* its colour */
    uint32_t glyph;       /* marks its newest point and its legend entry, so it is told apart */
    uint32_t ascii_glyph; /* without colour or UTF-8 too */
} series;
typedef struct plot_axis {
    double lo, hi; /* values, or decades (log10) when log */
    bool log;
} plot_axis;
#define PLOT_LABEL_W 9
/* The axis for these series: log when asked, or (auto) when they span more than two decades. */
plot_axis plot_fit(const series *s, int n, axis_mode mode);
/* The series on one braille plot over steps 0..x_len, tick labels in the left PLOT_LABEL_W columns. */
void plot_series(frame *f, rect r, const series *s, int n, long x_len, const plot_axis *ax, bool ascii);
/* The glyphs series and racers are told apart by: ● ▲ ■ ◆ ✚ ✖ and * + o x # @. */
#define SERIES_GLYPHS 6
extern const uint32_t series_glyph[SERIES_GLYPHS], series_ascii_glyph[SERIES_GLYPHS];
extern const role series_role[SERIES_GLYPHS];
/* Series k of a plot: its values, colour and glyph. */
series series_of(int k, const float *y, long n);
void draw_curves(const app *a, frame *f, rect r);
/* ---- what the net computes (insight.h) ----
 * The Data panel (8) draws the view data_view_current() names; each draws its own title,
 * which starts "Data: ". The Distributions panel (9) has one view. */
void draw_data(const app *a, frame *f, rect r);
void draw_plane(const app *a, const session *s, frame *f, rect r);     /* view_plane.c */
void draw_sample(const app *a, const session *s, frame *f, rect r);    /* view_sample.c */
void draw_confusion(const app *a, const session *s, frame *f, rect r); /* view_sample.c */
void draw_worst(const app *a, const session *s, frame *f, rect r);     /* view_sample.c */
void draw_weights(const app *a, const session *s, frame *f, rect r);   /* view_sample.c */
void draw_dist(const app *a, frame *f, rect r);                        /* view_dist.c */
void draw_lab(const app *a, frame *f);
void draw_compare(const app *a, frame *f);
void draw_race(const app *a, frame *f);
/* A blank box with a border over whatever is below (the help, the trace, a question): title
 * set into its top edge, footer (keys) into the bottom one at the right; either may be NULL. */
void draw_box(frame *f, rect b, const char *title, const char *footer, bool ascii);
void draw_quiz(const app *a, frame *f); /* view_quiz.c */
void draw_editor(const app *a, frame *f); /* view_editor.c: the experiment editor's form (E) */

/* TEXT cut to MAX columns at a word boundary, an ellipsis marking the cut. */
void fit_words(char *out, size_t cap, const char *text, int max, bool ascii);
/* "forward", "finished: 12 steps", "diverged: NaN at step 4": the run in a few words. */
const char *run_state(const trainer *t, char *buf, size_t cap);
/* "1.23e-05"-style compact number into buf (width <= 9). */
const char *fmt_compact(char *buf, size_t cap, double v);

#endif
