/* expect.h - what an experiment claims to show, checked by `deepstep check`.
 *
 *   expect = val_acc > 0.95
 *   expect = layer0.grad_norm < 1e-4 * layer9.grad_norm
 *   expect = layer0.health == vanishing
 *   expect = batchnorm.val_acc > plain.val_acc + 0.3      (another experiment, by name)
 *   expect = nan                                          (training must diverge)
 *
 * Grammar: expr = sum [cmp sum], cmp one of < <= > >= == !=; sum = term {(+|-) term};
 * term = unary {(*|/) unary}; unary = [-] atom; atom = number | metric | ( expr ) | abs( expr ).
 * A metric is [experiment.]name or [experiment.]layerN.name (N may be "last"); health words
 * (ok, vanishing, exploding, saturated, dead) stand for their states. See README for names. */
#ifndef DS_EXPECT_H
#define DS_EXPECT_H

#include <stdbool.h>

#include "../common/err.h"
#include "../engine/stats.h"
#include "../engine/surface.h"

#define EXPECT_MAX_NODES 48

typedef enum expr_kind { EX_NUM, EX_METRIC, EX_NEG, EX_ABS, EX_BIN, EX_CMP, EX_NAN } expr_kind;

typedef struct expr_node {
    expr_kind kind;
    char op[3];           /* + - * / < <= > >= == != */
    int left, right;      /* child node indices */
    double num;
    char experiment[64];  /* "" = the experiment the expectation belongs to */
    int layer;            /* -1: not a layer metric; -2: "last" */
    char metric[40];
} expr_node;

/* nodes holds exactly n_nodes (parsed in a scratch array of EXPECT_MAX_NODES, then copied):
 * a lesson may hold hundreds of expectations, and most use 3 to 7 nodes. */
typedef struct expectation {
    char text[256];
    int line;
    bool median; /* expect@median: a claim about the typical run, met when it holds on more
                    than half the seeds `deepstep check --seeds K` runs (else on every seed) */
    expr_node *nodes; /* (n_nodes), owned: expect_free */
    int n_nodes, root;
} expectation;

/* Parse text (from file:line) into e; a message names what is wrong. On failure e owns
 * nothing; on success release it with expect_free. */
int expect_parse(expectation *e, const char *text, const char *file, int line, ds_error *err);
/* The same with a choice of vocabulary: EXPECT_LIVE names the live metrics of a run in
 * progress (live_metrics.h: no experiment names; dotted names such as clip.norm_after),
 * EXPECT_VALUE reads an expression with no comparison (an ask's answer). key names the line
 * in messages ("answer: unknown metric ..."). */
enum { EXPECT_LIVE = 1u, EXPECT_VALUE = 2u };
int expect_parse_as(expectation *e, const char *text, unsigned flags, const char *key, const char *file, int line,
                    ds_error *err);
void expect_free(expectation *e);
/* 0 for the key "expect", 1 for "expect@median", -1 for any other key. */
int expect_key_kind(const char *key);

/* Looks a metric up: returns 0 and *out, or -1 with a reason in why (cap 200). */
typedef int (*metric_lookup)(void *ctx, const char *experiment, int layer, const char *metric, double *out,
                             char *why);

/* The value of an EXPECT_VALUE expression: 0 and *out, or -1 (why says). */
int expect_compute(const expectation *e, metric_lookup lookup, void *ctx, double *out, char *detail, size_t cap, char *why);
/* Evaluates e: 1 met, 0 not met, -1 could not evaluate (why says). detail gets the values used. */
int expect_eval(const expectation *e, metric_lookup lookup, void *ctx, char *detail, size_t cap, char *why);

/* ---- the metrics an expectation can name ------------------------------------------- */

/* What one headless run of an experiment shows (deepstep check fills it, src/cli/check.c). */
typedef struct run_result {
    bool ran;
    int status;            /* 0 trained, 3 diverged, 1 could not run (error says why) */
    char error[600];
    double train_loss, train_acc, val_loss, val_acc;
    double test_loss, test_acc; /* the held-out test split's (NaN without one) */
    double seed;           /* the seed it ran with (check --seeds varies it) */
    long steps;
    int epochs;
    bool diverged;
    long nan_step;         /* step at which training diverged; 0 when it did not */
    int best_epoch;        /* early stopping's restored epoch, 0 without */
    double ensemble_acc;   /* averaged-prediction validation accuracy (ensemble > 1), else NaN */
    double ensemble_test_acc; /* the same on the test split (NaN without one) */
    double lost_updates;   /* updates lost to rounding per step, all layers, over the last epoch */
    int n_layers;
    layer_stats *final;    /* (n_layers) statistics of the last step */
    double *mean_lost, *mean_underflow; /* (n_layers) over the whole run */
    float *step_loss;      /* every step's batch loss */
    long n_steps;
    double seconds;
} run_result;

/* First step (1-based) whose batch loss is below target; -1 when never. */
long steps_to_target(const run_result *r, double target);

/* A run metric (train_loss), a layer's (layer0.grad_norm) or a racer's (adam.distance). */
typedef enum metric_scope { METRIC_RUN, METRIC_LAYER, METRIC_RACER } metric_scope;

/* Where a metric is read from; only the members its scope needs are set. */
typedef struct metric_src {
    const run_result *run; /* METRIC_RUN, METRIC_LAYER */
    int layer;             /* METRIC_LAYER: 0 .. run->n_layers - 1 */
    double target_loss;    /* steps_to_target: its compare block's target_loss */
    const race *race;      /* METRIC_RACER */
    const racer *racer;
} metric_src;

/* The one table of metric names: the parser accepts exactly these, deepstep check reads
 * them through get, and the "expected one of" lists are made from it. */
typedef struct metric_def {
    const char *name;
    metric_scope scope;
    bool needs_target; /* get needs src->target_loss (not NaN) */
    double (*get)(const metric_src *src);
} metric_def;

/* The entry for name in scope, or NULL. */
const metric_def *expect_metric(const char *name, metric_scope scope);
/* Is name a layer metric (of_layer) or a metric of a run or a racer (!of_layer)? */
bool expect_known_metric(const char *name, bool of_layer);
/* Those names, comma-separated, in the table's order. */
const char *expect_metric_names(bool of_layer);

#endif
