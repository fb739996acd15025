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

/* The micro-step that computes a metric: before it has run in the batch being stepped, the
 * buffers hold the last batch's value (or none), so the metric is "not known here". */
typedef enum live_stage {
    LIVE_ANY,      /* always known (the weights, the lr, the cursor) */
    LIVE_FORWARD,  /* the layer's forward micro-step (its activations) */
    LIVE_LOSS,     /* the loss micro-step */
    LIVE_BACKWARD, /* the layer's backward micro-step (all layers' for a run metric) */
    LIVE_CLIP,     /* the clip micro-step (and clipping must be on) */
    LIVE_UPDATE,   /* the layer's update micro-step */
    LIVE_EPOCH     /* the end of an epoch (the first one) */
} live_stage;

typedef struct live_metric {
    const char *name;
    bool of_layer;
    live_stage stage;
    double (*get)(const trainer *t, int layer);
} live_metric;

/* Has the micro-step that computes a stage's values run for this layer (-1: all layers) in
 * the batch being stepped (or in the batch just finished, between batches)? */
bool live_known(const trainer *t, live_stage stage, int li);

const live_metric *live_metric_find(const char *name, bool of_layer);
/* The names of one scope, comma-separated, in the table's order. */
const char *live_metric_names(bool of_layer);

/* A metric_lookup (expect.h) over a trainer: ctx is a const trainer *. A metric that is not
 * known at this position (val_acc before the first epoch ends) is an error that says so. */
int live_lookup(void *ctx, const char *experiment, int layer, const char *metric, double *out, char *why);

#endif
