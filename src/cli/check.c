#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../lesson/experiment_data.h"
#include "runner.h"
#include "../common/clock.h"

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
    r->ensemble_acc = NAN;
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

/* ---- evaluating expectations ----------------------------------------------------- */

typedef struct check_ctx {
    const lesson *l;
    run_result *results; /* (n_experiments), run on demand */
    int current;         /* the experiment an unqualified metric belongs to */
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
    if (!c->results[i].ran && !c->results[i].error[0])
        run_quiet(&c->l->experiments[i], &c->results[i]);
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
    *out = m->get(&src);
    return 0;
}

static bool report(const lesson *l, const expectation *e, const char *owner, check_ctx *c, int *passed, int *failed)
{
    char detail[600], why[256];
    int ok = expect_eval(e, lookup, c, detail, sizeof detail, why);
    if (ok == 1)
        (*passed)++;
    else
        (*failed)++;
    printf("%-4s %s:%d: %s: expect %s   (%s)\n", ok == 1 ? "ok" : "FAIL", l->path, e->line, owner, e->text,
           ok < 0 ? why : detail);
    return ok == 1;
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

static int check_lesson(const char *path, int *passed, int *failed)
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
    check_ctx c = {&l, xcalloc((size_t)(l.n_experiments ? l.n_experiments : 1), sizeof(run_result)), 0};
    int before = *passed + *failed;
    for (int i = 0; i < l.n_experiments; i++) {
        c.current = i;
        char owner[80];
        snprintf(owner, sizeof owner, "%s", l.experiments[i].name[0] ? l.experiments[i].name : "experiment");
        for (int k = 0; k < l.experiments[i].n_expects; k++)
            report(&l, &l.experiments[i].expects[k], owner, &c, passed, failed);
    }
    for (int k = 0; k < l.n_compares; k++)
        for (int j = 0; j < l.compares[k].n_expects; j++)
            report(&l, &l.compares[k].expects[j], "compare", &c, passed, failed);
    check_races(&l, passed, failed);
    /* every experiment must at least run, expectations or not */
    for (int i = 0; i < l.n_experiments; i++) {
        run_result *r = result_of(&c, i);
        if (!r->ran) {
            printf("FAIL %s\n", r->error);
            (*failed)++;
        }
    }
    printf("     %s: %d expectations, %d experiments, %.1f s\n", path, *passed + *failed - before, l.n_experiments,
           mono_seconds() - t0);
    for (int i = 0; i < l.n_experiments; i++)
        run_result_free(&c.results[i]);
    free(c.results);
    lesson_free(&l);
    return 0;
}

int cmd_check(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: deepstep check LESSON.md ...\n"
                "Runs every experiment of each lesson headless and checks each `expect =` line.\n"
                "Prints one line per expectation (ok or FAIL, with the values it used), then\n"
                "'N passed, N failed'. Exit status 0 when all are met, 1 otherwise.\n");
        return argc < 2 ? 1 : 0;
    }
    int passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        check_lesson(argv[i], &passed, &failed);
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
        printf("%-16s %12s %10s %12s %10s %18s %9s %8s\n", "experiment", "train_loss", "train_acc", "val_loss", "val_acc",
               target_head[0] ? target_head : "", "nan_step", "seconds");
        for (int k = 0; k < cmp->n; k++) {
            run_result r;
            run_quiet(&l->experiments[cmp->index[k]], &r);
            if (!r.ran) {
                printf("%-16s %s\n", cmp->names[k], r.error);
                status = 1;
                continue;
            }
            char b[6][32];
            long st = !isnan(cmp->target_loss) ? steps_to_target(&r, cmp->target_loss) : 0;
            if (isnan(cmp->target_loss))
                snprintf(b[4], sizeof b[4], " ");
            else if (st < 0)
                snprintf(b[4], sizeof b[4], "never");
            else
                snprintf(b[4], sizeof b[4], "%ld", st);
            if (r.diverged)
                snprintf(b[5], sizeof b[5], "%ld", r.nan_step);
            else
                snprintf(b[5], sizeof b[5], "-");
            printf("%-16s %12s %10s %12s %10s %18s %9s %8.2f\n", cmp->names[k],
                   cell(b[0], sizeof b[0], r.train_loss, false), cell(b[1], sizeof b[1], r.train_acc, true),
                   cell(b[2], sizeof b[2], r.val_loss, false), cell(b[3], sizeof b[3], r.val_acc, true), b[4], b[5],
                   r.seconds);
            run_result_free(&r);
        }
        printf("\n");
    }
    return status;
}
