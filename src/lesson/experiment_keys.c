/* experiment_keys.c - what each key of a ```deepstep block means: its words checked and
 * applied to the experiment, with the message a learner sees when one is wrong. */
#include "experiment_keys.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"

int experiment_fail(const line_ctx *c, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(c->err, c->file, c->line, "%s", msg);
}

static void resolve_path(const line_ctx *c, char *dst, const char *path)
{
    if (path[0] == '/' || !c->base_dir || !c->base_dir[0])
        snprintf(dst, EXPERIMENT_PATH_MAX, "%s", path);
    else
        snprintf(dst, EXPERIMENT_PATH_MAX, "%s/%s", c->base_dir, path);
}

static int float_option(const line_ctx *c, const char *key, const char *val, double lo, double hi, float *out)
{
    double v;
    if (!val || kv_double(val, &v) != 0 || v < lo || v > hi) {
        return experiment_fail(c, "%s= needs a number from %g to %g", key, lo, hi);
    }
    *out = (float)v;
    return 0;
}

static int key_data(const line_ctx *c, char **tok, int n)
{
    experiment *x = c->x;
    synth_kind sk;
    if (strcmp(tok[0], "idx") == 0) {
        if (n != 3)
            return experiment_fail(c, "data: 'idx' takes two paths: idx IMAGES LABELS");
        x->source = DATA_IDX;
        resolve_path(c, x->path[0], tok[1]);
        resolve_path(c, x->path[1], tok[2]);
        return 0;
    }
    if (synth_parse_kind(tok[0], &sk) == 0) {
        x->source = DATA_SYNTH;
        x->synth = (synth_params){.kind = sk, .samples = 0, .noise = -1.0f, .classes = 0, .features = 0};
        for (int i = 1; i < n; i++) {
            char *v = kv_option(tok[i]);
            long iv;
            if (strcmp(tok[i], "samples") == 0) {
                if (!v || kv_long(v, 1, 1000000, &iv) != 0)
                    return experiment_fail(c, "data: samples= needs a whole number from 1 to 1000000");
                x->synth.samples = (int)iv;
            } else if (strcmp(tok[i], "noise") == 0) {
                if (float_option(c, "data: noise", v, 0.0, 100.0, &x->synth.noise) != 0)
                    return -1;
            } else if (strcmp(tok[i], "classes") == 0) {
                if (!v || kv_long(v, 2, 100, &iv) != 0)
                    return experiment_fail(c, "data: classes= needs a whole number from 2 to 100");
                if (sk != SYNTH_SPIRAL && sk != SYNTH_BLOBS && sk != SYNTH_RANDOM)
                    return experiment_fail(c, "data: %s has 2 classes; classes= is for spiral, blobs and random", tok[0]);
                x->synth.classes = (int)iv;
            } else if (strcmp(tok[i], "features") == 0 && sk == SYNTH_RANDOM) {
                if (!v || kv_long(v, 1, DATA_MAX_FEATURES, &iv) != 0)
                    return experiment_fail(c, "data: features= needs a whole number from 1 to %d", DATA_MAX_FEATURES);
                x->synth.features = (int)iv;
            } else
                return experiment_fail(c, "data: unknown option '%s' (expected samples=N, noise=F, classes=K%s)", tok[i],
                            sk == SYNTH_RANDOM ? ", features=D" : "");
        }
        /* Each option is in range; their product (samples x features) may still not be. */
        ds_error why = {0};
        if (synth_check(&x->synth, &why) != 0)
            return experiment_fail(c, "data: %s", why.msg);
        return 0;
    }
    if (n == 1 && (kv_ends_with(tok[0], ".csv") || strchr(tok[0], '/'))) {
        x->source = DATA_CSV;
        resolve_path(c, x->path[0], tok[0]);
        return 0;
    }
    return experiment_fail(c, "data: '%s' is not a CSV path, 'idx IMAGES LABELS', or one of xor, moons, circles, spiral, blobs, random",
                tok[0]);
}

static int layer_activation(const line_ctx *c, const char *name, activation *out)
{
    if (act_parse(name, out) != 0)
        return experiment_fail(c, "layer: unknown activation '%.60s' (expected one of %s)", name, act_names_list());
    return 0;
}

/* layer = dense N ACT [init=NAME] | batchnorm [ACT] | layernorm [ACT] | dropout P | residual begin
 *       | residual end [ACT] */
static int key_layer(const line_ctx *c, char **tok, int n)
{
    experiment *x = c->x;
    if (x->train.n_layers == NET_MAX_LAYERS)
        return experiment_fail(c, "layer: more than %d layers", NET_MAX_LAYERS);
    layer_spec *L = &x->train.layers[x->train.n_layers];
    memset(L, 0, sizeof *L);
    L->act = ACT_LINEAR;
    L->init = INIT_UNIFORM;
    if (strcmp(tok[0], "batchnorm") == 0 || strcmp(tok[0], "layernorm") == 0) {
        if (n > 2)
            return experiment_fail(c, "layer: %s takes at most an activation: %s [ACTIVATION]", tok[0], tok[0]);
        L->kind = tok[0][0] == 'b' ? LAYER_BATCHNORM : LAYER_LAYERNORM;
        if (n == 2 && layer_activation(c, tok[1], &L->act) != 0)
            return -1;
    } else if (strcmp(tok[0], "dropout") == 0) {
        double p;
        if (n != 2 || kv_double(tok[1], &p) != 0 || p < 0 || p >= 1)
            return experiment_fail(c, "layer: dropout needs a probability from 0 up to (not including) 1: dropout P");
        L->kind = LAYER_DROPOUT;
        L->p = (float)p;
    } else if (strcmp(tok[0], "residual") == 0) {
        if (n >= 2 && strcmp(tok[1], "begin") == 0 && n == 2)
            L->kind = LAYER_RESIDUAL_BEGIN;
        else if (n >= 2 && strcmp(tok[1], "end") == 0 && n <= 3) {
            L->kind = LAYER_RESIDUAL_END;
            if (n == 3 && layer_activation(c, tok[2], &L->act) != 0)
                return -1;
        } else
            return experiment_fail(c, "layer: expected 'residual begin' or 'residual end [ACTIVATION]'");
    } else if (strcmp(tok[0], "dense") == 0) {
        if (n < 3)
            return experiment_fail(c, "layer: dense needs a width and an activation: dense N ACTIVATION [init=NAME]");
        long units;
        if (kv_long(tok[1], 1, NET_MAX_UNITS, &units) != 0)
            return experiment_fail(c, "layer: width '%.60s' is not a whole number from 1 to 65536", tok[1]);
        L->kind = LAYER_DENSE;
        L->units = (int)units;
        if (layer_activation(c, tok[2], &L->act) != 0)
            return -1;
        for (int i = 3; i < n; i++) {
            char *v = kv_option(tok[i]);
            if (strcmp(tok[i], "init") != 0 || !v)
                return experiment_fail(c, "layer: unknown option '%.60s' (expected init=NAME)", tok[i]);
            if (init_parse(v, &L->init) != 0)
                return experiment_fail(c, "layer: unknown init '%.60s' (expected one of %s)", v, init_names_list());
        }
    } else
        return experiment_fail(c, "layer: unknown layer type '%.60s' (expected dense, batchnorm, layernorm, dropout or residual)",
                    tok[0]);
    x->line_layer[x->train.n_layers++] = c->line;
    return 0;
}



int experiment_key_optimizer(const line_ctx *c, char **tok, int n)
{
    opt_kind k;
    if (optim_parse_kind(tok[0], &k) != 0)
        return experiment_fail(c, "optimizer: unknown optimizer '%s' (expected one of %s)", tok[0], optim_names_list());
    opt_config o = optim_defaults(k);
    for (int i = 1; i < n; i++) {
        char *v = kv_option(tok[i]);
        const char *key = tok[i];
        int rc = 0;
        if (strcmp(key, "lr") == 0)
            rc = float_option(c, "optimizer: lr", v, 0.0, 1e6, &o.lr);
        else if (strcmp(key, "weight_decay") == 0)
            rc = float_option(c, "optimizer: weight_decay", v, 0.0, 1e6, &o.weight_decay);
        else if (strcmp(key, "momentum") == 0 && k == OPT_MOMENTUM)
            rc = float_option(c, "optimizer: momentum", v, 0.0, 1.0, &o.momentum);
        else if (strcmp(key, "nesterov") == 0 && k == OPT_MOMENTUM) {
            if (!v || kv_yes_no(v, &o.nesterov) != 0)
                return experiment_fail(c, "optimizer: nesterov= needs yes or no");
        } else if (strcmp(key, "alpha") == 0 && k == OPT_RMSPROP)
            rc = float_option(c, "optimizer: alpha", v, 0.0, 1.0, &o.alpha);
        else if (strcmp(key, "beta1") == 0 && (k == OPT_ADAM || k == OPT_ADAMW))
            rc = float_option(c, "optimizer: beta1", v, 0.0, 1.0, &o.beta1);
        else if (strcmp(key, "beta2") == 0 && (k == OPT_ADAM || k == OPT_ADAMW))
            rc = float_option(c, "optimizer: beta2", v, 0.0, 1.0, &o.beta2);
        else if (strcmp(key, "eps") == 0 && k != OPT_SGD && k != OPT_MOMENTUM)
            rc = float_option(c, "optimizer: eps", v, 0.0, 1.0, &o.eps);
        else
            return experiment_fail(c, "optimizer: '%s' is not an option of %s", key, tok[0]);
        if (rc)
            return rc;
    }
    c->x->train.opt = o;
    return 0;
}

/* The operands each clip mode and schedule takes, as the error messages write them; their
 * names come from the engine's tables (train_config.c). */
static const char *const clip_operands[CLIP_COUNT] = {[CLIP_NONE] = "", [CLIP_NORM] = "F", [CLIP_VALUE] = "F"};
static const char *const sched_operands[SCHED_COUNT] = {
    [SCHED_CONSTANT] = "", [SCHED_EXP] = "G", [SCHED_STEP] = "N G", [SCHED_COSINE] = "", [SCHED_RANGE] = "LO HI"};

static int count_words(const char *s)
{
    int n = 0;
    for (const char *p = s; *p; p++)
        n += *p != ' ' && (p == s || p[-1] == ' ');
    return n;
}

/* "none, norm F or value F": every name with its operands, the last one after "or". */
static const char *usage_list(char *buf, size_t cap, const char *(*name)(int), const char *const *operands, int n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", name(i),
                                operands[i][0] ? " " : "", operands[i]);
    return buf;
}

static const char *clip_name_int(int k) { return clip_name((clip_kind)k); }
static const char *sched_name_int(int k) { return sched_name((sched_kind)k); }

static int key_clip(const line_ctx *c, char **tok, int n)
{
    experiment *x = c->x;
    clip_kind k;
    char usage[160];
    if (clip_parse(tok[0], &k) != 0 || n != 1 + count_words(clip_operands[k]))
        return experiment_fail(c, "clip: expected %s", usage_list(usage, sizeof usage, clip_name_int, clip_operands, CLIP_COUNT));
    if (k == CLIP_NONE) {
        x->train.clip = CLIP_NONE;
        return 0;
    }
    double v;
    if (kv_double(tok[1], &v) != 0 || v <= 0)
        return experiment_fail(c, "clip: threshold '%s' is not a positive number", tok[1]);
    x->train.clip = k;
    x->train.clip_value = (float)v;
    return 0;
}

static int key_schedule(const line_ctx *c, char **tok, int n)
{
    experiment *x = c->x;
    /* warmup=N may follow any schedule */
    if (n > 1) {
        char *v = kv_option(tok[n - 1]);
        if (v && strcmp(tok[n - 1], "warmup") == 0) {
            long w;
            if (kv_long(v, 0, 100000000, &w) != 0)
                return experiment_fail(c, "schedule: warmup= needs a whole number of steps");
            x->train.warmup = (int)w;
            n--;
        }
    }
    sched_kind k;
    char usage[160];
    if (sched_parse(tok[0], &k) != 0 || n != 1 + count_words(sched_operands[k]))
        return experiment_fail(c, "schedule: expected %s [warmup=N]",
                    usage_list(usage, sizeof usage, sched_name_int, sched_operands, SCHED_COUNT));
    double g;
    long s;
    if (k == SCHED_EXP) {
        if (kv_double(tok[1], &g) != 0 || g <= 0 || g > 1)
            return experiment_fail(c, "schedule: exp G needs G in (0, 1], e.g. exp 0.98");
        x->train.sched_gamma = (float)g;
    } else if (k == SCHED_STEP) {
        if (kv_long(tok[1], 1, 1000000, &s) != 0)
            return experiment_fail(c, "schedule: step N G needs N, a whole number of epochs >= 1");
        if (kv_double(tok[2], &g) != 0 || g <= 0 || g > 1)
            return experiment_fail(c, "schedule: step N G needs G in (0, 1]");
        x->train.sched_step = (int)s;
        x->train.sched_gamma = (float)g;
    } else if (k == SCHED_RANGE) {
        /* a ramp up over decades: LO > 0 because the ramp is geometric, HI > LO because a
         * range test looks for where rising rates stop helping */
        double lo, hi; /* compared as the floats the engine keeps: 1e-50 would become 0 */
        if (kv_double(tok[1], &lo) != 0 || kv_double(tok[2], &hi) != 0 || !((float)lo > 0) || !((float)hi > (float)lo) ||
            hi > 1e6)
            return experiment_fail(c, "schedule: range LO HI needs 0 < LO < HI <= 1e6 (learning rates), e.g. range 1e-4 10");
        x->train.sched_lo = (float)lo;
        x->train.sched_hi = (float)hi;
    }
    x->train.schedule = k;
    return 0;
}

static int enum_value(const line_ctx *c, const char *key, char **tok, int n, const char *list,
                      int (*parse)(const char *, int *), int *out)
{
    if (n != 1 || parse(tok[0], out) != 0)
        return experiment_fail(c, "%s: '%.60s' is not one of %s", key, tok[0], list);
    return 0;
}

static int parse_norm_int(const char *s, int *o) { norm_kind k; int r = norm_parse(s, &k); *o = (int)k; return r; }
static int parse_loss_int(const char *s, int *o) { loss_kind k; int r = loss_parse(s, &k); *o = (int)k; return r; }
/* b starts false: kv_yes_no leaves it untouched on a bad word, and copying an unset bool
 * is undefined behaviour (UBSan saw "load of value 128" for `shuffle = maybe`). */
static int parse_bool_int(const char *s, int *o) { bool b = false; int r = kv_yes_no(s, &b); *o = b; return r; }

const char *const experiment_known_keys[EXPERIMENT_KEYS + 1] = {"name", "data", "normalize", "validation", "test", "batch", "shuffle", "layer",
                                         "loss", "optimizer", "clip", "schedule", "epochs", "seed", "early_stop",
                                         "ensemble", "precision", "loss_scale", "expect", NULL};

int experiment_apply_key(const line_ctx *c, const char *key, char **tok, int n, bool *loss_set)
{
    experiment *x = c->x;
    long iv;
    double dv;
    int e = 0;
    if (strcmp(key, "name") == 0) {
        x->line_name = c->line;
        if (n != 1)
            return experiment_fail(c, "name: one word, no spaces");
        snprintf(x->name, sizeof x->name, "%s", tok[0]);
    } else if (strcmp(key, "data") == 0) {
        x->line_data = c->line;
        return key_data(c, tok, n);
    } else if (strcmp(key, "normalize") == 0) {
        if (enum_value(c, key, tok, n, norm_names_list(), parse_norm_int, &e))
            return -1;
        x->train.normalize = (norm_kind)e;
    } else if (strcmp(key, "validation") == 0) {
        if (n != 1 || kv_double(tok[0], &dv) != 0 || dv < 0 || dv >= 1)
            return experiment_fail(c, "validation: '%s' is not a fraction from 0 up to (not including) 1", tok[0]);
        x->train.validation = (float)dv;
    } else if (strcmp(key, "test") == 0) {
        x->line_test = c->line;
        if (n != 1 || kv_double(tok[0], &dv) != 0 || dv < 0 || dv >= 1)
            return experiment_fail(c, "test: '%s' is not a fraction from 0 up to (not including) 1", tok[0]);
        x->train.test = (float)dv;
    } else if (strcmp(key, "batch") == 0) {
        x->line_batch = c->line;
        if (n == 1 && strcmp(tok[0], "full") == 0)
            x->train.batch = 0;
        else if (n == 1 && kv_long(tok[0], 1, 1000000, &iv) == 0)
            x->train.batch = (int)iv;
        else
            return experiment_fail(c, "batch: '%s' is not 'full' or a whole number from 1 to 1000000", tok[0]);
    } else if (strcmp(key, "shuffle") == 0) {
        x->line_shuffle = c->line;
        if (enum_value(c, key, tok, n, "yes, no", parse_bool_int, &e))
            return -1;
        x->train.shuffle = e;
    } else if (strcmp(key, "layer") == 0) {
        return key_layer(c, tok, n);
    } else if (strcmp(key, "loss") == 0) {
        x->line_loss = c->line;
        *loss_set = true;
        if (enum_value(c, key, tok, n, loss_names_list(), parse_loss_int, &e))
            return -1;
        x->train.loss = (loss_kind)e;
    } else if (strcmp(key, "optimizer") == 0) {
        return experiment_key_optimizer(c, tok, n);
    } else if (strcmp(key, "clip") == 0) {
        return key_clip(c, tok, n);
    } else if (strcmp(key, "schedule") == 0) {
        return key_schedule(c, tok, n);
    } else if (strcmp(key, "epochs") == 0) {
        if (n != 1 || kv_long(tok[0], 1, 1000000, &iv) != 0)
            return experiment_fail(c, "epochs: '%s' is not a whole number from 1 to 1000000", tok[0]);
        x->train.epochs = (int)iv;
    } else if (strcmp(key, "early_stop") == 0) {
        x->line_early_stop = c->line;
        char *v = n == 1 ? kv_option(tok[0]) : NULL;
        if (n == 1 && strcmp(tok[0], "none") == 0)
            x->train.early_stop = 0;
        else if (v && strcmp(tok[0], "patience") == 0 && kv_long(v, 1, 100000, &iv) == 0)
            x->train.early_stop = (int)iv;
        else
            return experiment_fail(c, "early_stop: expected none or patience=N (epochs without improvement, N >= 1)");
    } else if (strcmp(key, "ensemble") == 0) {
        x->line_ensemble = c->line;
        if (n != 1 || kv_long(tok[0], 1, 100, &iv) != 0)
            return experiment_fail(c, "ensemble: '%.60s' is not a whole number of members from 1 to 100", tok[0]);
        x->train.ensemble = (int)iv;
    } else if (strcmp(key, "precision") == 0) {
        x->line_precision = c->line;
        /* precision = fp32 | bf16 | fp16 [master=fp32] */
        fp_format f;
        if (n < 1 || fp_parse(tok[0], &f) != 0 || f == FP64)
            return experiment_fail(c, "precision: '%.60s' is not one of fp32, bf16, fp16 (the engine computes in fp32; "
                           "precision can only be reduced)", n ? tok[0] : "");
        x->train.precision = f;
        x->train.master_fp32 = false;
        if (n > 2)
            return experiment_fail(c, "precision: expected a format and at most master=fp32, e.g. 'bf16 master=fp32'");
        if (n == 2) {
            char *v = kv_option(tok[1]);
            if (!v || strcmp(tok[1], "master") != 0)
                return experiment_fail(c, "precision: unknown option '%.60s' (expected master=fp32)", tok[1]);
            if (strcmp(v, "fp32") != 0)
                return experiment_fail(c, "precision: master=%.60s: the master copy of the weights can only be fp32", v);
            if (f == FP32)
                return experiment_fail(c, "precision: master=fp32 needs bf16 or fp16 (in fp32 the weights already are fp32)");
            x->train.master_fp32 = true;
        }
    } else if (strcmp(key, "loss_scale") == 0) {
        x->line_loss_scale = c->line;
        if (n != 1 || kv_double(tok[0], &dv) != 0 || dv <= 0 || dv > 1e8)
            return experiment_fail(c, "loss_scale: '%.60s' is not a number from above 0 to 1e8", tok[0]);
        x->train.loss_scale = (float)dv;
    } else if (strcmp(key, "seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(tok[0], &end, 10);
        if (n != 1 || tok[0][0] == '-' || *end != '\0' || errno)
            return experiment_fail(c, "seed: '%s' is not a whole number from 0 to 2^64-1", tok[0]);
        x->train.seed = s;
    }
    return 0;
}

