/* samples.h - the rows as the net sees them: a row of the training batch with the net's
 * prediction for it, the validation confusion matrix and the most confidently wrong examples
 * after each epoch, a first-layer unit's incoming weights (the Data panel's views). The views
 * read what these functions return and never compute. */
#ifndef DS_SAMPLES_H
#define DS_SAMPLES_H

#include "insight.h"

typedef struct sample_cache sample_cache;

/* At each epoch's end (session.c's record, whether the panel is shown or not): the confusion
 * matrix and worst examples of the validation rows with the weights the epoch's accuracy was
 * measured with, so the matrix's diagonal is that accuracy. Kept for every finished epoch. */
void samples_epoch_end(session *s);
/* Kept for the callers: each end is taken as it happens and samples_confusion picks the one
 * for where the run is, so this has nothing to do. */
void samples_update(session *s);
/* How many items the up/down keys move through in view v (batch rows, rows of the confusion
 * matrix, worst examples, first-layer units); 0 when the view has no selection. */
int samples_count(const session *s, data_view v);
void samples_free(sample_cache *c);

/* ---- the training batch (the Sample view) ---- */
/* Rows of the training batch in the workspace, 0 before the first batch is loaded. */
int samples_batch_rows(const session *s);
/* The dataset row that batch row r was gathered from (the order the trainer shuffled). */
int samples_batch_data_row(const session *s, int r);
/* Classes a prediction can take: the last layer's width, 2 for a single bce output. */
int samples_classes(const session *s);
/* The training forward pass's prediction for batch row r: class probabilities into probs
 * (samples_classes() of them: softmax of the logits for cross_entropy, sigmoid for bce, the
 * outputs for mse) and the predicted class by the engine's own rule (loss_predict) into *pred.
 * Returns false before the last layer's forward has run on this batch. */
bool samples_batch_probs(const session *s, int r, float *probs, int *pred);
/* Row `row`'s features in the file's units (the picture, before normalisation), d values. */
void samples_row_values(const session *s, int row, float *out);

/* ---- after an epoch: the confusion matrix and the worst examples ---- */
typedef struct worst_example {
    int row;       /* dataset row */
    int truth, pred;
    float p_pred;  /* the probability the net gave its (wrong) answer */
    float p_truth; /* and the right one */
} worst_example;

typedef struct confusion {
    int epoch;              /* 1-based epoch whose end it was taken at */
    int classes;            /* C: the matrix is C x C */
    const long *counts;     /* (C, C) [true][predicted] */
    long n;                 /* validation rows */
    long correct;           /* the diagonal's sum */
    double val_acc;         /* the accuracy the epoch printed (after a restore: the restored one) */
    bool restored;          /* early stopping had just put the best epoch's weights back */
    int best_epoch;         /* that epoch, when restored */
    const worst_example *worst; /* the misclassified rows, most confident first */
    int n_worst;
} confusion;

/* The matrix of the last epoch that ended on this run's timeline up to where it now is (after
 * a step back: the last epoch that ended before that point, the same as going forwards to
 * it): false (and *out zeroed) before the first epoch's end, without validation rows, or for
 * a net that does not classify. */
bool samples_confusion(const session *s, confusion *out);

/* ---- first-layer weights ---- */
/* The first dense layer that reads the input pixels as they are (only dropout before it),
 * -1 when there is none. */
int samples_weight_layer(const session *s);
/* Unit `unit`'s incoming weights (its row of W, n_in = d values, live), NULL without a layer. */
const float *samples_unit_weights(const session *s, int unit, int *n_in);

#endif
