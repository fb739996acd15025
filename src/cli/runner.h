/* runner.h - one experiment trained headless to the end. `deepstep run` prints as it goes,
 * `deepstep check` and `run --compare` only collect numbers; both drive this one loop, with
 * hooks for what they print or collect. An ensemble's members all train on one load of the
 * data, and their averaged validation probabilities are scored here. */
#ifndef DS_RUNNER_H
#define DS_RUNNER_H

#include <signal.h>
#include <stdbool.h>

#include "../lesson/experiment_data.h"

/* Exit statuses: 0 trained, 1 bad input or usage, 3 training diverged (NaN/Inf), 130 interrupted. */
enum { EXIT_DIVERGED = 3, EXIT_INTERRUPTED = 130 };

/* Every hook may be NULL; k is the member (0-based; 0 for a single net). */
typedef struct runner_hooks {
    void *ctx;
    /* Trainer k was made, before it trains; a nonzero exit status ends the run. */
    int (*member_start)(void *ctx, trainer *t, int k);
    /* After each optimizer update (PHASE_END_BATCH) and each epoch (PHASE_END_EPOCH). */
    void (*step)(void *ctx, const trainer *t, const trainer_event *ev, int k);
    void (*epoch)(void *ctx, const trainer *t, const trainer_event *ev, int k);
    /* Member k stopped with status (0, EXIT_DIVERGED or EXIT_INTERRUPTED); last is its last
     * event. Returns the status to go on with: nonzero ends the run (run stops an ensemble at
     * a diverged member, check trains them all). */
    int (*member_end)(void *ctx, trainer *t, const trainer_event *last, int k, int status);
    /* Read before every micro-step (set by a signal handler); NULL: never interrupted. */
    const volatile sig_atomic_t *stop;
} runner_hooks;

typedef struct runner_result {
    int members;         /* members made */
    double ensemble_acc; /* accuracy of the averaged probabilities of the members that trained
                            without diverging (ensemble > 1), else NaN */
    double ensemble_test_acc; /* the same on the test rows (NaN without a test split) */
    trainer first;       /* member 0, when keep_first (the caller destroys it when first.stats
                            is non-NULL); else zeroed */
} runner_result;

/* Trains the ensemble of x (one net when x->train.ensemble <= 1) on d, members in turn, until
 * all are done or a hook's status ends the run. epochs / steps override the lesson's budget
 * when nonzero. Returns 0 or the first nonzero hook status, or -1 when a trainer could not be
 * made (err says why, at the block's line). */
int runner_run(const experiment *x, const experiment_data *d, int epochs, long steps, const runner_hooks *h,
               bool keep_first, runner_result *res, ds_error *err);

#endif
