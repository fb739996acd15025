#include "experiment.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "experiment_keys.h"

/* Residual blocks are checked when the block closes, where the widths are known. */
static int check_residual_widths(const experiment *x, ds_error *err)
{
    int stack[NET_MAX_LAYERS], widths[NET_MAX_LAYERS], depth = 0, width = -1; /* -1: the data's width */
    for (int i = 0; i < x->train.n_layers; i++) {
        const layer_spec *L = &x->train.layers[i];
        if (L->kind == LAYER_DENSE)
            width = L->units;
        else if (L->kind == LAYER_RESIDUAL_BEGIN) {
            stack[depth] = i;
            widths[depth++] = width;
        } else if (L->kind == LAYER_RESIDUAL_END) {
            if (depth == 0)
                return err_set(err, x->file, x->line_layer[i], "layer: 'residual end' without a 'residual begin' before it");
            depth--;
            if (widths[depth] != width && widths[depth] != -1 && width != -1)
                return err_set(err, x->file, x->line_layer[i],
                               "layer: the residual block ends with width %d but began with width %d (line %d); its "
                               "input is added to its output, so they must match", width, widths[depth],
                               x->line_layer[stack[depth]]);
        }
    }
    if (depth > 0)
        return err_set(err, x->file, x->line_layer[stack[depth - 1]],
                       "layer: 'residual begin' is never closed by 'residual end'");
    return 0;
}
static void defaults(experiment *x)
{
    memset(x, 0, sizeof *x);
    x->train.normalize = NORM_NONE;
    x->train.batch = 0;
    x->train.shuffle = false;
    x->train.opt = optim_defaults(OPT_SGD);
    x->train.clip = CLIP_NONE;
    x->train.schedule = SCHED_CONSTANT;
    x->train.epochs = 10;
    x->train.seed = 1;
    x->train.ensemble = 1;
    x->train.precision = FP32;
    x->train.loss_scale = 1.0f;
}

static bool key_is_known(const char *key)
{
    for (int i = 0; experiment_known_keys[i]; i++)
        if (strcmp(key, experiment_known_keys[i]) == 0)
            return true;
    return false;
}

static int add_expect(const line_ctx *c, const char *value, bool median)
{
    experiment *x = c->x;
    if (x->n_expects == EXPERIMENT_MAX_EXPECTS)
        return experiment_fail(c, "expect: at most %d per experiment", EXPERIMENT_MAX_EXPECTS);
    if (!value[0])
        return experiment_fail(c, "expect: missing expression");
    expectation e;
    if (expect_parse(&e, value, c->file, c->line, c->err) != 0)
        return -1;
    e.median = median;
    x->expects = xrealloc(x->expects, (size_t)x->n_expects + 1, sizeof *x->expects); /* at most 8 */
    x->expects[x->n_expects++] = e;
    return 0;
}

static int parse_line(line_ctx *c, char *s, int *seen_line, bool *loss_set)
{
    char *key, *value;
    int kind = kv_split(s, &key, &value);
    if (kind == 0)
        return 0;
    if (kind < 0) {
        char *p = s;
        while (*p == ' ' || *p == '\t')
            p++;
        return err_set(c->err, c->file, c->line, "expected 'key = value', found '%.60s'", p);
    }
    int ek = expect_key_kind(key);
    if (ek >= 0) /* an expression, not words: parsed whole, and it repeats */
        return add_expect(c, value, ek == 1);
    if (!key_is_known(key)) {
        char list[400] = "";
        for (int i = 0; experiment_known_keys[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", experiment_known_keys[i]);
        return err_set(c->err, c->file, c->line, "unknown key '%.40s' (expected one of %s, expect@median)", key, list);
    }
    int ki = 0;
    while (strcmp(experiment_known_keys[ki], key) != 0)
        ki++;
    if (strcmp(key, "layer") != 0 && seen_line[ki])
        return err_set(c->err, c->file, c->line, "'%s' is given twice (first on line %d)", key, seen_line[ki]);
    seen_line[ki] = c->line;
    char *tok[MAX_TOKENS];
    int n = kv_tokenize(value, tok);
    if (n < 0)
        return err_set(c->err, c->file, c->line, "%s: too many words", key);
    if (n == 0)
        return err_set(c->err, c->file, c->line, "%s: missing value", key);
    return experiment_apply_key(c, key, tok, n, loss_set);
}

static int parse_block(experiment *x, const char *text, size_t len, const char *file, int fence_line,
                       int first_line, const char *base_dir, ds_error *err)
{
    snprintf(x->file, sizeof x->file, "%s", file ? file : "");
    x->line = fence_line;
    line_ctx c = {.x = x, .file = file, .line = first_line, .err = err, .base_dir = base_dir};
    int seen_line[EXPERIMENT_KEYS + 1] = {0};
    bool loss_set = false;
    char buf[EXPERIMENT_LINE_MAX + 1];
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        if (end - pos > EXPERIMENT_LINE_MAX)
            return err_set(err, file, c.line, "line is longer than %d characters", EXPERIMENT_LINE_MAX);
        memcpy(buf, text + pos, end - pos);
        buf[end - pos] = '\0';
        if (parse_line(&c, buf, seen_line, &loss_set) != 0)
            return -1;
        pos = end + 1;
        c.line++;
    }
    if (x->source == DATA_NONE)
        return err_set(err, file, fence_line, "experiment has no 'data = ...' line");
    if (x->train.n_layers == 0)
        return err_set(err, file, fence_line, "experiment has no 'layer = dense N ACTIVATION' line");
    if (check_residual_widths(x, err) != 0)
        return -1;
    if (x->train.early_stop > 0 && x->train.validation <= 0)
        return err_set(err, file, x->line_early_stop,
                       "early_stop: needs held-out data to watch (add 'validation = F', e.g. 0.2)");
    if (x->train.ensemble > 1 && x->train.validation <= 0)
        return err_set(err, file, x->line_ensemble,
                       "ensemble: the averaged prediction is measured on held-out data (add 'validation = F')");
    if (x->train.test + x->train.validation >= 1)
        return err_set(err, file, x->line_test, "test: %g for testing and %g for validation leave no rows to train on",
                       (double)x->train.test, (double)x->train.validation);
    const layer_spec *last = &x->train.layers[x->train.n_layers - 1];
    int out_width = -1; /* the width of the last dense layer (batchnorm etc. keep it) */
    for (int i = x->train.n_layers - 1; i >= 0 && out_width < 0; i--)
        if (x->train.layers[i].kind == LAYER_DENSE)
            out_width = x->train.layers[i].units;
    if (out_width < 0)
        return err_set(err, file, x->line_layer[0], "layer: the net needs at least one 'dense' layer");
    if (!loss_set)
        x->train.loss = out_width > 1 ? LOSS_CROSS_ENTROPY : LOSS_BCE;
    if (last->kind == LAYER_DROPOUT || last->kind == LAYER_RESIDUAL_BEGIN)
        return err_set(err, file, x->line_layer[x->train.n_layers - 1], "layer: the last layer must produce the output "
                       "(dense, batchnorm, layernorm or residual end), not %s", layer_kind_name(last->kind));
    const char *why = loss_check_pair(x->train.loss, last->act, out_width);
    if (why)
        return err_set(err, file, loss_set ? x->line_loss : x->line_layer[x->train.n_layers - 1], "loss: %s", why);
    return 0;
}

int experiment_parse(experiment *x, const char *text, size_t len, const char *file, int fence_line,
                     int first_line, const char *base_dir, ds_error *err)
{
    defaults(x);
    if (parse_block(x, text, len, file, fence_line, first_line, base_dir, err) == 0)
        return 0;
    experiment_free(x);
    return -1;
}

void experiment_free(experiment *x)
{
    for (int k = 0; k < x->n_expects; k++)
        expect_free(&x->expects[k]);
    free(x->expects);
    x->expects = NULL;
    x->n_expects = 0;
}

int experiment_parse_optimizer(const char *value, opt_config *out, const char *file, int line, ds_error *err)
{
    experiment scratch;
    memset(&scratch, 0, sizeof scratch);
    line_ctx c = {.x = &scratch, .file = file, .line = line, .err = err, .base_dir = ""};
    char buf[EXPERIMENT_LINE_MAX + 1]; /* a value is part of one line: it fits */
    if (strlen(value) > EXPERIMENT_LINE_MAX)
        return err_set(err, file, line, "line is longer than %d characters", EXPERIMENT_LINE_MAX);
    snprintf(buf, sizeof buf, "%s", value);
    char *tok[MAX_TOKENS];
    int n = kv_tokenize(buf, tok);
    if (n <= 0)
        return err_set(err, file, line, "optimizer: missing value");
    if (experiment_key_optimizer(&c, tok, n) != 0)
        return -1;
    *out = scratch.train.opt;
    return 0;
}
