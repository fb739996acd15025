#include "expect.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "live_metrics.h"

static double m_train_loss(const metric_src *s) { return s->run->train_loss; }
static double m_train_acc(const metric_src *s) { return s->run->train_acc; }
static double m_val_loss(const metric_src *s) { return s->run->val_loss; }
static double m_val_acc(const metric_src *s) { return s->run->val_acc; }
static double m_test_loss(const metric_src *s) { return s->run->test_loss; }
static double m_test_acc(const metric_src *s) { return s->run->test_acc; }
static double m_ensemble_test_acc(const metric_src *s) { return s->run->ensemble_test_acc; }
static double m_seed(const metric_src *s) { return s->run->seed; }
static double m_steps(const metric_src *s) { return (double)s->run->steps; }
static double m_epochs(const metric_src *s) { return s->run->epochs; }
static double m_diverged(const metric_src *s) { return s->run->diverged; }
static double m_nan_step(const metric_src *s) { return (double)s->run->nan_step; }
static double m_best_epoch(const metric_src *s) { return s->run->best_epoch; }
static double m_ensemble_acc(const metric_src *s) { return s->run->ensemble_acc; }
static double m_lost_updates(const metric_src *s) { return s->run->lost_updates; }

static double m_steps_to_target(const metric_src *s)
{
    long k = steps_to_target(s->run, s->target_loss);
    return k < 0 ? INFINITY : (double)k;
}

static double m_distance(const metric_src *s)
{
    return surface_distance(s->race->surface, s->racer->w[0], s->racer->w[1]);
}

static double m_final_f(const metric_src *s)
{
    return surface_f(s->race->surface, s->racer->w[0], s->racer->w[1], NULL, NULL);
}

#define LAYER_STAT(s) (&(s)->run->final[(s)->layer])
static double l_grad_norm(const metric_src *s) { return LAYER_STAT(s)->grad_norm; }
static double l_weight_norm(const metric_src *s) { return LAYER_STAT(s)->weight_norm; }
static double l_update_ratio(const metric_src *s) { return LAYER_STAT(s)->update_ratio; }
static double l_act_min(const metric_src *s) { return LAYER_STAT(s)->act_min; }
static double l_act_max(const metric_src *s) { return LAYER_STAT(s)->act_max; }
static double l_act_mean(const metric_src *s) { return LAYER_STAT(s)->act_mean; }
static double l_act_std(const metric_src *s) { return LAYER_STAT(s)->act_std; }
static double l_dz_std(const metric_src *s) { return LAYER_STAT(s)->dz_std; }
static double l_frac_saturated(const metric_src *s) { return LAYER_STAT(s)->frac_saturated; }
static double l_frac_dead(const metric_src *s) { return LAYER_STAT(s)->frac_dead; }
static double l_lost_updates(const metric_src *s) { return (double)LAYER_STAT(s)->lost_updates; }
static double l_frac_underflow(const metric_src *s) { return LAYER_STAT(s)->frac_underflow; }
static double l_mean_lost(const metric_src *s) { return s->run->mean_lost[s->layer]; }
static double l_mean_underflow(const metric_src *s) { return s->run->mean_underflow[s->layer]; }
static double l_health(const metric_src *s) { return (double)LAYER_STAT(s)->health; }
#undef LAYER_STAT

/* In the order the "expected one of" lists give them. */
static const metric_def metrics[] = {
    {"train_loss", METRIC_RUN, false, m_train_loss},
    {"train_acc", METRIC_RUN, false, m_train_acc},
    {"val_loss", METRIC_RUN, false, m_val_loss},
    {"val_acc", METRIC_RUN, false, m_val_acc},
    {"test_loss", METRIC_RUN, false, m_test_loss},
    {"test_acc", METRIC_RUN, false, m_test_acc},
    {"steps", METRIC_RUN, false, m_steps},
    {"seed", METRIC_RUN, false, m_seed},
    {"epochs", METRIC_RUN, false, m_epochs},
    {"diverged", METRIC_RUN, false, m_diverged},
    {"nan_step", METRIC_RUN, false, m_nan_step},
    {"best_epoch", METRIC_RUN, false, m_best_epoch},
    {"ensemble_acc", METRIC_RUN, false, m_ensemble_acc},
    {"ensemble_test_acc", METRIC_RUN, false, m_ensemble_test_acc},
    {"steps_to_target", METRIC_RUN, true, m_steps_to_target},
    {"lost_updates", METRIC_RUN, false, m_lost_updates},
    {"distance", METRIC_RACER, false, m_distance},
    {"final_f", METRIC_RACER, false, m_final_f},
    {"grad_norm", METRIC_LAYER, false, l_grad_norm},
    {"weight_norm", METRIC_LAYER, false, l_weight_norm},
    {"update_ratio", METRIC_LAYER, false, l_update_ratio},
    {"act_min", METRIC_LAYER, false, l_act_min},
    {"act_max", METRIC_LAYER, false, l_act_max},
    {"act_mean", METRIC_LAYER, false, l_act_mean},
    {"act_std", METRIC_LAYER, false, l_act_std},
    {"frac_saturated", METRIC_LAYER, false, l_frac_saturated},
    {"frac_dead", METRIC_LAYER, false, l_frac_dead},
    {"lost_updates", METRIC_LAYER, false, l_lost_updates},
    {"frac_underflow", METRIC_LAYER, false, l_frac_underflow},
    {"dz_std", METRIC_LAYER, false, l_dz_std},
    {"mean_lost_updates", METRIC_LAYER, false, l_mean_lost},
    {"mean_frac_underflow", METRIC_LAYER, false, l_mean_underflow},
    {"health", METRIC_LAYER, false, l_health},
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])


long steps_to_target(const run_result *r, double target)
{
    for (long k = 0; k < r->n_steps; k++)
        if (r->step_loss[k] < target)
            return k + 1;
    return -1;
}

/* A layer metric's scope is METRIC_LAYER; an unqualified one is a run's or a racer's (the
 * parser cannot tell an experiment's name from a racer's label). */
static bool in_scope(const metric_def *m, bool of_layer)
{
    return of_layer ? m->scope == METRIC_LAYER : m->scope != METRIC_LAYER;
}

const metric_def *expect_metric(const char *name, metric_scope scope)
{
    for (size_t i = 0; i < N_METRICS; i++)
        if (metrics[i].scope == scope && strcmp(metrics[i].name, name) == 0)
            return &metrics[i];
    return NULL;
}

bool expect_known_metric(const char *name, bool of_layer)
{
    for (size_t i = 0; i < N_METRICS; i++)
        if (in_scope(&metrics[i], of_layer) && strcmp(metrics[i].name, name) == 0)
            return true;
    return false;
}

const char *expect_metric_names(bool of_layer)
{
    static char lists[2][512]; /* made once from the table; it never changes */
    char *buf = lists[of_layer];
    if (buf[0])
        return buf;
    size_t len = 0;
    for (size_t i = 0; i < N_METRICS; i++)
        if (in_scope(&metrics[i], of_layer) && len < sizeof lists[0])
            len += (size_t)snprintf(buf + len, sizeof lists[0] - len, "%s%s", len ? ", " : "", metrics[i].name);
    return buf;
}

typedef struct parser {
    expectation *e;
    expr_node *nodes; /* (EXPECT_MAX_NODES) scratch; e->nodes gets a copy of the used part */
    int n_nodes;
    const char *p;
    const char *file;
    int line;
    ds_error *err;
    unsigned flags; /* EXPECT_LIVE, EXPECT_VALUE */
    const char *key; /* the line's key, for messages */
    bool failed;
} parser;

static int fail_at(parser *ps, const char *what)
{
    if (!ps->failed)
        err_set(ps->err, ps->file, ps->line, "%s: %s in '%s'", ps->key, what, ps->e->text);
    ps->failed = true;
    return -1;
}

static void skip_ws(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

static int node(parser *ps, expr_kind k)
{
    if (ps->n_nodes == EXPECT_MAX_NODES)
        return fail_at(ps, "expression too long");
    expr_node *n = &ps->nodes[ps->n_nodes];
    memset(n, 0, sizeof *n);
    n->kind = k;
    n->layer = -1;
    return ps->n_nodes++;
}

static int parse_sum(parser *ps);

/* layerN / layerlast: 0 and the layer (-2 for last) in *out; -1 when a is not one */
static int layer_part(const char *a, int *out)
{
    if (strncmp(a, "layer", 5) != 0)
        return -1;
    if (strcmp(a + 5, "last") == 0) {
        *out = -2;
        return 0;
    }
    char *end;
    long v = strtol(a + 5, &end, 10);
    if (!isdigit((unsigned char)a[5]) || *end || v > 1000)
        return -1;
    *out = (int)v;
    return 0;
}

/* A live metric (live_metrics.h): layerN.name, or a run's name whose dots are part of it
 * (clip.norm_after). No experiment: an ask reads the run it stops. */
static int parse_live_metric(parser *ps, char parts[3][64], int n_parts)
{
    int id = node(ps, EX_METRIC);
    if (id < 0)
        return -1;
    expr_node *m = &ps->nodes[id];
    char msg[600];
    if (n_parts >= 2 && layer_part(parts[0], &m->layer) == 0) {
        snprintf(m->metric, sizeof m->metric, "%s", parts[1]);
        if (n_parts != 2)
            return fail_at(ps, "too many dots in a metric name");
        if (!live_metric_find(m->metric, true)) {
            snprintf(msg, sizeof msg, "unknown layer metric '%s' (expected one of %s)", m->metric, live_metric_names(true));
            return fail_at(ps, msg);
        }
        return id;
    }
    if (strncmp(parts[0], "layer", 5) == 0 && n_parts >= 2)
        return fail_at(ps, "a layer is written layerN (N from 0) or layerlast");
    char name[200];
    snprintf(name, sizeof name, "%s%s%s%s%s", parts[0], n_parts > 1 ? "." : "", n_parts > 1 ? parts[1] : "",
             n_parts > 2 ? "." : "", n_parts > 2 ? parts[2] : "");
    if (!live_metric_find(name, false)) {
        snprintf(msg, sizeof msg, "unknown metric '%.60s' (expected one of %s; or layerN.grad_norm ...)", name,
                 live_metric_names(false));
        return fail_at(ps, msg);
    }
    snprintf(m->metric, sizeof m->metric, "%s", name);
    return id;
}

/* metric: [experiment.](name | layerN.name | layerlast.name), or a health word */
static int parse_metric(parser *ps)
{
    char parts[3][64];
    int n_parts = 0;
    for (;;) {
        int k = 0;
        while ((isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '-') && k < 63)
            parts[n_parts][k++] = *ps->p++;
        parts[n_parts][k] = '\0';
        if (k == 0)
            return fail_at(ps, "expected a name");
        n_parts++;
        if (*ps->p != '.' || n_parts == 3)
            break;
        ps->p++;
    }
    layer_health h;
    if (n_parts == 1 && health_parse(parts[0], &h) == 0) { /* a health word is its enum value */
        int id = node(ps, EX_NUM);
        if (id >= 0)
            ps->nodes[id].num = (double)h;
        return id;
    }
    if (ps->flags & EXPECT_LIVE)
        return parse_live_metric(ps, parts, n_parts);
    int id = node(ps, EX_METRIC);
    if (id < 0)
        return -1;
    expr_node *m = &ps->nodes[id];
    int at = 0;
    /* a leading part that is neither a metric nor layerN is an experiment name */
    bool first_is_layer = strncmp(parts[0], "layer", 5) == 0 && (isdigit((unsigned char)parts[0][5]) ||
                                                                strcmp(parts[0] + 5, "last") == 0);
    if (n_parts >= 2 && !first_is_layer && !expect_known_metric(parts[0], false)) {
        snprintf(m->experiment, sizeof m->experiment, "%s", parts[0]);
        at = 1;
    }
    const char *a = parts[at];
    if (strncmp(a, "layer", 5) == 0 && at + 1 < n_parts) {
        if (strcmp(a + 5, "last") == 0)
            m->layer = -2;
        else {
            char *end;
            long v = strtol(a + 5, &end, 10);
            if (a[5] == '\0' || *end || v < 0 || v > 1000)
                return fail_at(ps, "a layer is written layerN (N from 0) or layerlast");
            m->layer = (int)v;
        }
        snprintf(m->metric, sizeof m->metric, "%s", parts[at + 1]);
        if (!expect_known_metric(m->metric, true)) {
            char msg[400];
            snprintf(msg, sizeof msg, "unknown layer metric '%s' (expected one of %s)", m->metric,
                     expect_metric_names(true));
            return fail_at(ps, msg);
        }
        if (at + 2 != n_parts)
            return fail_at(ps, "too many dots in a metric name");
        return id;
    }
    if (at + 1 != n_parts) {
        char msg[160];
        snprintf(msg, sizeof msg, "'%s' is not a metric of one experiment (write experiment.metric or layerN.metric)",
                 parts[at]);
        return fail_at(ps, msg);
    }
    snprintf(m->metric, sizeof m->metric, "%s", a);
    if (!expect_known_metric(a, false)) {
        char msg[400];
        snprintf(msg, sizeof msg, "unknown metric '%s' (expected one of %s; or layerN.%s)", a, expect_metric_names(false),
                 "grad_norm ...");
        return fail_at(ps, msg);
    }
    return id;
}

static int parse_atom(parser *ps)
{
    skip_ws(ps);
    if (*ps->p == '(') {
        ps->p++;
        int id = parse_sum(ps);
        skip_ws(ps);
        if (*ps->p != ')')
            return fail_at(ps, "missing ')'");
        ps->p++;
        return id;
    }
    if (*ps->p == '-') {
        ps->p++;
        int child = parse_atom(ps);
        int id = node(ps, EX_NEG);
        if (id < 0 || child < 0)
            return -1;
        ps->nodes[id].left = child;
        return id;
    }
    if (isdigit((unsigned char)*ps->p) || *ps->p == '.') {
        char *end;
        double v = strtod(ps->p, &end);
        if (end == ps->p)
            return fail_at(ps, "bad number");
        ps->p = end;
        int id = node(ps, EX_NUM);
        if (id >= 0)
            ps->nodes[id].num = v;
        return id;
    }
    if (strncmp(ps->p, "abs", 3) == 0) { /* abs(expr): "within 15 %" claims read as written */
        const char *q = ps->p + 3;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '(') {
            ps->p = q;
            int child = parse_atom(ps);
            int id = node(ps, EX_ABS);
            if (id < 0 || child < 0)
                return -1;
            ps->nodes[id].left = child;
            return id;
        }
    }
    if (isalpha((unsigned char)*ps->p) || *ps->p == '_')
        return parse_metric(ps);
    return fail_at(ps, *ps->p ? "unexpected character" : "expression ends too early");
}

static int binary(parser *ps, const char *op, int left, int right)
{
    int id = node(ps, EX_BIN);
    if (id < 0 || left < 0 || right < 0)
        return -1;
    snprintf(ps->nodes[id].op, sizeof ps->nodes[id].op, "%s", op);
    ps->nodes[id].left = left;
    ps->nodes[id].right = right;
    return id;
}

static int parse_term(parser *ps)
{
    int left = parse_atom(ps);
    for (;;) {
        skip_ws(ps);
        char c = *ps->p;
        if (c != '*' && c != '/')
            return left;
        ps->p++;
        char op[2] = {c, 0};
        left = binary(ps, op, left, parse_atom(ps));
    }
}

static int parse_sum(parser *ps)
{
    int left = parse_term(ps);
    for (;;) {
        skip_ws(ps);
        char c = *ps->p;
        if (c != '+' && c != '-')
            return left;
        ps->p++;
        char op[2] = {c, 0};
        left = binary(ps, op, left, parse_term(ps));
    }
}

/* The comparison at the top, or 'nan'; nodes go to ps's scratch array. */
static int parse_claim(parser *ps)
{
    skip_ws(ps);
    if (strcmp(ps->p, "nan") == 0)
        return ps->flags & EXPECT_VALUE ? fail_at(ps, "an answer is a value; 'nan' is a claim (expect = nan)")
                                        : node(ps, EX_NAN);
    int left = parse_sum(ps);
    skip_ws(ps);
    if (ps->flags & EXPECT_VALUE) { /* a number to guess: no comparison */
        if (!ps->failed && *ps->p)
            return fail_at(ps, *ps->p == '<' || *ps->p == '>' || *ps->p == '=' || *ps->p == '!'
                                   ? "an answer is a value, not a comparison"
                                   : "unexpected text after the expression");
        return ps->failed ? -1 : left;
    }
    static const char *const cmps[] = {"<=", ">=", "==", "!=", "<", ">"};
    const char *op = NULL;
    for (int i = 0; i < 6 && !ps->failed; i++)
        if (strncmp(ps->p, cmps[i], strlen(cmps[i])) == 0) {
            op = cmps[i];
            ps->p += strlen(op);
            break;
        }
    if (ps->failed)
        return -1;
    if (!op)
        return fail_at(ps, "expected a comparison (<, <=, >, >=, ==, !=) or 'nan'");
    int right = parse_sum(ps);
    skip_ws(ps);
    if (!ps->failed && *ps->p)
        return fail_at(ps, "unexpected text after the expression");
    int id = binary(ps, op, left, right);
    if (ps->failed || id < 0)
        return -1;
    ps->nodes[id].kind = EX_CMP;
    return id;
}

int expect_parse(expectation *e, const char *text, const char *file, int line, ds_error *err)
{
    return expect_parse_as(e, text, 0, "expect", file, line, err);
}

int expect_parse_as(expectation *e, const char *text, unsigned flags, const char *key, const char *file, int line,
                    ds_error *err)
{
    memset(e, 0, sizeof *e);
    snprintf(e->text, sizeof e->text, "%s", text);
    e->line = line;
    expr_node scratch[EXPECT_MAX_NODES];
    parser ps = {.e = e, .nodes = scratch, .p = text, .file = file, .line = line, .err = err, .flags = flags, .key = key};
    int root = parse_claim(&ps);
    if (ps.failed || root < 0)
        return -1;
    e->nodes = xcalloc((size_t)ps.n_nodes, sizeof *e->nodes);
    memcpy(e->nodes, scratch, (size_t)ps.n_nodes * sizeof *e->nodes);
    e->n_nodes = ps.n_nodes;
    e->root = root;
    return 0;
}

int expect_key_kind(const char *key)
{
    return strcmp(key, "expect") == 0 ? 0 : strcmp(key, "expect@median") == 0 ? 1 : -1;
}

void expect_free(expectation *e)
{
    free(e->nodes);
    e->nodes = NULL;
    e->n_nodes = 0;
}

typedef struct eval_ctx {
    const expectation *e;
    metric_lookup lookup;
    void *ctx;
    char *detail;
    size_t cap;
    char *why;
    bool failed;
} eval_ctx;

static void metric_name(const expr_node *n, char *buf, size_t cap)
{
    char where[24] = "";
    if (n->layer == -2)
        snprintf(where, sizeof where, "layerlast.");
    else if (n->layer >= 0)
        snprintf(where, sizeof where, "layer%d.", n->layer);
    snprintf(buf, cap, "%s%s%s%s", n->experiment, n->experiment[0] ? "." : "", where, n->metric);
}

/* Is "name = value" already an item of the comma-separated list? */
static bool listed(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = strstr(list, item); p; p = strstr(p + 1, item))
        if ((p == list || (p >= list + 2 && p[-2] == ',' && p[-1] == ' ')) && (p[n] == '\0' || p[n] == ','))
            return true;
    return false;
}

static double eval(eval_ctx *c, int id)
{
    const expr_node *n = &c->e->nodes[id];
    switch (n->kind) {
    case EX_NUM: return n->num;
    case EX_NAN: /* a claim, only ever the root of an expectation (expect_eval reads it there) */
        snprintf(c->why, 200, "'nan' is not a value");
        c->failed = true;
        return NAN;
    case EX_NEG: return -eval(c, n->left);
    case EX_ABS: return fabs(eval(c, n->left));
    case EX_METRIC: {
        double v = NAN;
        if (c->lookup(c->ctx, n->experiment, n->layer, n->metric, &v, c->why) != 0) {
            c->failed = true;
            return NAN;
        }
        char name[160], one[220];
        metric_name(n, name, sizeof name);
        if (strcmp(n->metric, "health") == 0 && v >= 0 && v < HEALTH_COUNT)
            snprintf(one, sizeof one, "%s = %s", name, health_name((layer_health)(int)v));
        else
            snprintf(one, sizeof one, "%s = %.6g", name, v);
        if (!listed(c->detail, one)) { /* a metric used twice is shown once */
            if (c->detail[0])
                strncat(c->detail, ", ", c->cap - strlen(c->detail) - 1);
            strncat(c->detail, one, c->cap - strlen(c->detail) - 1);
        }
        return v;
    }
    case EX_BIN: {
        double a = eval(c, n->left), b = eval(c, n->right);
        switch (n->op[0]) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        default: return a / b;
        }
    }
    default: {
        double a = eval(c, n->left), b = eval(c, n->right);
        if (strcmp(n->op, "<") == 0) return a < b;
        if (strcmp(n->op, "<=") == 0) return a <= b;
        if (strcmp(n->op, ">") == 0) return a > b;
        if (strcmp(n->op, ">=") == 0) return a >= b;
        if (strcmp(n->op, "==") == 0) return a == b;
        return a != b;
    }
    }
}

int expect_compute(const expectation *e, metric_lookup lookup, void *ctx, double *out, char *detail, size_t cap, char *why)
{
    detail[0] = '\0';
    why[0] = '\0';
    eval_ctx c = {e, lookup, ctx, detail, cap, why, false};
    *out = eval(&c, e->root);
    return c.failed ? -1 : 0;
}

int expect_eval(const expectation *e, metric_lookup lookup, void *ctx, char *detail, size_t cap, char *why)
{
    detail[0] = '\0';
    why[0] = '\0';
    const expr_node *root = &e->nodes[e->root];
    if (root->kind == EX_NAN) {
        double d;
        if (lookup(ctx, "", -1, "diverged", &d, why) != 0)
            return -1;
        snprintf(detail, cap, "diverged = %s", d ? "yes" : "no");
        return d != 0;
    }
    eval_ctx c = {e, lookup, ctx, detail, cap, why, false};
    double r = eval(&c, e->root);
    if (c.failed)
        return -1;
    return r != 0;
}
