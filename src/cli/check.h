/* check.h - running experiments quietly for their numbers: `deepstep check` evaluates every
 * expectation of a lesson, `deepstep run --compare` prints a comparison table. */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include <stdbool.h>

#include "../engine/stats.h"
#include "../lesson/lesson.h"

typedef struct run_result {
    bool ran;
    int status;            /* 0 trained, 3 diverged, 1 could not run (error says why) */
    char error[600];
    double train_loss, train_acc, val_loss, val_acc;
    long steps;
    int epochs;
    bool diverged;
    long nan_step;         /* step at which training diverged; 0 when it did not */
    int best_epoch;        /* early stopping's restored epoch, 0 without */
    double ensemble_acc;   /* averaged-prediction validation accuracy (ensemble > 1), else NaN */
    double lost_updates;   /* updates lost to rounding per step, all layers, over the last epoch */
    int n_layers;
    layer_stats *final;    /* (n_layers) statistics of the last step */
    double *mean_lost, *mean_underflow; /* (n_layers) over the whole run */
    float *step_loss;      /* every step's batch loss */
    long n_steps;
    double seconds;
} run_result;

/* Train x to the end without printing; fills r. */
void run_quiet(const experiment *x, run_result *r);
void run_result_free(run_result *r);
/* First step (1-based) whose batch loss is below target; -1 when never. */
long steps_to_target(const run_result *r, double target);
/* Accuracy of averaged probabilities (rows, K) against labels. */
double averaged_accuracy(const int *labels, const float *probs, int n_rows, int K);

/* `deepstep check LESSON.md ...` */
int cmd_check(int argc, char **argv);
/* The --compare tables of a lesson; returns an exit status. */
int print_compare_tables(const lesson *l);

#endif
