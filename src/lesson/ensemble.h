/* ensemble.h - scoring an ensemble: the members' probabilities on the held-out rows
 * (validation, and test when the experiment has a test split) averaged, then argmax against
 * the labels. `run`, `check` and the UI all score ensembles here, so the figure a lesson's
 * text quotes is the one the learner sees. */
#ifndef DS_ENSEMBLE_H
#define DS_ENSEMBLE_H

#include "experiment_data.h"

/* One set of held-out rows: the running sum of probabilities, each divided by the size. */
typedef struct ensemble_part {
    float *sum;  /* (n, K) */
    int *labels; /* (n) */
    int n;
} ensemble_part;

typedef struct ensemble_score {
    ensemble_part val, test;
    int K;
    int added; /* members added so far */
} ensemble_score;

/* Adds member t's held-out probabilities (t trained on d) to an ensemble of `members`. The
 * division by members as each is added is the float rounding every figure so far has used. */
void ensemble_add(ensemble_score *e, trainer *t, const experiment_data *d, int members);
/* Accuracy of the averaged probabilities on the validation / test rows; NaN before any
 * member was added or without such rows. */
double ensemble_accuracy(const ensemble_score *e);
double ensemble_test_accuracy(const ensemble_score *e);
void ensemble_free(ensemble_score *e);

/* Accuracy of probabilities (rows, K) against labels (K == 1: p >= 0.5); NaN without rows. */
double averaged_accuracy(const int *labels, const float *probs, int n_rows, int K);

#endif
