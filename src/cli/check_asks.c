/* check_asks.c - deepstep check's side of ```deepstep ask blocks (check_asks.h). A question
 * shows the learner the engine's value; a lesson that asks about a position its run never
 * reaches, or about a value that is not there, would reveal nothing, so check refuses both. */
#include "check_asks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../lesson/experiment_data.h"

/* What the seeds made of one ask. */
typedef struct ask_tally {
    int good;         /* seeds on which it was reached, evaluated and its checks held */
    int bad_j;        /* first seed that failed, -1 none */
    char first[300];  /* seed 0's value */
    char bad[400];    /* why bad_j failed */
} ask_tally;

/* The ask on t, at its position: 1 good (first says what), 0 not (why says). */
static int judge(const lesson_ask *a, const trainer *t, char *first, size_t fcap, char *why, size_t wcap)
{
    char detail[300] = "", w[256] = "";
    if (a->has_answer) {
        double v;
        if (ask_value(a, t, &v, detail, sizeof detail, w) != 0) {
            snprintf(why, wcap, "answer: %s", w);
            return 0;
        }
        snprintf(first, fcap, "answer = %.6g", v);
    } else
        snprintf(first, fcap, "choice, correct = %s", a->choices[a->correct]);
    if (a->n_checks) {
        int ok = ask_checks(a, t, why, wcap);
        if (ok != 1)
            return 0;
        strncat(first, "; checks hold", fcap - strlen(first) - 1);
    }
    return 1;
}

static void fail_all(const lesson *l, int exp, ask_tally *tl, int j, const char *why)
{
    for (int k = 0; k < l->n_asks; k++)
        if (l->asks[k].experiment == exp && tl[k].bad_j < 0) {
            tl[k].bad_j = j;
            snprintf(tl[k].bad, sizeof tl[k].bad, "%s", why);
        }
}

static void record(ask_tally *tl, int j, int ok, const char *first, const char *why)
{
    if (ok) {
        tl->good++;
        if (j == 0)
            snprintf(tl->first, sizeof tl->first, "%s", first);
    } else if (tl->bad_j < 0) {
        tl->bad_j = j;
        snprintf(tl->bad, sizeof tl->bad, "%s", why);
    }
}

/* Steps experiment exp (seeded for seed j) until each of its asks has been judged. */
static void run_exp(const lesson *l, int exp, const seed_plan *p, int j, ask_tally *tl)
{
    experiment x = l->experiments[exp]; /* a shallow copy: only read */
    x.train.seed = seed_for(p, &x, j);
    experiment_data d;
    trainer t;
    ds_error err = {0};
    char msg[700];
    if (experiment_data_load(&x, &d, &err) != 0) {
        err_format(&err, msg, sizeof msg);
        fail_all(l, exp, tl, j, msg);
        return;
    }
    if (experiment_trainer_create(&t, &x, &d, 0, 0, 0, &err) != 0) {
        err_format(&err, msg, sizeof msg);
        fail_all(l, exp, tl, j, msg);
        experiment_data_free(&d);
        return;
    }
    bool *done = xcalloc((size_t)l->n_asks, sizeof *done), *next = xcalloc((size_t)l->n_asks, sizeof *next);
    int pending = 0;
    for (int k = 0; k < l->n_asks; k++)
        pending += l->asks[k].experiment == exp;
    char first[300], why[400];
    while (pending > 0 && !trainer_done(&t)) {
        for (int k = 0; k < l->n_asks; k++) {
            if (l->asks[k].experiment != exp || done[k])
                continue;
            int due = ask_due(&l->asks[k].when, &t);
            if (due == ASK_DUE_NOW) {
                record(&tl[k], j, judge(&l->asks[k], &t, first, sizeof first, why, sizeof why), first, why);
                done[k] = true, pending--;
            }
            next[k] = due == ASK_DUE_NEXT;
        }
        trainer_event ev = trainer_step(&t, STEP_MICRO);
        for (int k = 0; k < l->n_asks; k++)
            if (next[k] && !done[k]) {
                record(&tl[k], j, judge(&l->asks[k], &t, first, sizeof first, why, sizeof why), first, why);
                done[k] = true, pending--;
            }
        if (ev.diverged)
            break;
    }
    for (int k = 0; k < l->n_asks; k++)
        if (l->asks[k].experiment == exp && !done[k]) {
            int li = ask_layer(&l->asks[k].when, &t);
            if (l->asks[k].when.phase == PHASE_CLIP && t.cfg.clip == CLIP_NONE &&
                (l->asks[k].when.pos == ASK_BEFORE || l->asks[k].when.pos == ASK_AFTER))
                snprintf(why, sizeof why, "when = %s: the experiment has no clip micro-step (clip = none)",
                         l->asks[k].when.text);
            else if (li >= t.net.n_layers)
                snprintf(why, sizeof why, "when = %s: layer %d does not exist (the net has %d layers)",
                         l->asks[k].when.text, li, t.net.n_layers);
            else
                snprintf(why, sizeof why, "never reaches 'when = %s': the run %s after %ld steps", l->asks[k].when.text,
                         t.state.div.happened ? "diverged" : "ended", t.state.step);
            record(&tl[k], j, 0, "", why);
        }
    free(done);
    free(next);
    trainer_destroy(&t);
    experiment_data_free(&d);
}

void check_asks(const lesson *l, const seed_plan *p, int *passed, int *failed)
{
    if (l->n_asks == 0)
        return;
    ask_tally *tl = xcalloc((size_t)l->n_asks, sizeof *tl);
    for (int k = 0; k < l->n_asks; k++)
        tl[k].bad_j = -1;
    for (int j = 0; j < p->k; j++)
        for (int e = 0; e < l->n_experiments; e++) {
            bool has = false;
            for (int k = 0; k < l->n_asks && !has; k++)
                has = l->asks[k].experiment == e;
            if (has)
                run_exp(l, e, p, j, tl);
        }
    for (int k = 0; k < l->n_asks; k++) {
        const lesson_ask *a = &l->asks[k];
        const experiment *x = &l->experiments[a->experiment];
        bool ok = tl[k].good == p->k;
        ok ? (*passed)++ : (*failed)++;
        unsigned long long s0 = (unsigned long long)seed_for(p, x, 0);
        printf("%-4s %s:%d: %s: ask when %s: %.50s%s   ", ok ? "ok" : "FAIL", l->path, a->line,
               x->name[0] ? x->name : "experiment", a->when.text, a->question, strlen(a->question) > 50 ? "..." : "");
        if (!ok)
            printf("(seed %llu: %s; good on %d of %d seeds)\n", s0 + (unsigned)tl[k].bad_j, tl[k].bad, tl[k].good, p->k);
        else if (p->k == 1)
            printf("(%s)\n", tl[k].first);
        else
            printf("(seed %llu: %s; on all %d seeds %llu-%llu)\n", s0, tl[k].first, p->k, s0, s0 + (unsigned)p->k - 1);
    }
    free(tl);
}
