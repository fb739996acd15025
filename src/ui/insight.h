/* insight.h - what the net computes: the views of the Data panel (8) and the model side that
 * keeps their caches filled. The views only read the caches; insight_refresh(), called by the
 * model after every key and every tick, fills those the visible panels need, so the cost is
 * paid only for what is on screen. */
#ifndef DS_INSIGHT_H
#define DS_INSIGHT_H

#include "app.h"

/* What the Data panel can show; m cycles through those the run's data has. */
typedef enum data_view {
    DV_PLANE,     /* 2-D data: the input plane coloured by the prediction, and each unit's map */
    DV_SAMPLE,    /* a row of the batch: an image (or its features), label, predicted probabilities */
    DV_CONFUSION, /* the validation confusion matrix, after each epoch */
    DV_WORST,     /* the validation rows the net gets most confidently wrong */
    DV_WEIGHTS,   /* a first-layer unit's incoming weights as an image */
    DV_COUNT
} data_view;

const char *data_view_name(data_view v);
/* The views this run's data has, in the order m cycles them; returns how many. */
int data_views(const session *s, data_view out[DV_COUNT]);
/* The view the Data panel shows now: the lesson screen's choice among data_views(). */
data_view data_view_current(const app *a, const session *s);
/* The side of the square images the rows are (8 for the 8x8 digits, 28 for MNIST), 0 when the
 * features are not a square of at least 4x4. */
int data_image_side(const session *s);
/* Does the net classify (cross-entropy or bce), so that predictions have a class? */
bool data_classifies(const session *s);

/* Fill the caches the panels on screen draw from (the plane, the confusion matrix). */
void insight_refresh(app *a);

#endif
