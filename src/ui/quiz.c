/* quiz.c - asking the lesson's questions where its run reaches them (quiz.h). */
#include "quiz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "editor.h"
#include "keys.h"

quiz *quiz_new(int n_asks)
{
    if (n_asks <= 0)
        return NULL;
    quiz *q = xcalloc(1, sizeof *q);
    q->asks = xcalloc((size_t)n_asks, sizeof *q->asks);
    q->n = n_asks;
    q->open = -1;
    for (int k = 0; k < n_asks; k++)
        q->asks[k].asked_at = -1;
    return q;
}

void quiz_free(quiz *q)
{
    if (!q)
        return;
    free(q->asks);
    free(q);
}

void quiz_score(const quiz *q, int *right, int *answered, int *skipped)
{
    *right = *answered = *skipped = 0;
    for (int k = 0; q && k < q->n; k++) {
        *right += q->asks[k].result == QR_RIGHT;
        *answered += q->asks[k].result == QR_RIGHT || q->asks[k].result == QR_WRONG;
        *skipped += q->asks[k].result == QR_SKIPPED;
    }
}

/* Is the run the lesson's experiment as written? An edited block (E), or another rate or
 * clipping ([ ] c), makes another run: the questions' explanations need not hold for it. */
static bool as_written(const lesson_screen *ls, int e, const session *s)
{
    if (ls->edits && editor_applied(ls->edits[e]))
        return false;
    const train_config *now = &s->t.cfg, *was = &s->origin_cfg;
    return now->opt.lr == was->opt.lr && now->clip == was->clip && now->clip_value == was->clip_value;
}

/* session.hold: before each micro-step of a lesson's run, is a question of its experiment
 * waiting here? Then it opens, a running run pauses, and the step is not taken. */
static bool hold(void *ctx, session *s)
{
    app *a = ctx;
    lesson_screen *ls = a->les;
    if (!ls || !ls->quiz || ls->quiz->open >= 0) /* open: the reveal's own step goes through */
        return false;
    quiz *q = ls->quiz;
    int e = (int)(s - ls->runs);
    if (e < 0 || e >= ls->lesson.n_experiments || !as_written(ls, e, s))
        return false;
    /* "before X" is answered where the run stands, "after ..." by taking the step: so at one
     * position every "before" question comes first, or the step would pass it by */
    for (int pass = ASK_DUE_NOW; pass <= ASK_DUE_NEXT; pass++)
        for (int k = 0; k < q->n; k++) {
            const lesson_ask *ask = &ls->lesson.asks[k];
            if (ask->experiment != e || q->asks[k].asked_at >= 0) /* on any page: the run is on screen, */
                continue;                                          /* and a question passed is lost */
            int due = ask_due(&ask->when, &s->t);
            if (due != pass)
                continue;
            q->open = k, q->due = due, q->revealed = false;
            q->input[0] = '\0', q->choice = 0, q->error[0] = '\0', q->detail[0] = '\0';
            s->running = false;
            return true;
        }
    return false;
}

void quiz_sync(app *a)
{
    lesson_screen *ls = a->les;
    if (!ls || !ls->quiz)
        return;
    for (int e = 0; e < ls->lesson.n_experiments; e++)
        if (ls->runs[e].active)
            ls->runs[e].hold = a->questions ? hold : NULL, ls->runs[e].hold_ctx = a;
    quiz *q = ls->quiz;
    for (int k = 0; k < q->n; k++) {
        const session *s = &ls->runs[ls->lesson.asks[k].experiment];
        if (!s->active)
            continue;
        long m = s->t.state.micro;
        bool div = s->t.state.div.happened;
        quiz_ask *st = &q->asks[k];
        bool back = m < st->seen || (st->seen_diverged && !div);
        if (back && st->asked_at >= m && k != q->open) /* stepped back to or before it */
            st->asked_at = -1;
        st->seen = m, st->seen_diverged = div;
    }
}

/* The guess is in: take the step that reaches the position ("after ..."), read the engine's
 * value there, mark the guess. */
static void reveal(app *a, quiz *q)
{
    const lesson_ask *ask = &a->les->lesson.asks[q->open];
    session *s = &a->les->runs[ask->experiment];
    q->asks[q->open].asked_at = s->t.state.micro;
    if (q->due == ASK_DUE_NEXT) {
        session_step(s, STEP_MICRO);
        app_after_step(a);
    }
    q->revealed = true;
    q->error[0] = '\0';
    if (ask->has_answer) {
        char why[256];
        if (ask_value(ask, &s->t, &q->value, q->detail, sizeof q->detail, why) != 0) {
            snprintf(q->error, sizeof q->error, "the engine has no value here: %s", why);
            q->right = false;
        } else
            q->right = ask_guess_right(ask, q->guess, q->value);
    } else {
        q->right = q->choice == ask->correct;
        if (ask->n_checks && ask_checks(ask, &s->t, q->detail, sizeof q->detail) != 1)
            q->detail[0] = '\0'; /* deepstep check makes sure they hold; shown only when they do */
    }
    q->asks[q->open].result = q->right ? QR_RIGHT : QR_WRONG;
}

static void close_quiz(quiz *q) { q->open = -1; }

static int key_choice(app *a, quiz *q, const lesson_ask *ask, int key)
{
    if (key == K_UP || key == 'k')
        q->choice = (q->choice + ask->n_choices - 1) % ask->n_choices;
    else if (key == K_DOWN || key == 'j')
        q->choice = (q->choice + 1) % ask->n_choices;
    else if (key >= 'a' && key < 'a' + ask->n_choices)
        q->choice = key - 'a'; /* picks; Enter answers, so a slip of the finger costs nothing */
    else if (key == K_ENTER || key == ' ')
        reveal(a, q);
    return KEY_DONE;
}

static int key_number(app *a, quiz *q, int key)
{
    size_t n = strlen(q->input);
    if (key == K_ENTER) {
        char *end;
        q->guess = strtod(q->input, &end);
        if (n == 0 || *end || !isfinite(q->guess))
            snprintf(q->error, sizeof q->error, "%s: type a number such as 0.5, -2 or 1e-3 (Esc skips)",
                     n ? "not a number" : "nothing typed");
        else
            reveal(a, q);
    } else if (key == K_BACKSPACE) {
        if (n > 0)
            q->input[n - 1] = '\0';
    } else if (key == K_CTRL_U)
        q->input[0] = '\0';
    else if (key > 0 && key < 0x80 && strchr("0123456789.,-eE", key) && n + 1 < sizeof q->input) {
        /* no '+': the run's faster key, pressed as the question opened, would start a guess;
         * a comma is a decimal point ("0,7" read as 7 would be marked wrong for nothing) */
        q->input[n] = key == ',' ? '.' : (char)key, q->input[n + 1] = '\0';
        q->error[0] = '\0';
    }
    return KEY_DONE;
}

int quiz_on_key(app *a, int key)
{
    quiz *q = a->les->quiz;
    const lesson_ask *ask = &a->les->lesson.asks[q->open];
    if (key == 'q') {
        close_quiz(q);
        return key_quit(a, key);
    }
    if (key == 'S')
        return key_save_screen(a, key);
    /* look around while it waits: the help, and Tab to bring a panel into view (a page turn
     * would show another run under its question) */
    if (key == '?' || key == K_TAB || key == K_BTAB)
        return keys_dispatch(&keys_lesson, a, key);
    if (q->revealed) { /* any other key goes on with the lesson */
        close_quiz(q);
        return KEY_DONE;
    }
    if (key == K_ESC) { /* skipped: not asked again here, asked again after a step back */
        q->asks[q->open].asked_at = a->les->runs[ask->experiment].t.state.micro;
        if (q->asks[q->open].result == QR_NONE) /* skipped after a step back: the answer stands */
            q->asks[q->open].result = QR_SKIPPED;
        close_quiz(q);
        snprintf(a->message, sizeof a->message, "question skipped; step on to see the answer in the panels");
        return KEY_DONE;
    }
    return ask->n_choices ? key_choice(a, q, ask, key) : key_number(a, q, key);
}
