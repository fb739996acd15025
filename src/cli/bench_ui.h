/* bench_ui.h - the frame-render benchmark. */
#ifndef DS_BENCH_UI_H
#define DS_BENCH_UI_H

/* Renders a 160x48 frame of the lesson (after PgDn pages_down times) many times; prints the
 * median and 90th percentile; *median_us gets the median. Returns an exit status. */
int bench_ui(const char *lesson_path, int pages_down, double *median_us);

/* Training speed in the UI with r at full speed (frames drawn at the front end's rate) against
 * the same run trained without drawing; *ratio = UI / engine. Returns an exit status. */
int bench_ui_training(const char *lesson_path, double *ratio);

/* The Data panel's input plane at 160x48 on the page pages_down from the start (its hidden layer
 * selected, so the unit maps are drawn too): after each training batch, plane_update (the grid,
 * the unit maps, every row's prediction) and drawing the panel, timed together. Prints the
 * median and 90th percentile against the 5 ms target; *median_ms gets the median. Returns an
 * exit status. */
int bench_plane(const char *lesson_path, int pages_down, double *median_ms);

/* What recording the Distributions panel's history costs a step of the lesson's first
 * experiment (dist_record, which every session step does), against the whole step. */
int bench_dist(const char *lesson_path);

#endif
