/* blocks.c - ```deepstep compare and ```deepstep race blocks (see lesson.h for their keys),
 * and the checks that need the whole lesson. */
#include "blocks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "kv.h"

#define BLOCK_MAX_EXPECTS 8 /* the size of lesson_compare.expects and lesson_race.expects */

/* One line of a block as "key = value" in buf: 1 for a key, 0 for blank, -1 for a line with
 * no '=', LINE_TOO_LONG for one longer than EXPERIMENT_LINE_MAX (cutting it would read
 * another, shorter claim, as experiment blocks already refuse). */
#define LINE_TOO_LONG (-2)
static int next_line(const char *text, size_t len, size_t *pos, char buf[EXPERIMENT_LINE_MAX + 1], char **key,
                     char **val)
{
    size_t end = *pos, n;
    while (end < len && text[end] != '\n')
        end++;
    n = end - *pos;
    if (n > EXPERIMENT_LINE_MAX)
        return LINE_TOO_LONG;
    memcpy(buf, text + *pos, n);
    buf[n] = '\0';
    *pos = end + 1;
    return kv_split(buf, key, val);
}

static int too_long(const char *file, int line, ds_error *err)
{
    return err_set(err, file, line, "line is longer than %d characters", EXPERIMENT_LINE_MAX);
}

static void free_expects(expectation *e, int n)
{
    for (int k = 0; k < n; k++)
        expect_free(&e[k]);
}

static int add_expect(expectation *list, int *n, const char *key, const char *val, const char *what,
                      const char *file, int line, ds_error *err)
{
    if (*n == BLOCK_MAX_EXPECTS)
        return err_set(err, file, line, "expect: at most %d per %s block", BLOCK_MAX_EXPECTS, what);
    if (expect_parse(&list[*n], val, file, line, err) != 0)
        return -1;
    list[*n].median = expect_key_kind(key) == 1;
    (*n)++;
    return 0;
}

static int compare_key(lesson_compare *c, char *key, char *val, const char *file, int line, ds_error *err)
{
    if (strcmp(key, "experiments") == 0) {
        char *save = NULL;
        for (char *t = strtok_r(val, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            if (c->n == COMPARE_MAX)
                return err_set(err, file, line, "experiments: at most %d to compare", COMPARE_MAX);
            snprintf(c->names[c->n++], sizeof c->names[0], "%s", t);
        }
    } else if (strcmp(key, "target_loss") == 0) {
        char *e2;
        c->target_loss = strtod(val, &e2);
        if (!*val || *e2 || !(c->target_loss > 0))
            return err_set(err, file, line, "target_loss: '%s' is not a positive number", val);
    } else if (expect_key_kind(key) >= 0) {
        return add_expect(c->expects, &c->n_expects, key, val, "compare", file, line, err);
    } else
        return err_set(err, file, line,
                       "unknown key '%s' in a compare block (expected experiments, target_loss, expect, expect@median)",
                       key);
    return 0;
}

static int parse_compare(lesson_compare *c, const char *text, size_t len, int line, const char *file, ds_error *err)
{
    for (size_t pos = 0; pos < len; line++) {
        char buf[EXPERIMENT_LINE_MAX + 1], *key, *val;
        int kind = next_line(text, len, &pos, buf, &key, &val);
        if (kind == LINE_TOO_LONG)
            return too_long(file, line, err);
        if (kind < 0 || (kind > 0 && val[0] == '='))
            return err_set(err, file, line, "expected 'key = value' in a compare block");
        if (kind > 0 && compare_key(c, key, val, file, line, err) != 0)
            return -1;
    }
    if (c->n < 2)
        return err_set(err, file, c->line, "a compare block needs 'experiments = A B ...' naming at least two");
    return 0;
}

int blocks_parse_compare(lesson *l, const char *text, size_t len, int first_line, int fence_line, ds_error *err)
{
    lesson_compare c;
    memset(&c, 0, sizeof c);
    c.target_loss = NAN;
    c.line = fence_line;
    c.page = l->n_pages - 1;
    if (parse_compare(&c, text, len, first_line, l->path, err) != 0) {
        free_expects(c.expects, c.n_expects);
        return -1;
    }
    l->compares = xrealloc(l->compares, (size_t)l->n_compares + 1, sizeof *l->compares); /* at most LESSON_MAX_BLOCKS */
    l->compares[l->n_compares++] = c;
    return 0;
}

/* racer = OPTIMIZER ...: named after the optimizer, numbered from the second of a kind */
static int add_racer(lesson_race *r, const char *val, const char *file, int line, ds_error *err)
{
    if (r->n == RACE_MAX_RACERS)
        return err_set(err, file, line, "racer: at most %d in a race", RACE_MAX_RACERS);
    opt_config o;
    if (experiment_parse_optimizer(val, &o, file, line, err) != 0)
        return -1;
    const char *base = o.kind == OPT_MOMENTUM && o.nesterov ? "nesterov" : optim_name(o.kind);
    int same = 0;
    for (int k = 0; k < r->n; k++)
        same += strncmp(r->labels[k], base, strlen(base)) == 0;
    if (same)
        snprintf(r->labels[r->n], sizeof r->labels[0], "%s%d", base, same + 1);
    else
        snprintf(r->labels[r->n], sizeof r->labels[0], "%s", base);
    r->opts[r->n++] = o;
    return 0;
}

static int race_key(lesson_race *r, const char *key, char *val, bool *have_start, const char *file, int line,
                    ds_error *err)
{
    if (strcmp(key, "surface") == 0) {
        if (surface_parse(val, &r->surface) != 0)
            return err_set(err, file, line, "surface: '%s' is not one of quadratic, rosenbrock, saddle", val);
    } else if (strcmp(key, "start") == 0) {
        char *e1, *e2;
        r->start[0] = strtod(val, &e1);
        r->start[1] = strtod(e1, &e2);
        if (e1 == val || e2 == e1 || *e2 || !isfinite(r->start[0]) || !isfinite(r->start[1]))
            return err_set(err, file, line, "start: needs two numbers, x y");
        *have_start = true;
    } else if (strcmp(key, "steps") == 0) {
        long v;
        if (kv_long(val, 1, RACE_MAX_STEPS, &v) != 0)
            return err_set(err, file, line, "steps: '%s' is not a whole number from 1 to %d", val, RACE_MAX_STEPS);
        r->steps = (int)v;
    } else if (strcmp(key, "racer") == 0) {
        return add_racer(r, val, file, line, err);
    } else if (strcmp(key, "expect") == 0) { /* a race has no seed: every claim holds on its one run */
        return add_expect(r->expects, &r->n_expects, key, val, "race", file, line, err);
    } else
        return err_set(err, file, line,
                       "unknown key '%s' in a race block (expected surface, start, steps, racer, expect)", key);
    return 0;
}

static int parse_race(lesson_race *r, const char *text, size_t len, int line, const char *file, ds_error *err)
{
    bool have_start = false;
    for (size_t pos = 0; pos < len; line++) {
        char buf[EXPERIMENT_LINE_MAX + 1], *key, *val;
        int kind = next_line(text, len, &pos, buf, &key, &val);
        if (kind == LINE_TOO_LONG)
            return too_long(file, line, err);
        if (kind < 0)
            return err_set(err, file, line, "expected 'key = value' in a race block");
        if (kind > 0 && race_key(r, key, val, &have_start, file, line, err) != 0)
            return -1;
    }
    if (r->n < 1)
        return err_set(err, file, r->line, "a race block needs at least one 'racer = OPTIMIZER lr=F' line");
    if (!have_start) { /* a start that makes each surface interesting */
        static const double starts[SURF_COUNT][2] = {{-4.5, 1.5}, {-1.5, 2.0}, {0.5, 0.001}};
        r->start[0] = starts[r->surface][0], r->start[1] = starts[r->surface][1];
    }
    return 0;
}

int blocks_parse_race(lesson *l, const char *text, size_t len, int first_line, int fence_line, ds_error *err)
{
    lesson_race r;
    memset(&r, 0, sizeof r);
    r.surface = SURF_QUADRATIC;
    r.steps = 200;
    r.line = fence_line;
    r.page = l->n_pages - 1;
    if (parse_race(&r, text, len, first_line, l->path, err) != 0) {
        free_expects(r.expects, r.n_expects);
        return -1;
    }
    l->races = xrealloc(l->races, (size_t)l->n_races + 1, sizeof *l->races); /* at most LESSON_MAX_BLOCKS */
    l->races[l->n_races++] = r;
    return 0;
}

/* Every experiment an expectation names must exist; a compare block's expectations must say
 * which experiment each metric is from. */
static int check_expectation(const lesson *l, const expectation *e, bool in_compare, ds_error *err)
{
    for (int k = 0; k < e->n_nodes; k++) {
        const expr_node *n = &e->nodes[k];
        if (n->kind != EX_METRIC)
            continue;
        if (!n->experiment[0] && in_compare)
            return err_set(err, l->path, e->line,
                           "expect: in a compare block write experiment.%s (which experiment's %s?)", n->metric,
                           n->metric);
        if (n->experiment[0] && lesson_experiment_index(l, n->experiment) < 0)
            return err_set(err, l->path, e->line, "expect: no experiment named '%s' in this lesson", n->experiment);
    }
    return 0;
}

static int check_compare(const lesson *l, lesson_compare *cmp, ds_error *err)
{
    for (int k = 0; k < cmp->n; k++) {
        cmp->index[k] = lesson_experiment_index(l, cmp->names[k]);
        if (cmp->index[k] < 0)
            return err_set(err, l->path, cmp->line, "compare: no experiment named '%s' in this lesson", cmp->names[k]);
    }
    for (int k = 0; k < cmp->n_expects; k++)
        if (check_expectation(l, &cmp->expects[k], true, err) != 0)
            return -1;
    return 0;
}

/* A race's expectations name its racers. */
static int check_race(const lesson *l, const lesson_race *r, ds_error *err)
{
    for (int k = 0; k < r->n_expects; k++) {
        const expectation *e = &r->expects[k];
        for (int q = 0; q < e->n_nodes; q++) {
            const expr_node *n = &e->nodes[q];
            if (n->kind != EX_METRIC)
                continue;
            bool found = false;
            for (int j = 0; j < r->n; j++)
                found |= strcmp(r->labels[j], n->experiment) == 0;
            if (!found || n->layer != -1 || (strcmp(n->metric, "distance") != 0 && strcmp(n->metric, "final_f") != 0))
                return err_set(err, l->path, e->line,
                               "expect: in a race block write RACER.distance or RACER.final_f (racers here: %s%s%s)",
                               r->labels[0], r->n > 1 ? ", " : "", r->n > 1 ? r->labels[1] : "");
        }
    }
    return 0;
}

int blocks_parse_ask(lesson *l, const char *text, size_t len, int first_line, int fence_line, ds_error *err)
{
    lesson_ask a;
    if (ask_parse(&a, text, len, l->path, first_line, fence_line, err) != 0)
        return -1;
    a.page = l->n_pages - 1;
    l->asks = xrealloc(l->asks, (size_t)l->n_asks + 1, sizeof *l->asks); /* at most LESSON_MAX_BLOCKS */
    l->asks[l->n_asks++] = a;
    return 0;
}

/* The experiment an ask is about: named, or the nearest above it on its page, or the first
 * below it on its page (a question before the experiment it asks about reads naturally). */
static int resolve_ask(const lesson *l, lesson_ask *a, ds_error *err)
{
    if (a->experiment_name[0]) {
        a->experiment = lesson_experiment_index(l, a->experiment_name);
        if (a->experiment < 0)
            return err_set(err, l->path, a->line, "experiment: no experiment named '%s' in this lesson",
                           a->experiment_name);
        return 0;
    }
    a->experiment = -1;
    for (int i = 0; i < l->n_experiments; i++) {
        if (l->experiment_page[i] != a->page)
            continue;
        if (l->experiments[i].line < a->line)
            a->experiment = i; /* the nearest above so far */
        else if (a->experiment < 0) {
            a->experiment = i;
            break;
        }
    }
    if (a->experiment < 0)
        return err_set(err, l->path, a->line,
                       "this ask block's page has no experiment; add one, or name it with 'experiment = NAME'");
    return 0;
}

int blocks_check_references(lesson *l, ds_error *err)
{
    for (int k = 0; k < l->n_asks; k++) {
        lesson_ask *a = &l->asks[k];
        if (resolve_ask(l, a, err) != 0)
            return -1;
        for (int j = 0; j < k; j++) /* the first answered would step past the other */
            if (l->asks[j].experiment == a->experiment &&
                ask_same_position(&l->asks[j].when, &a->when, l->experiments[a->experiment].train.n_layers))
                return err_set(err, l->path, a->line,
                               "when: '%s' is where the question at line %d is asked too; one question per "
                               "position of a run",
                               a->when.text, l->asks[j].line);
    }
    for (int i = 0; i < l->n_experiments; i++)
        for (int k = 0; k < l->experiments[i].n_expects; k++)
            if (check_expectation(l, &l->experiments[i].expects[k], false, err) != 0)
                return -1;
    for (int c = 0; c < l->n_compares; c++)
        if (check_compare(l, &l->compares[c], err) != 0)
            return -1;
    for (int r = 0; r < l->n_races; r++)
        if (check_race(l, &l->races[r], err) != 0)
            return -1;
    return 0;
}

void blocks_free(lesson *l)
{
    for (int c = 0; c < l->n_compares; c++)
        free_expects(l->compares[c].expects, l->compares[c].n_expects);
    for (int r = 0; r < l->n_races; r++)
        free_expects(l->races[r].expects, l->races[r].n_expects);
    for (int k = 0; k < l->n_asks; k++)
        ask_free(&l->asks[k]);
    free(l->compares);
    free(l->races);
    free(l->asks);
}
