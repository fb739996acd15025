#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../lesson/experiment_data.h"
#include "../lesson/kv.h"
#include "check_asks.h"
#include "runner.h"
#include "../common/clock.h"

/* ---- evaluating expectations ----------------------------------------------------- */

typedef struct check_ctx {
    const lesson *l;
    run_result *results; /* (n_experiments), run on demand at this seed */
    int current;         /* the experiment an unqualified metric belongs to */
    const seed_plan *plan;
    int j;               /* which of the plan's seeds */
} check_ctx;

static double compare_target(const lesson *l, int exp_index)
{
    for (int c = 0; c < l->n_compares; c++)
        for (int k = 0; k < l->compares[c].n; k++)
            if (l->compares[c].index[k] == exp_index && !isnan(l->compares[c].target_loss))
                return l->compares[c].target_loss;
    return NAN;
}

static run_result *result_of(check_ctx *c, int i)
{
    if (!c->results[i].ran && !c->results[i].error[0]) {
        experiment x = c->l->experiments[i]; /* a shallow copy: run_quiet only reads it */
        x.train.seed = seed_for(c->plan, &x, c->j);
        run_quiet(&x, &c->results[i]);
    }
    return &c->results[i];
}

static int lookup(void *vctx, const char *experiment_name, int layer_index, const char *metric, double *out, char *why)
{
    check_ctx *c = vctx;
    int i = experiment_name[0] ? lesson_experiment_index(c->l, experiment_name) : c->current;
    if (i < 0) {
        snprintf(why, 200, "no experiment named '%s'", experiment_name);
        return -1;
    }
    run_result *r = result_of(c, i);
    if (!r->ran) {
        snprintf(why, 200, "%.190s", r->error);
        return -1;
    }
    metric_src src = {.run = r, .layer = layer_index, .target_loss = NAN};
    const metric_def *m = expect_metric(metric, layer_index != -1 ? METRIC_LAYER : METRIC_RUN);
    if (!m) { /* the parser let it through: a racer's metric */
        snprintf(why, 200, "'%.60s' is a metric of a race, not of an experiment", metric);
        return -1;
    }
    if (layer_index != -1) {
        src.layer = layer_index == -2 ? r->n_layers - 1 : layer_index;
        if (src.layer >= r->n_layers) {
            snprintf(why, 200, "layer %d does not exist (the net has %d layers)", src.layer, r->n_layers);
            return -1;
        }
    }
    if (m->needs_target) {
        src.target_loss = compare_target(c->l, i);
        if (isnan(src.target_loss)) {
            snprintf(why, 200, "%s needs a target_loss in a compare block naming this experiment", m->name);
            return -1;
        }
    }
    const experiment *x = &c->l->experiments[i];
    if (strstr(m->name, "test_") && x->train.test <= 0) { /* NaN would pass != and fail < silently */
        snprintf(why, 200, "%.60s has no test split for %s (add 'test = F', e.g. 0.2)", x->name[0] ? x->name : "the experiment",
                 m->name);
        return -1;
    }
    if (strncmp(m->name, "ensemble_", 9) == 0 && x->train.ensemble <= 1) {
        snprintf(why, 200, "%.60s is not an ensemble (add 'ensemble = K')", x->name[0] ? x->name : "the experiment");
        return -1;
    }
    *out = m->get(&src);
    return 0;
}

/* One expectation of the lesson and what the seeds made of it. */
typedef struct claim {
    const expectation *e;
    char owner[80];
    int experiment; /* whose metrics are unqualified (-1 in a compare block) */
    int seed_exp;   /* whose seed names the run in the report */
    int met, could_not;
    int fail_j;     /* first seed it failed or could not be evaluated on, -1 none */
    int why_j;      /* first seed it could not be evaluated on, -1 none */
    bool mixed;     /* the experiments it names start from different seeds */
    char first[600], fail[600], why[256];
} claim;

static void tally(claim *cl, check_ctx *c)
{
    char detail[600], why[256];
    c->current = cl->experiment < 0 ? 0 : cl->experiment;
    int ok = expect_eval(cl->e, lookup, c, detail, sizeof detail, why);
    if (c->j == 0)
        snprintf(cl->first, sizeof cl->first, "%s", ok < 0 ? why : detail);
    if (ok == 1) {
        cl->met++;
        return;
    }
    cl->could_not += ok < 0;
    if (ok < 0 && cl->why_j < 0) {
        cl->why_j = c->j;
        snprintf(cl->why, sizeof cl->why, "%s", why);
    }
    if (cl->fail_j < 0) {
        cl->fail_j = c->j;
        snprintf(cl->fail, sizeof cl->fail, "%s", ok < 0 ? why : detail);
    }
}

/* Met on every seed, or, for expect@median, on more than half of them; never when a seed
 * could not evaluate it. Prints one line; the numbers are the first failing seed's. */
static bool report(const lesson *l, const claim *cl, const seed_plan *p, int *passed, int *failed)
{
    bool ok = cl->could_not == 0 && (cl->e->median ? 2 * cl->met > p->k : cl->met == p->k);
    ok ? (*passed)++ : (*failed)++;
    printf("%-4s %s:%d: %s: expect%s %s   ", ok ? "ok" : "FAIL", l->path, cl->e->line, cl->owner,
           cl->e->median ? "@median" : "", cl->e->text);
    unsigned long long s0 = (unsigned long long)seed_for(p, &l->experiments[cl->seed_exp], 0);
    if (p->k == 1)
        printf("(%s)\n", cl->first);
    else if (cl->could_not)
        printf("(could not be evaluated on seed %llu: %s)\n", s0 + (unsigned)cl->why_j, cl->why);
    else if (cl->mixed) /* no one seed names the run: count the runs, each experiment at its seed + j */
        printf("(run %d: %s; met on %d of %d runs, each experiment at its own seed + 0..%d)\n",
               cl->fail_j < 0 ? 1 : cl->fail_j + 1, cl->fail_j < 0 ? cl->first : cl->fail, cl->met, p->k, p->k - 1);
    else if (cl->fail_j < 0)
        printf("(seed %llu: %s; met on all %d seeds %llu-%llu)\n", s0, cl->first, p->k, s0, s0 + (unsigned)p->k - 1);
    else if (ok) /* a median claim that some seeds miss: say which, with its numbers */
        printf("(met on %d of %d seeds %llu-%llu, more than half; not on seed %llu: %s)\n", cl->met, p->k, s0,
               s0 + (unsigned)p->k - 1, s0 + (unsigned)cl->fail_j, cl->fail);
    else
        printf("(seed %llu: %s; met on %d of %d seeds %llu-%llu%s)\n", s0 + (unsigned)cl->fail_j, cl->fail, cl->met,
               p->k, s0, s0 + (unsigned)p->k - 1, cl->e->median ? ", needs more than half" : "");
    return ok;
}

/* ---- races ------------------------------------------------------------------------ */

static void race_run_block(const lesson_race *lr, race *r)
{
    race_init(r, lr->surface, lr->start, lr->steps, lr->opts, (const char (*)[32])lr->labels, lr->n);
    while (race_step(r))
        ;
}

static int race_lookup(void *vctx, const char *name, int layer_index, const char *metric, double *out, char *why)
{
    const race *r = vctx;
    (void)layer_index;
    for (int i = 0; i < r->n; i++) {
        const racer *c = &r->racers[i];
        if (strcmp(c->label, name) != 0)
            continue;
        const metric_def *m = expect_metric(metric, METRIC_RACER);
        if (!m) {
            snprintf(why, 200, "'%.60s' is not a metric of a racer (distance or final_f)", metric);
            return -1;
        }
        metric_src src = {.race = r, .racer = c, .target_loss = NAN};
        *out = c->diverged ? INFINITY : m->get(&src);
        return 0;
    }
    snprintf(why, 200, "no racer named '%s'", name);
    return -1;
}

static void check_races(const lesson *l, int *passed, int *failed)
{
    for (int k = 0; k < l->n_races; k++) {
        race r;
        race_run_block(&l->races[k], &r);
        for (int j = 0; j < l->races[k].n_expects; j++) {
            const expectation *e = &l->races[k].expects[j];
            char detail[600], why[256];
            int ok = expect_eval(e, race_lookup, &r, detail, sizeof detail, why);
            if (ok == 1)
                (*passed)++;
            else
                (*failed)++;
            printf("%-4s %s:%d: race on %s: expect %s   (%s)\n", ok == 1 ? "ok" : "FAIL", l->path, e->line,
                   surface_name(r.surface), e->text, ok < 0 ? why : detail);
        }
        race_free(&r);
    }
}

static void print_race_table(const lesson *l, const lesson_race *lr)
{
    race r;
    race_run_block(lr, &r);
    printf("race (%s:%d): %s from (%g, %g), %d steps\n", l->path, lr->line, surface_name(lr->surface), lr->start[0],
           lr->start[1], lr->steps);
    printf("%-12s %12s %12s %14s %12s\n", "racer", "x", "y", "f(x, y)", "distance");
    for (int i = 0; i < r.n; i++) {
        const racer *c = &r.racers[i];
        if (c->diverged)
            printf("%-12s %12s\n", c->label, "diverged");
        else
            printf("%-12s %12.6g %12.6g %14.6g %12.6g\n", c->label, (double)c->w[0], (double)c->w[1],
                   surface_f(r.surface, c->w[0], c->w[1], NULL, NULL), surface_distance(r.surface, c->w[0], c->w[1]));
    }
    printf("\n");
    race_free(&r);
}

/* Do the experiments e names (and `own`, whose metrics it reads unqualified) start from
 * different seeds? Then no single seed names a run of the check. */
static bool mixed_seeds(const lesson *l, const expectation *e, int own)
{
    uint64_t s = l->experiments[own].train.seed;
    for (int k = 0; k < e->n_nodes; k++) {
        int i = e->nodes[k].kind == EX_METRIC && e->nodes[k].experiment[0]
                    ? lesson_experiment_index(l, e->nodes[k].experiment)
                    : -1;
        if (i >= 0 && l->experiments[i].train.seed != s)
            return true;
    }
    return false;
}

/* Every expectation of l, experiments' first, then compare blocks'. (n) */
static claim *claims_of(const lesson *l, int *n)
{
    int total = 0;
    for (int i = 0; i < l->n_experiments; i++)
        total += l->experiments[i].n_expects;
    for (int k = 0; k < l->n_compares; k++)
        total += l->compares[k].n_expects;
    claim *cl = xcalloc((size_t)(total ? total : 1), sizeof *cl);
    *n = 0;
    for (int i = 0; i < l->n_experiments; i++)
        for (int k = 0; k < l->experiments[i].n_expects; k++) {
            claim *c = &cl[(*n)++];
            *c = (claim){.e = &l->experiments[i].expects[k], .experiment = i, .seed_exp = i, .fail_j = -1,
                         .why_j = -1};
            c->mixed = mixed_seeds(l, c->e, i);
            snprintf(c->owner, sizeof c->owner, "%s", l->experiments[i].name[0] ? l->experiments[i].name : "experiment");
        }
    for (int k = 0; k < l->n_compares; k++)
        for (int j = 0; j < l->compares[k].n_expects; j++) {
            claim *c = &cl[(*n)++];
            *c = (claim){.e = &l->compares[k].expects[j], .experiment = -1, .seed_exp = l->compares[k].index[0],
                         .fail_j = -1, .why_j = -1};
            c->mixed = mixed_seeds(l, c->e, c->seed_exp);
            snprintf(c->owner, sizeof c->owner, "compare");
        }
    return cl;
}

static int check_lesson(const char *path, const seed_plan *plan, int *passed, int *failed)
{
    lesson l;
    ds_error err = {0};
    if (lesson_load(&l, path, &err) != 0) {
        char line[1100];
        err_format(&err, line, sizeof line);
        printf("FAIL %s\n", line);
        (*failed)++;
        return -1;
    }
    double t0 = mono_seconds();
    int before = *passed + *failed, n_claims;
    claim *claims = claims_of(&l, &n_claims);
    char **run_errors = xcalloc((size_t)(l.n_experiments ? l.n_experiments : 1), sizeof(char *));
    for (int j = 0; j < plan->k; j++) {
        check_ctx c = {&l, xcalloc((size_t)(l.n_experiments ? l.n_experiments : 1), sizeof(run_result)), 0, plan, j};
        for (int k = 0; k < n_claims; k++)
            tally(&claims[k], &c);
        for (int i = 0; i < l.n_experiments; i++) { /* every experiment must at least run */
            run_result *r = result_of(&c, i);
            if (!r->ran && !run_errors[i])
                run_errors[i] = xstrdup(r->error);
            run_result_free(&c.results[i]);
        }
        free(c.results);
    }
    for (int k = 0; k < n_claims; k++)
        report(&l, &claims[k], plan, passed, failed);
    check_races(&l, passed, failed);
    check_asks(&l, plan, passed, failed);
    for (int i = 0; i < l.n_experiments; i++)
        if (run_errors[i]) {
            printf("FAIL %s\n", run_errors[i]);
            (*failed)++;
            free(run_errors[i]);
        }
    free(run_errors);
    free(claims);
    printf("     %s: %d expectations, %d experiments", path, *passed + *failed - before, l.n_experiments);
    if (plan->k > 1)
        printf(" x %d seeds", plan->k);
    printf(", %.1f s\n", mono_seconds() - t0);
    lesson_free(&l);
    return 0;
}

static int check_usage(FILE *f, int status)
{
    fprintf(f, "usage: deepstep check [--seeds K] [--seed S] LESSON.md ...\n"
               "Runs every experiment of each lesson headless and checks each `expect =` line.\n"
               "Prints one line per expectation (ok or FAIL, with the values it used), then\n"
               "'N passed, N failed'. Exit status 0 when all are met, 1 otherwise.\n"
               "  --seeds K   run every experiment at K seeds: its own seed and the K-1 after it;\n"
               "              an `expect` must hold on every seed, an `expect@median` on more than\n"
               "              half of them; a failure names the seed and its numbers (default 1)\n"
               "  --seed S    start every experiment at seed S instead of its own\n"
               "Races have no seed: their expectations are checked once.\n");
    return status;
}

int cmd_check(int argc, char **argv)
{
    seed_plan plan = {.k = 1};
    int i = 1;
    bool dashdash = false; /* after "--" every argument is a lesson */
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        long v;
        if (strcmp(argv[i], "--help") == 0)
            return check_usage(stdout, 0);
        if (strcmp(argv[i], "--") == 0) {
            dashdash = true;
            i++;
            break;
        }
        if (strcmp(argv[i], "--seeds") != 0 && strcmp(argv[i], "--seed") != 0) {
            fprintf(stderr, "deepstep check: unknown option '%s' (see deepstep check --help)\n", argv[i]);
            return 1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "deepstep check: %s needs a number\n", argv[i]);
            return 1;
        }
        if (strcmp(argv[i], "--seeds") == 0) {
            if (kv_long(argv[++i], 1, 1000, &v) != 0) {
                fprintf(stderr, "deepstep check: --seeds: '%s' is not a whole number from 1 to 1000\n", argv[i]);
                return 1;
            }
            plan.k = (int)v;
        } else if (strcmp(argv[i], "--seed") == 0) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(argv[++i], &end, 10);
            /* the lesson's own limit; 2^53 - 1000 keeps every seed run exact as a number */
            if (!isdigit((unsigned char)argv[i][0]) || *end || errno || s > (1ULL << 53) - 1000) {
                fprintf(stderr, "deepstep check: --seed: '%s' is not a whole number from 0 to 2^53-1000\n", argv[i]);
                return 1;
            }
            plan.fixed = true;
            plan.first = (uint64_t)s;
        } else {
            fprintf(stderr, "deepstep check: unknown option '%s' (see deepstep check --help)\n", argv[i]);
            return 1;
        }
    }
    if (i >= argc)
        return check_usage(stderr, 1);
    for (int k = i; k < argc && !dashdash; k++)
        if (strncmp(argv[k], "--", 2) == 0) {
            fprintf(stderr, "deepstep check: %s: options go before the lessons\n", argv[k]);
            return 1;
        }
    int passed = 0, failed = 0;
    for (; i < argc; i++) {
        check_lesson(argv[i], &plan, &passed, &failed);
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* ---- comparison tables ----------------------------------------------------------- */

/* A table cell: "-" for a missing number, else `digits` significant digits (or fixed 4 decimals). */
static const char *cell(char *buf, size_t cap, double v, bool fixed)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else if (fixed)
        snprintf(buf, cap, "%.4f", v);
    else
        snprintf(buf, cap, "%.6g", v);
    return buf;
}

int print_compare_tables(const lesson *l)
{
    if (l->n_compares == 0 && l->n_races == 0) {
        fprintf(stderr, "%s: the lesson has no ```deepstep compare or race block\n", l->path);
        return 1;
    }
    for (int k = 0; k < l->n_races; k++)
        print_race_table(l, &l->races[k]);
    int status = 0;
    for (int c = 0; c < l->n_compares; c++) {
        const lesson_compare *cmp = &l->compares[c];
        printf("compare (%s:%d):", l->path, cmp->line);
        for (int k = 0; k < cmp->n; k++)
            printf(" %s", cmp->names[k]);
        printf("\n");
        char target_head[40] = "";
        if (!isnan(cmp->target_loss))
            snprintf(target_head, sizeof target_head, "steps_to_loss<%g", cmp->target_loss);
        run_result *rs = xcalloc((size_t)cmp->n, sizeof *rs);
        bool any_test = false;
        for (int k = 0; k < cmp->n; k++) {
            run_quiet(&l->experiments[cmp->index[k]], &rs[k]);
            any_test |= rs[k].ran && !isnan(rs[k].test_acc);
        }
        printf("%-16s %12s %10s %12s %10s", "experiment", "train_loss", "train_acc", "val_loss", "val_acc");
        if (any_test)
            printf(" %12s %10s", "test_loss", "test_acc");
        printf(" %18s %9s %8s\n", target_head[0] ? target_head : "", "nan_step", "seconds");
        for (int k = 0; k < cmp->n; k++) {
            run_result *r = &rs[k];
            if (!r->ran) {
                printf("%-16s %s\n", cmp->names[k], r->error);
                status = 1;
                continue;
            }
            char b[8][32];
            long st = !isnan(cmp->target_loss) ? steps_to_target(r, cmp->target_loss) : 0;
            if (isnan(cmp->target_loss))
                snprintf(b[4], sizeof b[4], " ");
            else if (st < 0)
                snprintf(b[4], sizeof b[4], "never");
            else
                snprintf(b[4], sizeof b[4], "%ld", st);
            if (r->diverged)
                snprintf(b[5], sizeof b[5], "%ld", r->nan_step);
            else
                snprintf(b[5], sizeof b[5], "-");
            printf("%-16s %12s %10s %12s %10s", cmp->names[k], cell(b[0], sizeof b[0], r->train_loss, false),
                   cell(b[1], sizeof b[1], r->train_acc, true), cell(b[2], sizeof b[2], r->val_loss, false),
                   cell(b[3], sizeof b[3], r->val_acc, true));
            if (any_test)
                printf(" %12s %10s", cell(b[6], sizeof b[6], r->test_loss, false), cell(b[7], sizeof b[7], r->test_acc, true));
            printf(" %18s %9s %8.2f\n", b[4], b[5], r->seconds);
            /* An ensemble is judged by its averaged prediction: the row above is member 1's. */
            if (!isnan(r->ensemble_acc)) {
                char name[40];
                snprintf(name, sizeof name, "  (ensemble %d)", l->experiments[cmp->index[k]].train.ensemble);
                printf("%-16s %12s %10s %12s %10s", name, "", "", "", cell(b[3], sizeof b[3], r->ensemble_acc, true));
                if (any_test)
                    printf(" %12s %10s", "", cell(b[7], sizeof b[7], r->ensemble_test_acc, true));
                printf("\n");
            }
        }
        for (int k = 0; k < cmp->n; k++)
            run_result_free(&rs[k]);
        free(rs);
        printf("\n");
    }
    return status;
}
