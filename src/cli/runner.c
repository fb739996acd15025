#include "runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

double averaged_accuracy(const int *labels, const float *probs, int n_rows, int K)
{
    long correct = 0;
    for (int r = 0; r < n_rows; r++) {
        const float *p = probs + (size_t)r * K;
        int pred = 0;
        if (K == 1)
            pred = p[0] >= 0.5f;
        else
            for (int j = 1; j < K; j++)
                pred = p[j] > p[pred] ? j : pred;
        correct += pred == labels[r];
    }
    return n_rows ? (double)correct / n_rows : NAN;
}

/* The running sum of the members' validation probabilities, each divided by the ensemble's
 * size as it is added (the order of float rounding every ensemble_acc so far has used). */
typedef struct prob_sum {
    float *sum;  /* (n_val, K) */
    int *labels; /* (n_val) */
    int n_val, K;
} prob_sum;

static void prob_sum_add(prob_sum *ps, trainer *t, const experiment_data *d, int members)
{
    if (!ps->sum) {
        ps->n_val = d->split.n_val;
        ps->K = net_out_width(&t->net);
        ps->sum = xcalloc((size_t)ps->n_val * ps->K + 1, sizeof(float));
        ps->labels = xcalloc((size_t)ps->n_val + 1, sizeof(int));
        for (int i = 0; i < ps->n_val; i++)
            ps->labels[i] = d->data.labels[d->split.val[i]];
    }
    float *probs = xcalloc((size_t)ps->n_val * ps->K + 1, sizeof(float));
    trainer_predict(t, d->split.val, ps->n_val, probs);
    for (size_t i = 0; i < (size_t)ps->n_val * ps->K; i++)
        ps->sum[i] += probs[i] / (float)members;
    free(probs);
}

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
    prob_sum ps = {0};
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
                prob_sum_add(&ps, &t, d, members);
            status = h->member_end ? h->member_end(h->ctx, &t, &last, k, st) : 0;
        }
        if (k == 0 && keep_first)
            res->first = t; /* moved: the caller destroys it */
        else
            trainer_destroy(&t);
    }
    res->ensemble_acc = ps.sum ? averaged_accuracy(ps.labels, ps.sum, ps.n_val, ps.K) : NAN;
    free(ps.sum);
    free(ps.labels);
    return status;
}
