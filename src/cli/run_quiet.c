/* run_quiet.c - running an experiment to the end without printing, for its numbers: what
 * `deepstep check` evaluates and `run --compare` tabulates. */
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/xalloc.h"
#include "../lesson/experiment_data.h"
#include "runner.h"

/* What run_quiet collects from member 0 while it trains (the other members of an ensemble
 * only add their predictions). */
typedef struct quiet_ctx {
    run_result *r;
    double lost_this_epoch, last_epoch_lost;
    long steps_this_epoch, last_epoch_steps;
} quiet_ctx;

static int quiet_start(void *vctx, trainer *t, int k)
{
    run_result *r = ((quiet_ctx *)vctx)->r;
    if (k == 0) {
        r->n_layers = t->net.n_layers;
        r->final = xcalloc((size_t)r->n_layers, sizeof(layer_stats));
        r->mean_lost = xcalloc((size_t)r->n_layers, sizeof(double));
        r->mean_underflow = xcalloc((size_t)r->n_layers, sizeof(double));
    }
    return 0;
}

static void quiet_step(void *vctx, const trainer *t, const trainer_event *ev, int k)
{
    quiet_ctx *c = vctx;
    run_result *r = c->r;
    (void)ev;
    if (k != 0)
        return;
    if (r->n_steps % 1024 == 0)
        r->step_loss = xrealloc(r->step_loss, (size_t)r->n_steps + 1024, sizeof(float));
    r->step_loss[r->n_steps++] = (float)t->state.loss;
    double lost = 0;
    for (int i = 0; i < r->n_layers; i++) {
        r->mean_lost[i] += t->stats[i].lost_updates;
        r->mean_underflow[i] += isnan(t->stats[i].frac_underflow) ? 0 : t->stats[i].frac_underflow;
        lost += t->stats[i].lost_updates;
    }
    c->lost_this_epoch += lost;
    c->steps_this_epoch++;
}

static void quiet_epoch(void *vctx, const trainer *t, const trainer_event *ev, int k)
{
    quiet_ctx *c = vctx;
    (void)t, (void)ev;
    if (k != 0)
        return;
    c->last_epoch_lost = c->lost_this_epoch;
    c->last_epoch_steps = c->steps_this_epoch;
    c->lost_this_epoch = 0;
    c->steps_this_epoch = 0;
}

/* Member 0's numbers are the experiment's; the others train on (a diverged member only
 * leaves the average). */
static int quiet_end(void *vctx, trainer *t, const trainer_event *last, int k, int status)
{
    quiet_ctx *c = vctx;
    run_result *r = c->r;
    (void)last, (void)status;
    if (k != 0)
        return 0;
    if (c->steps_this_epoch) { /* stopped inside an epoch */
        c->last_epoch_lost = c->lost_this_epoch;
        c->last_epoch_steps = c->steps_this_epoch;
    }
    r->lost_updates = c->last_epoch_steps ? c->last_epoch_lost / (double)c->last_epoch_steps : 0.0;
    r->ran = true;
    r->diverged = t->state.div.happened;
    r->nan_step = t->state.div.happened ? t->state.div.step + 1 : 0;
    r->status = t->state.div.happened ? 3 : 0;
    r->steps = t->state.step;
    r->epochs = t->state.last_epoch.epoch;
    r->train_loss = t->state.last_epoch.train_loss;
    r->train_acc = t->state.last_epoch.train_acc;
    r->val_loss = t->state.early.stopped ? t->state.early.restored_val_loss : t->state.last_epoch.val_loss;
    r->val_acc = t->state.early.stopped ? t->state.early.restored_val_acc : t->state.last_epoch.val_acc;
    r->test_loss = t->state.early.stopped ? t->state.early.restored_test_loss : t->state.last_epoch.test_loss;
    r->test_acc = t->state.early.stopped ? t->state.early.restored_test_acc : t->state.last_epoch.test_acc;
    r->best_epoch = t->state.early.stopped ? t->state.early.best_epoch : 0;
    memcpy(r->final, t->stats, (size_t)r->n_layers * sizeof(layer_stats));
    for (int i = 0; i < r->n_layers; i++) {
        r->mean_lost[i] /= r->n_steps ? (double)r->n_steps : 1.0;
        r->mean_underflow[i] /= r->n_steps ? (double)r->n_steps : 1.0;
    }
    return 0;
}

void run_quiet(const experiment *x, run_result *r)
{
    memset(r, 0, sizeof *r);
    double t0 = mono_seconds();
    r->ensemble_acc = r->ensemble_test_acc = r->test_loss = r->test_acc = NAN;
    r->seed = (double)x->train.seed;
    ds_error err = {0};
    experiment_data data; /* one load for every member of an ensemble */
    if (experiment_data_load(x, &data, &err) != 0) {
        err_format(&err, r->error, sizeof r->error);
        r->status = 1;
        r->seconds = mono_seconds() - t0;
        return;
    }
    quiet_ctx c = {.r = r};
    runner_hooks h = {&c, quiet_start, quiet_step, quiet_epoch, quiet_end, NULL};
    runner_result res;
    if (runner_run(x, &data, 0, 0, &h, false, &res, &err) < 0) {
        err_format(&err, r->error, sizeof r->error);
        r->status = 1;
    }
    r->ensemble_acc = res.ensemble_acc;
    r->ensemble_test_acc = res.ensemble_test_acc;
    experiment_data_free(&data);
    r->seconds = mono_seconds() - t0;
}

void run_result_free(run_result *r)
{
    free(r->final);
    free(r->mean_lost);
    free(r->mean_underflow);
    free(r->step_loss);
    memset(r, 0, sizeof *r);
}
