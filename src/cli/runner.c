#include "runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../lesson/ensemble.h"

/* Steps t to its end, an interrupt or a divergence; returns the member's status. */
static int train_member(trainer *t, const runner_hooks *h, int k, trainer_event *last)
{
    trainer_event ev = {0};
    while (!trainer_done(t) && !(h->stop && *h->stop)) {
        ev = trainer_step(t, STEP_MICRO);
        if (ev.diverged)
            break;
        if (ev.phase == PHASE_END_BATCH && h->step)
            h->step(h->ctx, t, &ev, k);
        else if (ev.phase == PHASE_END_EPOCH && h->epoch)
            h->epoch(h->ctx, t, &ev, k);
    }
    *last = ev;
    if (h->stop && *h->stop)
        return EXIT_INTERRUPTED;
    return t->state.div.happened ? EXIT_DIVERGED : 0;
}

int runner_run(const experiment *x, const experiment_data *d, int epochs, long steps, const runner_hooks *h,
               bool keep_first, runner_result *res, ds_error *err)
{
    memset(res, 0, sizeof *res);
    int members = x->train.ensemble > 1 ? x->train.ensemble : 1, status = 0;
    ensemble_score es = {0};
    for (int k = 0; k < members && status == 0; k++) {
        trainer t;
        if (experiment_trainer_create(&t, x, d, k, epochs, steps, err) != 0) {
            status = -1;
            break;
        }
        res->members++;
        status = h->member_start ? h->member_start(h->ctx, &t, k) : 0;
        if (status == 0) {
            trainer_event last;
            int st = train_member(&t, h, k, &last);
            if (members > 1 && st == 0)
                ensemble_add(&es, &t, d, members);
            status = h->member_end ? h->member_end(h->ctx, &t, &last, k, st) : 0;
        }
        if (k == 0 && keep_first)
            res->first = t; /* moved: the caller destroys it */
        else
            trainer_destroy(&t);
    }
    res->ensemble_acc = ensemble_accuracy(&es);
    res->ensemble_test_acc = ensemble_test_accuracy(&es);
    ensemble_free(&es);
    return status;
}
