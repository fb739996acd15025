/* view_lr.h - the learning-rate range test's plot (schedule = range LO HI): the loss of each
 * step against the rate it was taken at, on a log-lr axis, in the 7 Loss panel. */
#ifndef DS_VIEW_LR_H
#define DS_VIEW_LR_H

#include "app.h"

/* What the plot reads off the smoothed loss, as step indices (-1: not seen yet). */
typedef struct lr_readout {
    double start;   /* the loss at the start: the mean of the first total/20 batch losses */
    long lowest;    /* the smoothed loss's lowest point */
    long steepest;  /* the middle of the steepest fall (over total/20 steps) before the lowest */
    long above;     /* the first step after the lowest where the smoothed loss is above start */
} lr_readout;

/* smoothed[0..n) = the bias-corrected moving average of loss[0..n) (fastai's lr_find
 * smoothing, over about total/40 steps), and what it shows, for a ramp of `total` steps of
 * which n have been taken. */
void lr_range_readout(const float *loss, long n, long total, float *smoothed, lr_readout *out);

/* The panel (draw_curves hands over when the schedule is range). */
void draw_lr_range(const app *a, frame *f, rect r);

#endif
