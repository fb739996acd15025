#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/trainer.h"
#include "../lesson/experiment_data.h"
#include "../io/atomic.h"
#include "../io/runlog.h"
#include "check.h"
#include "../io/weights.h"
#include "../lesson/lesson.h"

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
    printf("epoch %5d/%d  train_loss %s  train_acc %.4f  val_loss %s  val_acc %s  lr %.6g\n", m->epoch, planned_epochs(t),
           tl, m->train_acc, vl, va, (double)m->lr);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
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
    printf("# %s: experiment %d of %d%s%s%s, %d training rows, %d validation rows, net %s, %zu parameters, "
           "%s, %s lr=%g, batch %d, %s%s%s\n",
           x->file, index, count, x->name[0] ? " (" : "", x->name, x->name[0] ? ")" : "", t->split->n_train,
           t->split->n_val, shape, t->net.n_params, loss_name(x->train.loss), optim_name(x->train.opt.kind),
           (double)x->train.opt.lr, t->batch_size, budget, x->train.precision != FP32 ? ", precision " : "",
           x->train.precision != FP32 ? fp_spec_of(x->train.precision)->name : "");
}

/* Runs t to the end, printing epoch lines and logging steps. Returns an exit status. */
static int train(trainer *t, const run_opts *o, runlog *log)
{
    bool progress = isatty(STDERR_FILENO) && !o->quiet;
    double last_progress = now_seconds();
    bool progress_shown = false;
    trainer_event ev = {0};
    while (!trainer_done(t) && !interrupted) {
        ev = trainer_step(t, STEP_MICRO);
        if (ev.diverged)
            break;
        if (ev.phase == PHASE_END_BATCH) {
            runlog_step(log, t);
            if (progress && now_seconds() - last_progress > 0.1) {
                fprintf(stderr, "\r  epoch %d/%d  batch %d/%d  loss %.4g ", ev.epoch, planned_epochs(t), ev.batch,
                        t->batches_per_epoch, ev.loss);
                progress_shown = true;
                last_progress = now_seconds();
            }
        } else if (ev.phase == PHASE_END_EPOCH && !o->quiet) {
            if (progress_shown)
                fprintf(stderr, "\r\033[K"), progress_shown = false;
            print_epoch(t);
        }
    }
    if (progress_shown)
        fprintf(stderr, "\r\033[K");
    if (interrupted)
        return EXIT_INTERRUPTED;
    if (t->state.div.happened) {
        printf("diverged: %s\n", t->state.div.message);
        runlog_step(log, t); /* the step that diverged, so the log shows how it got there */
        return EXIT_DIVERGED;
    }
    if (t->state.early.stopped)
        printf("early stop after epoch %d: validation loss has not improved for %d epochs; restored the weights "
               "of epoch %d (val_loss %.6f)\n", t->state.last_epoch.epoch, t->cfg.early_stop, t->state.early.best_epoch,
               t->state.early.best_val_loss);
    if (ev.phase == PHASE_END_BATCH && t->state.epoch_seen && !o->quiet) /* --steps stopped it inside an epoch */
        printf("stopped after step %ld (epoch %d, batch %d of %d): train_loss %.6f  train_acc %.4f (this epoch so "
               "far)\n", t->state.step, t->state.epoch + 1, t->state.batch + 1, t->batches_per_epoch, t->state.epoch_loss_sum / t->state.epoch_seen,
               (double)t->state.epoch_correct / t->state.epoch_seen);
    return 0;
}

static void print_done(const trainer *t, const char *saved)
{
    char va[32];
    if (t->state.early.stopped) { /* the weights are epoch best_epoch's, not the last epoch's */
        printf("done: %ld steps, %d epochs, weights of epoch %d: val_loss %.6f, val_acc %.4f%s%s\n", t->state.step,
               t->state.last_epoch.epoch, t->state.early.best_epoch, t->state.early.restored_val_loss, t->state.early.restored_val_acc,
               saved ? ", weights in " : "", saved ? saved : "");
        return;
    }
    if (t->state.last_epoch.epoch == 0 && t->state.epoch_seen > 0) { /* --steps ended the run inside epoch 1 */
        printf("done: %ld steps, 0 epochs, train_loss %.6f, train_acc %.4f, val_acc - (epoch 1 so far: no "
               "validation pass yet)%s%s\n", t->state.step, t->state.epoch_loss_sum / t->state.epoch_seen,
               (double)t->state.epoch_correct / t->state.epoch_seen, saved ? ", weights in " : "", saved ? saved : "");
        return;
    }
    fmt_metric(va, sizeof va, t->state.last_epoch.val_acc, 4);
    printf("done: %ld steps, %d epochs, train_loss %.6f, train_acc %.4f, val_acc %s%s%s\n", t->state.step,
           t->state.last_epoch.epoch, t->state.last_epoch.train_loss, t->state.last_epoch.train_acc, va, saved ? ", weights in " : "",
           saved ? saved : "");
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

/* Where --save puts member k (2..K) of an ensemble: OUT.npz -> OUT.member{k}.npz. Member 1
 * keeps OUT.npz itself, as for a single net. */
static void member_path(char *dst, size_t cap, const char *save, int k)
{
    size_t n = strlen(save);
    bool npz = n >= 4 && strcmp(save + n - 4, ".npz") == 0;
    snprintf(dst, cap, "%.*s.member%d.npz", (int)(npz ? n - 4 : n), save, k);
}

/* ensemble = K: members 1..K from seeds seed..seed+K-1 on the same data. The step log is the
 * first member's; with --save, member 1 goes to OUT.npz and member k to OUT.member{k}.npz, each
 * written as soon as that member has finished. */
static int run_ensemble(const experiment *x, const experiment_data *d, const run_opts *o, runlog *log)
{
    ds_error err = {0};
    float *sum = NULL;
    int status = 0, n_val = 0, K = 0, members_saved = 0;
    int *val_rows = NULL;
    trainer first;
    memset(&first, 0, sizeof first);
    for (int k = 0; k < x->train.ensemble && status == 0; k++) {
        trainer t;
        if (experiment_trainer_create(&t, x, d, k, o->epochs, o->steps, &err) != 0) {
            err_print(stderr, &err);
            status = 1;
            break;
        }
        if (!o->quiet)
            printf("# member %d of %d (seed %llu)\n", k + 1, x->train.ensemble,
                   (unsigned long long)(x->train.seed + k));
        runlog none = {0};
        status = train(&t, o, k == 0 ? log : &none);
        if (status == 0) {
            if (!sum) {
                n_val = d->split.n_val;
                K = net_out_width(&t.net);
                sum = calloc((size_t)n_val * K, sizeof(float));
                val_rows = malloc((size_t)n_val * sizeof(int));
                memcpy(val_rows, d->split.val, (size_t)n_val * sizeof(int));
            }
            float *probs = malloc((size_t)n_val * K * sizeof(float));
            trainer_predict(&t, d->split.val, n_val, probs);
            for (size_t i = 0; i < (size_t)n_val * K; i++)
                sum[i] += probs[i] / (float)x->train.ensemble;
            free(probs);
            printf("member %d (seed %llu): val_acc %.4f\n", k + 1, (unsigned long long)(x->train.seed + k),
                   t.state.last_epoch.val_acc);
            if (k > 0 && o->save) {
                char path[4096];
                member_path(path, sizeof path, o->save, k + 1);
                if (weights_save(&t.net, path, &err) != 0) {
                    err_print(stderr, &err);
                    status = 1;
                } else {
                    printf("weights of member %d in %s\n", k + 1, path);
                    members_saved++;
                }
            }
        }
        if (k == 0)
            first = t;
        else
            trainer_destroy(&t);
    }
    if (status == 0) {
        int *labels = malloc((size_t)(n_val ? n_val : 1) * sizeof(int));
        for (int i = 0; i < n_val; i++)
            labels[i] = d->data.labels[val_rows[i]];
        printf("ensemble of %d (averaged probabilities): val_acc %.4f\n", x->train.ensemble,
               averaged_accuracy(labels, sum, n_val, K));
        free(labels);
        status = finish_files(&first, o, log);
        if (status == 0 && o->save)
            printf("weights of member 1 in %s\n", o->save);
    } else if (status == EXIT_INTERRUPTED) {
        if (members_saved)
            fprintf(stderr, "deepstep run: interrupted; members 2..%d were saved, member 1 and the log were not\n",
                    members_saved + 1);
        else
            fprintf(stderr, "deepstep run: interrupted; no files written\n");
        runlog_abort(log);
    } else
        runlog_abort(log);
    if (first.stats)
        trainer_destroy(&first);
    free(sum);
    free(val_rows);
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
    int status;
    experiment_data data; /* loaded once: an ensemble's members all train on it */
    if (experiment_data_load(x, &data, &err) != 0) {
        err_print(stderr, &err);
        runlog_abort(&log);
        lesson_free(&l);
        return 1;
    }
    if (x->train.ensemble > 1) {
        status = run_ensemble(x, &data, &o, &log);
        experiment_data_free(&data);
        lesson_free(&l);
        return status;
    }
    trainer t;
    if (experiment_trainer_create(&t, x, &data, 0, o.epochs, o.steps, &err) != 0 ||
        (o.load && weights_load(&t.net, o.load, &err) != 0)) {
        err_print(stderr, &err);
        runlog_abort(&log);
        if (t.stats)
            trainer_destroy(&t);
        experiment_data_free(&data);
        lesson_free(&l);
        return 1;
    }
    if (o.load)
        trainer_apply_precision(&t); /* loaded weights are stored in the experiment's precision too */
    if (!o.quiet)
        describe(&t, x, (int)(x - l.experiments) + 1, l.n_experiments);
    fflush(stdout);
    status = train(&t, &o, &log);
    if (status == EXIT_INTERRUPTED) {
        fprintf(stderr, "deepstep run: interrupted at step %ld; no files written\n", t.state.step);
        runlog_abort(&log);
    } else if (status == EXIT_DIVERGED) {
        if (runlog_close(&log, &err) != 0)
            err_print(stderr, &err);
    } else {
        status = finish_files(&t, &o, &log);
        if (status == 0)
            print_done(&t, o.save);
    }
    trainer_destroy(&t);
    experiment_data_free(&data);
    lesson_free(&l);
    return status;
}
