/* expect.h - what an experiment claims to show, checked by `deepstep check`.
 *
 *   expect = val_acc > 0.95
 *   expect = layer0.grad_norm < 1e-4 * layer9.grad_norm
 *   expect = layer0.health == vanishing
 *   expect = batchnorm.val_acc > plain.val_acc + 0.3      (another experiment, by name)
 *   expect = nan                                          (training must diverge)
 *
 * Grammar: expr = sum [cmp sum], cmp one of < <= > >= == !=; sum = term {(+|-) term};
 * term = unary {(*|/) unary}; unary = [-] atom; atom = number | metric | ( expr ).
 * A metric is [experiment.]name or [experiment.]layerN.name (N may be "last"); health words
 * (ok, vanishing, exploding, saturated, dead) stand for their states. See README for names. */
#ifndef DS_EXPECT_H
#define DS_EXPECT_H

#include <stdbool.h>

#include "../common/err.h"

#define EXPECT_MAX_NODES 48

typedef enum expr_kind { EX_NUM, EX_METRIC, EX_NEG, EX_BIN, EX_CMP, EX_NAN } expr_kind;

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
    expr_node *nodes; /* (n_nodes), owned: expect_free */
    int n_nodes, root;
} expectation;

/* Parse text (from file:line) into e; a message names what is wrong. On failure e owns
 * nothing; on success release it with expect_free. */
int expect_parse(expectation *e, const char *text, const char *file, int line, ds_error *err);
void expect_free(expectation *e);

/* Looks a metric up: returns 0 and *out, or -1 with a reason in why (cap 200). */
typedef int (*metric_lookup)(void *ctx, const char *experiment, int layer, const char *metric, double *out,
                             char *why);

/* Evaluates e: 1 met, 0 not met, -1 could not evaluate (why says). detail gets the values used. */
int expect_eval(const expectation *e, metric_lookup lookup, void *ctx, char *detail, size_t cap, char *why);

/* Is name a run metric or a layer metric this language knows? */
bool expect_known_metric(const char *name, bool layer);
const char *expect_metric_names(bool layer);

#endif
