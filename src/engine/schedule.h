/* schedule.h - the learning rate a schedule gives at each update: constant, exp and step
 * decay and cosine annealing per epoch, the range test's exponential ramp per step, and the
 * linear warm-up on top of any of them. The trainer asks once per batch (trainer_lr_at); the
 * UI asks to label the range test's lr axis. */
#ifndef DS_SCHEDULE_H
#define DS_SCHEDULE_H

#include "train_config.h"

/* The updates a run makes: max_steps when a step budget is set (--steps N), else
 * epochs x batches_per_epoch. The range schedule ramps over exactly these. */
long schedule_total_steps(int epochs, int batches_per_epoch, long max_steps);

/* The range test's rate at update k (0-based) of n: lo·(hi/lo)^(k/(n-1)), so lo at the
 * first update and hi at the last, a straight line on a log-lr axis (Smith 2015, fastai's
 * lr_find). lo when n <= 1 (no ramp to make). */
double schedule_range_lr(double lo, double hi, long k, long n);

/* The rate of x's schedule at update `step` (0-based) in epoch `epoch` (0-based) of a run of
 * `epochs` epochs and `total_steps` updates; warmup=N then scales it by (step+1)/N for the
 * first N updates. */
double schedule_lr(const train_config *x, long step, int epoch, int epochs, long total_steps);

#endif
