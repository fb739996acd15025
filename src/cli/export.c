/* export.c - `deepstep export LESSON.md --torch`: the command, the refusals and the three files.
 *
 * The data goes out as deepstep saw it (normalised, split, and each epoch's row order from
 * deepstep's own shuffle generator) rather than as a recipe, so the script needs no port of the
 * synthetic sets, the split or the RNG, and its batches are deepstep's row for row. The initial
 * weights go out the same way: init.npz is what `deepstep run --save` writes at step 0. */
#define _POSIX_C_SOURCE 200809L
#include "export.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/xalloc.h"
#include "../io/atomic.h"
#include "../io/npz.h"
#include "../io/weights.h"
#include "../lesson/experiment_data.h"
#include "../lesson/lesson.h"

typedef struct export_opts {
    const char *lesson, *experiment, *dir;
    bool torch, force;
    long steps;
    int epochs;
} export_opts;

void export_usage(FILE *out)
{
    fprintf(out,
            "usage: deepstep export LESSON.md [--experiment K] --torch [-o DIR] [--force]\n"
            "                       [--steps N | --epochs N]\n"
            "\n"
            "Write an experiment as a PyTorch script that reproduces it:\n"
            "  DIR/train.py   the same net (torch.nn modules named as deepstep's .npz arrays), loss,\n"
            "                 optimizer, clipping, schedule and early stopping, in plain PyTorch\n"
            "  DIR/init.npz   deepstep's initial weights (what 'deepstep run --save' writes at step 0)\n"
            "  DIR/data.npz   the rows as deepstep saw them: normalised, split, in deepstep's order,\n"
            "                 and each epoch's shuffled row order\n"
            "Then: /usr/bin/python3 DIR/train.py [--steps N] prints deepstep's epoch lines and saves\n"
            "DIR/out.npz, the final weights, as 'deepstep run --load DIR/init.npz --save' would.\n"
            "\n"
            "  --experiment K  the K-th experiment block (from 1; ask, compare and race blocks do not count) or the one with name = K (default 1)\n"
            "  --torch         write PyTorch (the one format there is; required)\n"
            "  -o DIR          the folder (default: LESSON-NAME-torch, e.g. 09-gradient-clipping-clip1-torch)\n"
            "  --force         overwrite the files of an earlier export in DIR\n"
            "  --steps N       export the row orders for N optimizer steps (as 'run --steps N'); default:\n"
            "                  the lesson's epochs\n"
            "  --epochs N      train N epochs instead of the lesson's `epochs`\n"
            "\n"
            "Refused, with the lesson line and the reason: what torch cannot reproduce faithfully\n"
            "(precision = bf16 or fp16, ensembles). Dropout exports, but its masks are torch's own.\n"
            "Exit status: 0 written, 1 bad input or refused (nothing written).\n");
}

static int parse_count(const char *flag, const char *s, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s ? s : "", &end, 10);
    if (!s || *s == '\0' || *end != '\0' || errno || v < 1 || v > hi) {
        fprintf(stderr, "deepstep export: %s needs a whole number from 1 to %ld\n", flag, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* 0 parsed, 1 bad usage, 2 --help printed. */
static int parse_args(int argc, char **argv, export_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        long v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            export_usage(stdout);
            return 2;
        } else if (strcmp(a, "--experiment") == 0 && next) {
            o->experiment = next, i++;
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && next && next[0]) {
            o->dir = next, i++;
        } else if (strcmp(a, "--torch") == 0) {
            o->torch = true;
        } else if (strcmp(a, "--force") == 0) {
            o->force = true;
        } else if (strcmp(a, "--steps") == 0) {
            if (parse_count(a, next, 1000000000L, &v))
                return 1;
            o->steps = v, i++;
        } else if (strcmp(a, "--epochs") == 0) {
            if (parse_count(a, next, 1000000L, &v))
                return 1;
            o->epochs = (int)v, i++;
        } else if (a[0] == '-') {
            fprintf(stderr, "deepstep export: unknown option or missing value: %s (see deepstep export --help)\n", a);
            return 1;
        } else if (!o->lesson) {
            o->lesson = a;
        } else {
            fprintf(stderr, "deepstep export: one lesson at a time (got '%s' and '%s')\n", o->lesson, a);
            return 1;
        }
    }
    if (!o->lesson) {
        fprintf(stderr, "deepstep export: which lesson? (usage: deepstep export LESSON.md --torch; see --help)\n");
        return 1;
    }
    if (!o->torch) {
        fprintf(stderr, "deepstep export: which format? --torch is the one there is (see deepstep export --help)\n");
        return 1;
    }
    if (o->steps && o->epochs) {
        fprintf(stderr, "deepstep export: give --steps or --epochs, not both\n");
        return 1;
    }
    return 0;
}

/* What the script cannot reproduce faithfully, at the line that asks for it: -1 and err set,
 * else 0. Everything else (every layer kind, loss, optimizer, clipping, schedule, early
 * stopping, fp32 loss scaling) the script writes in torch and the test-torch target checks. */
static int refuse(const experiment *x, ds_error *err)
{
    const train_config *c = &x->train;
    if (c->precision != FP32) {
        const char *f = fp_spec_of(c->precision)->name;
        return err_set(err, x->file, x->line_precision ? x->line_precision : x->line,
                       "export: precision = %s%s is not supported because deepstep rounds every stored value to %s "
                       "and torch's %s kernels round elsewhere, so the script could not match it number for number",
                       f, c->master_fp32 ? " master=fp32" : "", f, f);
    }
    if (c->ensemble > 1)
        return err_set(err, x->file, x->line_ensemble,
                       "export: ensemble = %d is not supported because the script trains one net (each member has its "
                       "own seed, weights and order); export it without the ensemble line to get member 1",
                       c->ensemble);
    return 0;
}

/* "lessons/09-gradient-clipping.md", experiment clip1 -> "09-gradient-clipping-clip1-torch"; an
 * experiment without a name is "exp2". */
static void default_dir(char *dst, size_t cap, const char *path, const experiment *x, int index)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    char which[80];
    if (x->name[0])
        snprintf(which, sizeof which, "%s", x->name);
    else
        snprintf(which, sizeof which, "exp%d", index);
    snprintf(dst, cap, "%.*s-%s-torch", (int)n, base, which);
}

static const char *const out_files[] = {"train.py", "init.npz", "data.npz"};

/* DIR must be a folder or not exist; an earlier export's files are overwritten only with
 * --force. Nothing is created here: a refusal leaves no trace. */
static int check_dir(const char *dir, bool force)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "deepstep export: %s exists and is not a folder; give another with -o DIR\n", dir);
        return -1;
    }
    for (size_t k = 0; k < sizeof out_files / sizeof *out_files && !force; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, out_files[k]);
        if (stat(path, &st) == 0) {
            fprintf(stderr, "deepstep export: %s already exists; --force overwrites it (or give another folder "
                            "with -o DIR)\n", path);
            return -1;
        }
    }
    return 0;
}

/* Rows of one part of the split, normalised as the trainer gathers them: x (n, d), y (n). */
static void add_rows(npz *z, const char *part, const experiment_data *d, const int *rows, int n)
{
    int D = d->data.d;
    float *xb = xcalloc((size_t)n * D, sizeof(float)), *yf = xcalloc((size_t)n, sizeof(float));
    int *yb = xcalloc((size_t)n, sizeof(int));
    dataset_gather(&d->data, rows, n, xb, yb);
    for (int r = 0; r < n; r++)
        yf[r] = (float)yb[r]; /* class indices are exact in float32 (< 2^24); the script makes them int64 */
    char name[32];
    size_t shape[2] = {(size_t)n, (size_t)D};
    snprintf(name, sizeof name, "x_%s", part);
    npz_add(z, name, xb, 2, shape);
    snprintf(name, sizeof name, "y_%s", part);
    npz_add(z, name, yf, 1, shape);
    free(xb);
    free(yf);
    free(yb);
}

static int write_data(const trainer *t, const experiment_data *d, int order_epochs, const char *path, ds_error *err)
{
    npz z = {0};
    const split *sp = &d->split;
    add_rows(&z, "train", d, sp->train, sp->n_train);
    if (sp->n_val > 0)
        add_rows(&z, "val", d, sp->val, sp->n_val);
    if (sp->n_test > 0)
        add_rows(&z, "test", d, sp->test, sp->n_test);
    if (order_epochs > 0) { /* positions in x_train, one row per epoch */
        size_t n = (size_t)order_epochs * sp->n_train;
        int *order = xcalloc(n, sizeof(int));
        float *of = xcalloc(n, sizeof(float));
        trainer_epoch_orders(t, order_epochs, order);
        for (size_t k = 0; k < n; k++)
            of[k] = (float)order[k];
        size_t shape[2] = {(size_t)order_epochs, (size_t)sp->n_train};
        npz_add(&z, "order", of, 2, shape);
        free(order);
        free(of);
    }
    int st = npz_save(&z, path, err);
    npz_free(&z);
    return st;
}

static int write_script(const export_spec *s, const char *path, ds_error *err)
{
    atomic_file a;
    if (atomic_open(&a, path, err) != 0)
        return -1;
    export_torch_script(a.f, s);
    if (atomic_commit(&a, err) != 0)
        return -1;
    mode_t mask = umask(0); /* it starts with #!/usr/bin/python3: make it runnable as ./train.py */
    umask(mask);
    chmod(path, 0777 & ~mask);
    return 0;
}

/* The three files, into dir (made if missing). */
static int write_all(const export_spec *s, const experiment_data *d, const char *dir, ds_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return err_set(err, dir, 0, "cannot create the folder: %s", strerror(errno));
    char path[4096];
    snprintf(path, sizeof path, "%s/init.npz", dir);
    if (weights_save(&s->t->net, path, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/data.npz", dir);
    if (write_data(s->t, d, s->order_epochs, path, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/train.py", dir);
    return write_script(s, path, err);
}

static bool has_dropout(const train_config *c)
{
    for (int i = 0; i < c->n_layers; i++)
        if (c->layers[i].kind == LAYER_DROPOUT)
            return true;
    return false;
}

static int export_experiment(const lesson *l, const experiment *x, const export_opts *o)
{
    ds_error err = {0};
    experiment_data data;
    if (experiment_data_load(x, &data, &err) != 0) {
        err_print(stderr, &err);
        return 1;
    }
    trainer t;
    if (experiment_trainer_create(&t, x, &data, 0, o->epochs, o->steps, &err) != 0) {
        err_print(stderr, &err);
        experiment_data_free(&data);
        return 1;
    }
    int index = (int)(x - l->experiments) + 1;
    int planned = o->steps > 0 ? (int)((o->steps + t.batches_per_epoch - 1) / t.batches_per_epoch) : t.epochs;
    export_spec s = {.x = x, .t = &t, .lesson = o->lesson, .which = o->experiment, .index = index,
                     .count = l->n_experiments, .order_epochs = x->train.shuffle ? planned : 0};
    char dir[2048];
    if (o->dir)
        snprintf(dir, sizeof dir, "%s", o->dir);
    else
        default_dir(dir, sizeof dir, o->lesson, x, index);
    int st = 0;
    if (check_dir(dir, o->force) != 0)
        st = 1;
    else if (write_all(&s, &data, dir, &err) != 0) {
        err_print(stderr, &err);
        st = 1;
    } else {
        printf("wrote %s/train.py, %s/init.npz (initial weights) and %s/data.npz (%d training, %d validation, %d test "
               "rows%s)\n", dir, dir, dir, data.split.n_train, data.split.n_val, data.split.n_test,
               s.order_epochs ? ", the row order of each epoch" : "");
        if (has_dropout(&x->train))
            printf("note: dropout masks are drawn by torch's generator, not deepstep's: this run will not match "
                   "deepstep's number for number (the rest does)\n");
        printf("run it: /usr/bin/python3 %s/train.py [--steps N]\n", dir);
    }
    trainer_destroy(&t);
    experiment_data_free(&data);
    return st;
}

int cmd_export(int argc, char **argv)
{
    export_opts o;
    int st = parse_args(argc, argv, &o);
    if (st)
        return st == 2 ? 0 : 1;
    ds_error err = {0};
    lesson l;
    if (lesson_load(&l, o.lesson, &err) != 0) {
        err_print(stderr, &err);
        return 1;
    }
    const experiment *x = lesson_find_experiment(&l, o.experiment, &err);
    if (!x || refuse(x, &err) != 0) {
        err_print(stderr, &err);
        lesson_free(&l);
        return 1;
    }
    st = export_experiment(&l, x, &o);
    lesson_free(&l);
    return st;
}
