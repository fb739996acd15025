/* live_metrics.h - what an ```deepstep ask block's answer and check lines can name: values of
 * a run *while it trains*, read from the stepper at the question's position (the Inspector's
 * and the panels' numbers), where an expect line reads a finished run's (expect.h).
 *
 *   answer = clip.norm_after              (run: loss, lr, grad_norm, clip.*, val_acc, ...)
 *   answer = layer0.max_update            (layer: the stats of expect.h plus max_update, ...)
 *
 * The one table of these names: the parser accepts exactly these, the UI and deepstep check
 * read them through get, and the "expected one of" lists are made from it. */
#ifndef DS_LIVE_METRICS_H
#define DS_LIVE_METRICS_H

#include <stdbool.h>

#include "../engine/trainer.h"

typedef struct live_metric {
    const char *name;
    bool of_layer;
    const char *unavailable; /* why get returned NaN, when NaN means "not yet" (else NULL) */
    double (*get)(const trainer *t, int layer);
} live_metric;

const live_metric *live_metric_find(const char *name, bool of_layer);
/* The names of one scope, comma-separated, in the table's order. */
const char *live_metric_names(bool of_layer);

/* A metric_lookup (expect.h) over a trainer: ctx is a const trainer *. A metric that is not
 * known at this position (val_acc before the first epoch ends) is an error that says so. */
int live_lookup(void *ctx, const char *experiment, int layer, const char *metric, double *out, char *why);

#endif
