/* ensemble.h - scoring an ensemble: the members' validation probabilities averaged, then
 * argmax against the labels. `run`, `check` and the UI all score ensembles here, so the
 * figure a lesson's text quotes is the one the learner sees. */
#ifndef DS_ENSEMBLE_H
#define DS_ENSEMBLE_H

#include "experiment_data.h"

typedef struct ensemble_score {
    float *sum;  /* (n_val, K): the running sum of probabilities, each divided by the size */
    int *labels; /* (n_val) */
    int n_val, K;
    int added;   /* members added so far */
} ensemble_score;

/* Adds member t's validation probabilities (t trained on d) to an ensemble of `members`. The
 * division by members as each is added is the float rounding every figure so far has used. */
void ensemble_add(ensemble_score *e, trainer *t, const experiment_data *d, int members);
/* Accuracy of the averaged probabilities; NaN before any member was added. */
double ensemble_accuracy(const ensemble_score *e);
void ensemble_free(ensemble_score *e);

/* Accuracy of probabilities (rows, K) against labels (K == 1: p >= 0.5); NaN without rows. */
double averaged_accuracy(const int *labels, const float *probs, int n_rows, int K);

#endif
