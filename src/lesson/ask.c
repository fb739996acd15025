/* ask.c - ```deepstep ask blocks (ask.h): parsing, where they stop a run, and judging a guess. */
#include "ask.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "kv.h"
#include "live_metrics.h"

/* The words of `when`: the one table of the phases an ask can stop at. */
static const struct {
    const char *word;
    trainer_phase phase;
    bool layered; /* one micro-step per layer */
} when_phases[] = {
    {"load", PHASE_LOAD_BATCH, false}, {"forward", PHASE_FORWARD, true}, {"loss", PHASE_LOSS, false},
    {"backward", PHASE_BACKWARD, true}, {"clip", PHASE_CLIP, false},     {"update", PHASE_UPDATE, true},
};
#define N_WHEN_PHASES (sizeof when_phases / sizeof when_phases[0])

static const char *const when_usage =
    "expected 'before PHASE [LAYER] [at step N]', 'after PHASE [LAYER] [at step N]', 'step N' or 'epoch N end' "
    "(PHASE: load, forward, loss, backward, clip, update)";

static int when_fail(const char *file, int line, ds_error *err, const char *text, const char *what)
{
    return err_set(err, file, line, "when: %s in '%s'", what, text);
}

static int when_phase(const char *word)
{
    for (size_t i = 0; i < N_WHEN_PHASES; i++)
        if (strcmp(when_phases[i].word, word) == 0)
            return (int)i;
    return -1;
}

int ask_parse_when(ask_when *w, const char *text, const char *file, int line, ds_error *err)
{
    memset(w, 0, sizeof *w);
    w->layer = -1;
    snprintf(w->text, sizeof w->text, "%s", text);
    if (strlen(text) >= sizeof w->text)
        return when_fail(file, line, err, text, "too long");
    char buf[sizeof w->text], *tok[KV_MAX_TOKENS];
    snprintf(buf, sizeof buf, "%s", text);
    int n = kv_tokenize(buf, tok);
    long v;
    if (n < 1)
        return when_fail(file, line, err, text, when_usage);
    if (strcmp(tok[0], "step") == 0) {
        if (n != 2 || kv_long(tok[1], 1, 1000000000L, &v) != 0)
            return when_fail(file, line, err, text, "write 'step N' with N from 1 (after the N-th update)");
        w->pos = ASK_STEP, w->step = v;
        return 0;
    }
    if (strcmp(tok[0], "epoch") == 0) {
        if (n != 3 || strcmp(tok[2], "end") != 0 || kv_long(tok[1], 1, 1000000, &v) != 0)
            return when_fail(file, line, err, text, "write 'epoch N end' with N from 1");
        w->pos = ASK_EPOCH_END, w->epoch = (int)v;
        return 0;
    }
    if (strcmp(tok[0], "before") != 0 && strcmp(tok[0], "after") != 0)
        return when_fail(file, line, err, text, when_usage);
    w->pos = tok[0][0] == 'b' ? ASK_BEFORE : ASK_AFTER;
    int p = n >= 2 ? when_phase(tok[1]) : -1;
    if (p < 0)
        return when_fail(file, line, err, text, when_usage);
    w->phase = when_phases[p].phase;
    int k = 2;
    if (k < n && strcmp(tok[k], "at") != 0) { /* a layer */
        if (!when_phases[p].layered) {
            char msg[80];
            snprintf(msg, sizeof msg, "%s has no layer (one micro-step for the whole net)", when_phases[p].word);
            return when_fail(file, line, err, text, msg);
        }
        const char *lw = strncmp(tok[k], "layer", 5) == 0 && tok[k][5] ? tok[k] + 5 : tok[k];
        if (strcmp(lw, "last") == 0)
            w->layer = -2;
        else if (kv_long(lw, 0, NET_MAX_LAYERS - 1, &v) == 0)
            w->layer = (int)v;
        else
            return when_fail(file, line, err, text, "a layer is a number from 0 or 'last'");
        k++;
    }
    if (k < n) {
        if (strcmp(tok[k], "at") != 0 || k + 3 != n || strcmp(tok[k + 1], "step") != 0 ||
            kv_long(tok[k + 2], 0, 1000000000L, &v) != 0)
            return when_fail(file, line, err, text, "expected 'at step N' (N updates done, from 0) after the phase");
        w->step = v;
    }
    return 0;
}

/* The layer of the micro-step w names: given, or the phase's first (before) or last (after). */
int ask_layer(const ask_when *w, const trainer *t)
{
    int L = t->net.n_layers;
    if (w->pos != ASK_BEFORE && w->pos != ASK_AFTER)
        return -1;
    if (w->phase != PHASE_FORWARD && w->phase != PHASE_BACKWARD && w->phase != PHASE_UPDATE)
        return -1;
    if (w->layer == -2)
        return L - 1;
    if (w->layer >= 0)
        return w->layer;
    bool first = w->pos == ASK_BEFORE;
    if (w->phase == PHASE_BACKWARD) /* backward runs from the last layer down */
        return first ? L - 1 : 0;
    return first ? 0 : L - 1;
}

int ask_due(const ask_when *w, const trainer *t)
{
    const trainer_state *s = &t->state;
    if (s->div.happened)
        return 0;
    switch (w->pos) {
    case ASK_STEP:
        return s->next_phase == PHASE_END_BATCH && s->step == w->step ? ASK_DUE_NEXT : 0;
    case ASK_EPOCH_END:
        return s->next_phase == PHASE_END_EPOCH && s->epoch + 1 == w->epoch ? ASK_DUE_NEXT : 0;
    default: {
        int li = ask_layer(w, t);
        if (s->next_phase != w->phase || s->step != w->step || (li >= 0 && s->next_layer != li))
            return 0;
        return w->pos == ASK_BEFORE ? ASK_DUE_NOW : ASK_DUE_NEXT;
    }
    }
}

/* The layer w's micro-step is at on a net of L layers (-1: a phase without layers). */
static int layer_on(const ask_when *w, int L)
{
    trainer t; /* ask_layer reads only the layer count */
    memset(&t, 0, sizeof t);
    t.net.n_layers = L;
    return ask_layer(w, &t);
}

bool ask_same_position(const ask_when *a, const ask_when *b, int n_layers)
{
    if (a->pos != b->pos)
        return false;
    switch (a->pos) {
    case ASK_STEP: return a->step == b->step;
    case ASK_EPOCH_END: return a->epoch == b->epoch;
    default:
        return a->phase == b->phase && a->step == b->step && layer_on(a, n_layers) == layer_on(b, n_layers);
    }
}

bool ask_guess_right(const lesson_ask *a, double guess, double value)
{
    if (!isfinite(guess) || !isfinite(value))
        return false;
    switch (a->tol_kind) {
    case TOL_ABSOLUTE: return fabs(guess - value) <= a->tol;
    case TOL_FACTOR:
        if (value == 0 || guess == 0)
            return value == guess;
        return (guess > 0) == (value > 0) && fmax(guess / value, value / guess) <= a->tol;
    default: return fabs(guess - value) <= a->tol * fabs(value);
    }
}

void ask_tolerance_text(const lesson_ask *a, char *buf, size_t cap)
{
    switch (a->tol_kind) {
    case TOL_ABSOLUTE: snprintf(buf, cap, "within %g", a->tol); break;
    case TOL_FACTOR: snprintf(buf, cap, "within a factor of %g", a->tol); break;
    default: snprintf(buf, cap, "within %g %%", a->tol * 100); break;
    }
}

int ask_value(const lesson_ask *a, const trainer *t, double *out, char *detail, size_t cap, char *why)
{
    if (!a->has_answer) {
        snprintf(why, 200, "a multiple-choice question has no value");
        return -1;
    }
    if (expect_compute(&a->answer, live_lookup, (void *)t, out, detail, cap, why) != 0)
        return -1;
    if (!isfinite(*out)) {
        snprintf(why, 200, "the answer is %g here (%.150s)", *out, detail);
        return -1;
    }
    return 0;
}

int ask_checks(const lesson_ask *a, const trainer *t, char *why, size_t cap)
{
    why[0] = '\0';
    for (int k = 0; k < a->n_checks; k++) {
        char detail[600], w[256];
        int ok = expect_eval(&a->checks[k], live_lookup, (void *)t, detail, sizeof detail, w);
        if (ok < 0) {
            snprintf(why, cap, "check '%s': %s", a->checks[k].text, w);
            return -1;
        }
        if (ok == 0) {
            snprintf(why, cap, "check '%s' does not hold: %s", a->checks[k].text, detail);
            return 0;
        }
        /* the values that held, for the reveal to show: each metric once */
        char *item = detail, *next;
        for (; item && *item; item = next) {
            next = strstr(item, ", ");
            if (next)
                *next = '\0', next += 2;
            bool seen = false;
            size_t il = strlen(item);
            for (const char *p = strstr(why, item); p && !seen; p = strstr(p + 1, item))
                seen = (p == why || p[-1] == ' ') && (p[il] == '\0' || p[il] == ',');
            size_t n = strlen(why);
            if (!seen)
                snprintf(why + n, cap - n, "%s%s", n ? ", " : "", item);
        }
    }
    return 1;
}

/* ---- the block's lines ---------------------------------------------------------------- */

static int set_text(char *dst, size_t cap, const char *key, const char *val, bool *seen, const char *file, int line,
                    ds_error *err)
{
    if (*seen)
        return err_set(err, file, line, "%s: given twice in one ask block", key);
    if (!val[0])
        return err_set(err, file, line, "%s: empty", key);
    if (strlen(val) >= cap)
        return err_set(err, file, line, "%s: longer than %zu characters", key, cap - 1);
    snprintf(dst, cap, "%s", val);
    *seen = true;
    return 0;
}

static int parse_tolerance(lesson_ask *a, const char *val, const char *file, int line, ds_error *err)
{
    char buf[64];
    size_t n = strlen(val);
    if (n == 0 || n >= sizeof buf)
        return err_set(err, file, line, "tolerance: expected '10%%', an absolute amount like 0.05, or 'x2'");
    snprintf(buf, sizeof buf, "%s", val);
    double v;
    if (buf[n - 1] == '%') {
        buf[n - 1] = '\0';
        while (n > 1 && buf[n - 2] == ' ')
            buf[--n - 1] = '\0';
        if (kv_double(buf, &v) != 0 || !(v > 0) || v > 1000)
            return err_set(err, file, line, "tolerance: '%s' is not a percentage from 0 to 1000", val);
        a->tol_kind = TOL_RELATIVE, a->tol = v / 100;
    } else if (buf[0] == 'x') {
        if (kv_double(buf + 1, &v) != 0 || !(v > 1) || v > 1e6)
            return err_set(err, file, line, "tolerance: '%s' is not a factor above 1 (write x2 for within a factor of 2)", val);
        a->tol_kind = TOL_FACTOR, a->tol = v;
    } else {
        if (kv_double(buf, &v) != 0 || !(v > 0))
            return err_set(err, file, line, "tolerance: '%s' is not a positive number, a percentage or xF", val);
        a->tol_kind = TOL_ABSOLUTE, a->tol = v;
    }
    return 0;
}

static int parse_choices(lesson_ask *a, const char *val, const char *file, int line, ds_error *err)
{
    if (a->n_choices)
        return err_set(err, file, line, "choice: given twice in one ask block (list them as a | b | c)");
    const char *p = val;
    for (;;) {
        const char *bar = strchr(p, '|'), *end = bar ? bar : p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        const char *e = end;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e == p)
            return err_set(err, file, line, "choice: an empty choice in '%s'", val);
        if (a->n_choices == ASK_MAX_CHOICES)
            return err_set(err, file, line, "choice: at most %d choices", ASK_MAX_CHOICES);
        if ((size_t)(e - p) >= sizeof a->choices[0])
            return err_set(err, file, line, "choice: a choice longer than %zu characters", sizeof a->choices[0] - 1);
        snprintf(a->choices[a->n_choices], sizeof a->choices[0], "%.*s", (int)(e - p), p);
        for (int k = 0; k < a->n_choices; k++)
            if (strcmp(a->choices[k], a->choices[a->n_choices]) == 0)
                return err_set(err, file, line, "choice: '%s' is listed twice", a->choices[k]);
        a->n_choices++;
        if (!bar)
            break;
        p = bar + 1;
    }
    if (a->n_choices < 2)
        return err_set(err, file, line, "choice: needs at least two choices separated by '|'");
    return 0;
}

typedef struct seen_keys {
    bool question, when, explain, tolerance, has_correct, experiment;
    int correct_line, tolerance_line;
    char correct[128];
} seen_keys;

static int ask_key(lesson_ask *a, seen_keys *sk, const char *key, const char *val, const char *file, int line,
                   ds_error *err)
{
    if (strcmp(key, "question") == 0)
        return set_text(a->question, sizeof a->question, key, val, &sk->question, file, line, err);
    if (strcmp(key, "explain") == 0)
        return set_text(a->explain, sizeof a->explain, key, val, &sk->explain, file, line, err);
    if (strcmp(key, "experiment") == 0)
        return set_text(a->experiment_name, sizeof a->experiment_name, key, val, &sk->experiment, file, line, err);
    if (strcmp(key, "correct") == 0) {
        sk->correct_line = line;
        return set_text(sk->correct, sizeof sk->correct, key, val, &sk->has_correct, file, line, err);
    }
    if (strcmp(key, "when") == 0) {
        if (sk->when)
            return err_set(err, file, line, "when: given twice in one ask block");
        sk->when = true;
        return ask_parse_when(&a->when, val, file, line, err);
    }
    if (strcmp(key, "tolerance") == 0) {
        if (sk->tolerance)
            return err_set(err, file, line, "tolerance: given twice in one ask block");
        sk->tolerance = true, sk->tolerance_line = line;
        return parse_tolerance(a, val, file, line, err);
    }
    if (strcmp(key, "answer") == 0) {
        if (a->has_answer)
            return err_set(err, file, line, "answer: given twice in one ask block");
        if (expect_parse_as(&a->answer, val, EXPECT_LIVE | EXPECT_VALUE, "answer", file, line, err) != 0)
            return -1;
        a->has_answer = true;
        return 0;
    }
    if (strcmp(key, "choice") == 0)
        return parse_choices(a, val, file, line, err);
    if (strcmp(key, "check") == 0) {
        if (a->n_checks == ASK_MAX_CHECKS)
            return err_set(err, file, line, "check: at most %d per ask block", ASK_MAX_CHECKS);
        if (expect_parse_as(&a->checks[a->n_checks], val, EXPECT_LIVE, "check", file, line, err) != 0)
            return -1;
        a->n_checks++;
        return 0;
    }
    return err_set(err, file, line,
                   "unknown key '%s' in an ask block (expected question, when, answer, tolerance, choice, correct, "
                   "check, explain, experiment)",
                   key);
}

/* What the keys must make together: a question, a position, and one way to answer. */
static int ask_whole(lesson_ask *a, const seen_keys *sk, const char *file, int fence_line, ds_error *err)
{
    if (!sk->question)
        return err_set(err, file, fence_line, "an ask block needs 'question = ...'");
    if (!sk->when)
        return err_set(err, file, fence_line, "an ask block needs 'when = ...' (e.g. after clip, step 12, epoch 3 end)");
    if (a->has_answer && a->n_choices)
        return err_set(err, file, fence_line, "an ask block has either 'answer = ...' or 'choice = ...', not both");
    if (!a->has_answer && !a->n_choices)
        return err_set(err, file, fence_line, "an ask block needs 'answer = EXPRESSION' or 'choice = a | b | c'");
    if (a->n_choices) {
        if (!sk->has_correct)
            return err_set(err, file, fence_line, "a choice question needs 'correct = ...', one of its choices");
        if (sk->tolerance)
            return err_set(err, file, sk->tolerance_line, "tolerance: only a number answer has one");
        a->correct = -1;
        for (int k = 0; k < a->n_choices; k++)
            if (strcmp(a->choices[k], sk->correct) == 0)
                a->correct = k;
        if (a->correct < 0)
            return err_set(err, file, sk->correct_line, "correct: '%s' is not one of the choices", sk->correct);
    } else if (sk->has_correct)
        return err_set(err, file, sk->correct_line, "correct: only a choice question has one (this one has answer =)");
    return 0;
}

void ask_free(lesson_ask *a)
{
    if (a->has_answer)
        expect_free(&a->answer);
    for (int k = 0; k < a->n_checks; k++)
        expect_free(&a->checks[k]);
    a->has_answer = false;
    a->n_checks = 0;
}

int ask_parse(lesson_ask *a, const char *text, size_t len, const char *file, int first_line, int fence_line,
              ds_error *err)
{
    memset(a, 0, sizeof *a);
    a->tol_kind = TOL_RELATIVE, a->tol = 0.1; /* 10 %: a guess of the right size, not of its digits */
    a->experiment = -1;
    a->line = fence_line;
    seen_keys sk = {0};
    int line = first_line;
    for (size_t pos = 0; pos < len; line++) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        char buf[EXPERIMENT_LINE_MAX + 1], *key, *val;
        if (end - pos > EXPERIMENT_LINE_MAX) {
            ask_free(a);
            return err_set(err, file, line, "line is longer than %d characters", EXPERIMENT_LINE_MAX);
        }
        memcpy(buf, text + pos, end - pos);
        buf[end - pos] = '\0';
        pos = end + 1;
        int kind = kv_split(buf, &key, &val);
        if (kind == 0)
            continue;
        if (kind < 0 || val[0] == '=' || ask_key(a, &sk, key, val, file, line, err) != 0) {
            if (kind < 0 || val[0] == '=')
                err_set(err, file, line, "expected 'key = value' in an ask block");
            ask_free(a);
            return -1;
        }
    }
    if (ask_whole(a, &sk, file, fence_line, err) != 0) {
        ask_free(a);
        return -1;
    }
    return 0;
}
