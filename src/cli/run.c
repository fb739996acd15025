#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/trainer.h"
#include "../lesson/experiment_data.h"
#include "../io/atomic.h"
#include "../io/runlog.h"
#include "check.h"
#include "runner.h"
#include "../io/weights.h"
#include "../lesson/lesson.h"
#include "../common/clock.h"

typedef struct run_opts {
    const char *lesson, *experiment, *load, *save, *log;
    long steps;
    int epochs;
    int quiet;
    int compare;
} run_opts;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1; /* only a flag: the loop notices and cleans up */
}

void run_usage(FILE *out)
{
    fprintf(out,
            "usage: deepstep run LESSON.md [--experiment K] [--steps N | --epochs N]\n"
            "                    [--load IN.npz] [--save OUT.npz] [--log OUT.csv] [--quiet]\n"
            "       deepstep run LESSON.md --compare\n"
            "\n"
            "Train one experiment of a lesson without the UI and print one line per epoch.\n"
            "\n"
            "  --experiment K  the K-th ```deepstep block (from 1) or the one with name = K (default 1)\n"
            "  --steps N       train exactly N optimizer updates (past the lesson's `epochs` if need be)\n"
            "  --epochs N      train N epochs instead of the lesson's `epochs`\n"
            "  --load IN.npz   start from these weights (arrays layers.{i}.weight / layers.{i}.bias)\n"
            "  --save OUT.npz  write the final weights (NumPy .npz, float32); an ensemble's member k\n"
            "                  (k >= 2) goes to OUT.member{k}.npz\n"
            "  --log OUT.csv   write one row per step and layer (loss, lr, activation and gradient stats)\n"
            "  --quiet         print only the final line\n"
            "  --compare       train the experiments of each ```deepstep compare block and print a table\n"
            "\n"
            "Exit status: 0 trained, 1 bad input, 3 training diverged (NaN/Inf), 130 interrupted.\n");
}

/* From before the first temporary file exists to the end: a signal only sets the flag, the
 * loop stops and the files are removed. SIGHUP too, so a closed SSH session does not leave
 * OUT.csv.tmp.XXXXXX behind. */
static void catch_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int parse_count(const char *flag, const char *s, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s ? s : "", &end, 10);
    if (!s || *s == '\0' || *end != '\0' || errno || v < 1 || v > hi) {
        fprintf(stderr, "deepstep run: %s needs a whole number from 1 to %ld\n", flag, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, run_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        long v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            run_usage(stdout);
            exit(0);
        } else if (strcmp(a, "--experiment") == 0 && next) {
            o->experiment = next, i++;
        } else if (strcmp(a, "--steps") == 0) {
            if (parse_count(a, next, 1000000000L, &v))
                return -1;
            o->steps = v, i++;
        } else if (strcmp(a, "--epochs") == 0) {
            if (parse_count(a, next, 1000000L, &v))
                return -1;
            o->epochs = (int)v, i++;
        } else if (strcmp(a, "--load") == 0 && next) {
            o->load = next, i++;
        } else if (strcmp(a, "--save") == 0 && next) {
            o->save = next, i++;
        } else if (strcmp(a, "--log") == 0 && next) {
            o->log = next, i++;
        } else if (strcmp(a, "--compare") == 0) {
            o->compare = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "deepstep run: unknown option or missing value: %s (see deepstep run --help)\n", a);
            return -1;
        } else if (!o->lesson) {
            o->lesson = a;
        } else {
            fprintf(stderr, "deepstep run: one lesson at a time (got '%s' and '%s')\n", o->lesson, a);
            return -1;
        }
    }
    if (!o->lesson) {
        fprintf(stderr, "deepstep run: which lesson? (usage: deepstep run LESSON.md; see --help)\n");
        return -1;
    }
    if (o->steps && o->epochs) {
        fprintf(stderr, "deepstep run: give --steps or --epochs, not both\n");
        return -1;
    }
    return 0;
}

/* "-" for a metric that does not exist (no validation rows). */
static void fmt_metric(char *buf, size_t cap, double v, int decimals)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.*f", decimals, v);
}

/* Losses: fixed point normally, scientific once they explode (never 30 digits). */
static void fmt_loss(char *buf, size_t cap, double v)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else if (fabs(v) >= 1e6)
        snprintf(buf, cap, "%.4e", v);
    else
        snprintf(buf, cap, "%.6f", v);
}

/* The epochs this run will touch: the lesson's (or --epochs), or with --steps N as many as N
 * updates need, which may be more than the lesson's `epochs` (the step budget wins). */
static int planned_epochs(const trainer *t)
{
    if (t->max_steps <= 0)
        return t->epochs;
    return (int)((t->max_steps + t->batches_per_epoch - 1) / t->batches_per_epoch);
}

static void print_epoch(const trainer *t)
{
    const epoch_metrics *m = &t->state.last_epoch;
    char tl[32], vl[32], va[32];
    fmt_loss(tl, sizeof tl, m->train_loss);
    fmt_loss(vl, sizeof vl, m->val_loss);
    fmt_metric(va, sizeof va, m->val_acc, 4);
    printf("epoch %5d/%d  train_loss %s  train_acc %.4f  val_loss %s  val_acc %s  lr %.6g", m->epoch, planned_epochs(t),
           tl, m->train_acc, vl, va, (double)m->lr);
    if (t->split->n_test > 0) { /* after lr: the columns before it are the contract's */
        fmt_loss(vl, sizeof vl, m->test_loss);
        fmt_metric(va, sizeof va, m->test_acc, 4);
        printf("  test_loss %s  test_acc %s", vl, va);
    }
    printf("\n");
}

/* ", test_acc 0.9500" when the experiment holds out a test split, else "". */
static const char *test_suffix(char *buf, size_t cap, const trainer *t, double acc)
{
    char a[32];
    if (t->split->n_test <= 0)
        return "";
    fmt_metric(a, sizeof a, acc, 4);
    snprintf(buf, cap, ", test_acc %s", a);
    return buf;
}

static void describe(const trainer *t, const experiment *x, int index, int count)
{
    char shape[256], budget[64];
    if (t->max_steps > 0)
        snprintf(budget, sizeof budget, "%ld steps (%d epochs)", t->max_steps, planned_epochs(t));
    else
        snprintf(budget, sizeof budget, "%d epochs", t->epochs);
    int len = snprintf(shape, sizeof shape, "%d", t->net.n_in);
    for (int i = 0; i < t->net.n_layers && len < (int)sizeof shape - 16; i++)
        len += snprintf(shape + len, sizeof shape - (size_t)len, "-%d", t->net.layers[i].n_out);
    char test[48] = "";
    if (t->split->n_test > 0)
        snprintf(test, sizeof test, ", %d test rows", t->split->n_test);
    printf("# %s: experiment %d of %d%s%s%s, %d training rows, %d validation rows%s, net %s, %zu parameters, "
           "%s, %s lr=%g, batch %d, %s%s%s%s\n",
           x->file, index, count, x->name[0] ? " (" : "", x->name, x->name[0] ? ")" : "", t->split->n_train,
           t->split->n_val, test, shape, t->net.n_params, loss_name(x->train.loss), optim_name(x->train.opt.kind),
           (double)x->train.opt.lr, t->batch_size, budget, x->train.precision != FP32 ? ", precision " : "",
           x->train.precision != FP32 ? fp_spec_of(x->train.precision)->name : "", x->train.master_fp32 ? " master=fp32" : "");
}

/* Where --save puts member k (2..K) of an ensemble: OUT.npz -> OUT.member{k}.npz. Member 1
 * keeps OUT.npz itself, as for a single net. */
static void member_path(char *dst, size_t cap, const char *save, int k)
{
    size_t n = strlen(save);
    bool npz = n >= 4 && strcmp(save + n - 4, ".npz") == 0;
    snprintf(dst, cap, "%.*s.member%d.npz", (int)(npz ? n - 4 : n), save, k);
}

/* What `deepstep run` prints and writes while the runner trains. */
typedef struct run_ctx {
    const run_opts *o;
    const experiment *x;
    int index, count;   /* x is experiment index of count (for the header line) */
    runlog *log;        /* the step log: member 0's */
    bool progress;      /* a live progress line on stderr (a terminal, not --quiet) */
    bool progress_shown;
    double last_progress;
    int members_saved;  /* ensemble members 2.. whose weights are written */
} run_ctx;

static runlog *member_log(run_ctx *c, int k)
{
    static runlog none; /* never opened: runlog_step does nothing with it */
    return k == 0 ? c->log : &none;
}

static void clear_progress(run_ctx *c)
{
    if (c->progress_shown)
        fprintf(stderr, "\r\033[K"), c->progress_shown = false;
}

/* A single net: --load's weights, then the header line. An ensemble member: its own line. */
static int on_member_start(void *vctx, trainer *t, int k)
{
    run_ctx *c = vctx;
    const experiment *x = c->x;
    if (x->train.ensemble > 1) {
        if (!c->o->quiet)
            printf("# member %d of %d (seed %llu)\n", k + 1, x->train.ensemble,
                   (unsigned long long)(x->train.seed + k));
    } else {
        ds_error err = {0};
        if (c->o->load && weights_load(&t->net, c->o->load, &err) != 0) {
            err_print(stderr, &err);
            return 1;
        }
        if (c->o->load)
            trainer_apply_precision(t); /* loaded weights are stored in the experiment's precision too */
        if (!c->o->quiet)
            describe(t, x, c->index, c->count);
        fflush(stdout);
    }
    c->progress = isatty(STDERR_FILENO) && !c->o->quiet;
    c->last_progress = mono_seconds();
    c->progress_shown = false;
    return 0;
}

static void on_step(void *vctx, const trainer *t, const trainer_event *ev, int k)
{
    run_ctx *c = vctx;
    runlog_step(member_log(c, k), t);
    if (c->progress && mono_seconds() - c->last_progress > 0.1) {
        fprintf(stderr, "\r  epoch %d/%d  batch %d/%d  loss %.4g ", ev->epoch, planned_epochs(t), ev->batch,
                t->batches_per_epoch, ev->loss);
        c->progress_shown = true;
        c->last_progress = mono_seconds();
    }
}

static void on_epoch(void *vctx, const trainer *t, const trainer_event *ev, int k)
{
    run_ctx *c = vctx;
    (void)ev, (void)k;
    if (c->o->quiet)
        return;
    clear_progress(c);
    print_epoch(t);
}

/* How a member's training ended, in words: divergence, early stopping, --steps inside an epoch. */
static int report_end(run_ctx *c, const trainer *t, const trainer_event *last, int k, int status)
{
    if (status == EXIT_INTERRUPTED)
        return status;
    if (status == EXIT_DIVERGED) {
        printf("diverged: %s\n", t->state.div.message);
        runlog_step(member_log(c, k), t); /* the step that diverged, so the log shows how it got there */
        return status;
    }
    if (t->state.early.stopped)
        printf("early stop after epoch %d: validation loss has not improved for %d epochs; restored the weights "
               "of epoch %d (val_loss %.6f)\n", t->state.last_epoch.epoch, t->cfg.early_stop, t->state.early.best_epoch,
               t->state.early.best_val_loss);
    if (last->phase == PHASE_END_BATCH && t->state.epoch_seen && !c->o->quiet) /* --steps stopped it inside an epoch */
        printf("stopped after step %ld (epoch %d, batch %d of %d): train_loss %.6f  train_acc %.4f (this epoch so "
               "far)\n", t->state.step, t->state.epoch + 1, t->state.batch + 1, t->batches_per_epoch,
               t->state.epoch_loss_sum / t->state.epoch_seen, (double)t->state.epoch_correct / t->state.epoch_seen);
    return 0;
}

static int on_member_end(void *vctx, trainer *t, const trainer_event *last, int k, int status)
{
    run_ctx *c = vctx;
    clear_progress(c);
    status = report_end(c, t, last, k, status);
    if (status != 0 || c->x->train.ensemble <= 1)
        return status;
    char ts[48];
    printf("member %d (seed %llu): val_acc %.4f%s\n", k + 1, (unsigned long long)(c->x->train.seed + k),
           t->state.last_epoch.val_acc,
           test_suffix(ts, sizeof ts, t, t->state.early.stopped ? t->state.early.restored_test_acc : t->state.last_epoch.test_acc));
    if (k > 0 && c->o->save) {
        char path[4096];
        ds_error err = {0};
        member_path(path, sizeof path, c->o->save, k + 1);
        if (weights_save(&t->net, path, &err) != 0) {
            err_print(stderr, &err);
            return 1;
        }
        printf("weights of member %d in %s\n", k + 1, path);
        c->members_saved++;
    }
    return 0;
}

static void print_done(const trainer *t, const char *saved)
{
    char va[32], ts[48];
    if (t->state.early.stopped) { /* the weights are epoch best_epoch's, not the last epoch's */
        printf("done: %ld steps, %d epochs, weights of epoch %d: val_loss %.6f, val_acc %.4f%s%s%s\n", t->state.step,
               t->state.last_epoch.epoch, t->state.early.best_epoch, t->state.early.restored_val_loss, t->state.early.restored_val_acc,
               test_suffix(ts, sizeof ts, t, t->state.early.restored_test_acc), saved ? ", weights in " : "", saved ? saved : "");
        return;
    }
    if (t->state.last_epoch.epoch == 0 && t->state.epoch_seen > 0) { /* --steps ended the run inside epoch 1 */
        printf("done: %ld steps, 0 epochs, train_loss %.6f, train_acc %.4f, val_acc - (epoch 1 so far: no "
               "validation pass yet)%s%s\n", t->state.step, t->state.epoch_loss_sum / t->state.epoch_seen,
               (double)t->state.epoch_correct / t->state.epoch_seen, saved ? ", weights in " : "", saved ? saved : "");
        return;
    }
    fmt_metric(va, sizeof va, t->state.last_epoch.val_acc, 4);
    printf("done: %ld steps, %d epochs, train_loss %.6f, train_acc %.4f, val_acc %s%s%s%s\n", t->state.step,
           t->state.last_epoch.epoch, t->state.last_epoch.train_loss, t->state.last_epoch.train_acc, va,
           test_suffix(ts, sizeof ts, t, t->state.last_epoch.test_acc), saved ? ", weights in " : "", saved ? saved : "");
}

static int finish_files(trainer *t, const run_opts *o, runlog *log)
{
    ds_error err = {0};
    if (runlog_close(log, &err) != 0 || (o->save && weights_save(&t->net, o->save, &err) != 0)) {
        err_print(stderr, &err);
        return 1;
    }
    return 0;
}

/* ensemble = K: members 1..K from seeds seed..seed+K-1 on the same data. The step log is the
 * first member's; with --save, member 1 goes to OUT.npz and member k to OUT.member{k}.npz, each
 * written as soon as that member has finished (member 1 here, once all have). */
static int finish_ensemble(int status, run_ctx *c, runner_result *res)
{
    if (status == 0) {
        char ts[48] = "";
        if (!isnan(res->ensemble_test_acc))
            snprintf(ts, sizeof ts, ", test_acc %.4f", res->ensemble_test_acc);
        printf("ensemble of %d (averaged probabilities): val_acc %.4f%s\n", c->x->train.ensemble, res->ensemble_acc, ts);
        status = finish_files(&res->first, c->o, c->log);
        if (status == 0 && c->o->save)
            printf("weights of member 1 in %s\n", c->o->save);
        return status;
    }
    if (status == EXIT_INTERRUPTED) {
        if (c->members_saved)
            fprintf(stderr, "deepstep run: interrupted; members 2..%d were saved, member 1 and the log were not\n",
                    c->members_saved + 1);
        else
            fprintf(stderr, "deepstep run: interrupted; no files written\n");
    }
    runlog_abort(c->log);
    return status;
}

static int finish_single(int status, run_ctx *c, runner_result *res)
{
    ds_error err = {0};
    if (status == EXIT_INTERRUPTED) {
        fprintf(stderr, "deepstep run: interrupted at step %ld; no files written\n", res->first.state.step);
        runlog_abort(c->log);
    } else if (status == EXIT_DIVERGED) {
        if (runlog_close(c->log, &err) != 0)
            err_print(stderr, &err);
    } else if (status == 0) {
        status = finish_files(&res->first, c->o, c->log);
        if (status == 0)
            print_done(&res->first, c->o->save);
    } else
        runlog_abort(c->log);
    return status;
}

/* Trains x on its data (loaded once for every member) and writes the files; an exit status. */
static int train_and_finish(const lesson *l, const experiment *x, const run_opts *o, runlog *log)
{
    ds_error err = {0};
    experiment_data data;
    if (experiment_data_load(x, &data, &err) != 0) {
        err_print(stderr, &err);
        runlog_abort(log);
        return 1;
    }
    run_ctx c = {.o = o, .x = x, .index = (int)(x - l->experiments) + 1, .count = l->n_experiments, .log = log};
    runner_hooks h = {&c, on_member_start, on_step, on_epoch, on_member_end, &interrupted};
    runner_result res;
    int status = runner_run(x, &data, o->epochs, o->steps, &h, true, &res, &err);
    if (status < 0) {
        err_print(stderr, &err);
        status = 1;
    }
    status = x->train.ensemble > 1 ? finish_ensemble(status, &c, &res) : finish_single(status, &c, &res);
    if (res.first.stats)
        trainer_destroy(&res.first);
    experiment_data_free(&data);
    return status;
}

int cmd_run(int argc, char **argv)
{
    run_opts o;
    if (parse_args(argc, argv, &o) != 0)
        return 1;
    ds_error err = {0};
    lesson l;
    if (lesson_load(&l, o.lesson, &err) != 0) {
        err_print(stderr, &err);
        return 1;
    }
    if (o.compare) {
        int st = print_compare_tables(&l);
        lesson_free(&l);
        return st;
    }
    const experiment *x = lesson_find_experiment(&l, o.experiment, &err);
    if (x && x->train.ensemble > 1 && o.load) {
        err_set(&err, x->file, x->line_ensemble, "ensemble: --load cannot start %d members from one set of weights",
                x->train.ensemble);
        x = NULL;
    }
    runlog log = {0};
    catch_signals();
    /* --save's folder is checked before training, not discovered after an hour of it. */
    if (!x || (o.save && atomic_check(o.save, &err) != 0) || (o.log && runlog_open(&log, o.log, &err) != 0)) {
        err_print(stderr, &err);
        lesson_free(&l);
        return 1;
    }
    int status = train_and_finish(&l, x, &o, &log);
    lesson_free(&l);
    return status;
}
