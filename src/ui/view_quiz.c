/* view_quiz.c - a question over the lesson screen (quiz.h): asking (the question, the number
 * typed or the choices), then the reveal (the guess, the engine's value, right or wrong, the
 * explanation and the score). It only reads the app. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "quiz.h"
#include "view.h"
#include "wrap.h"

/* Rows text takes wrapped at w. */
static int rows_of(const char *text, int w)
{
    int pos = 0, n = 0, len = (int)strlen(text);
    wrap_line ln;
    while (wrap_next(text, len, &pos, w, &ln))
        n++;
    return n;
}

/* The lines of the box's body, in order; each drawn wrapped with its role. */
typedef struct body_line {
    char text[1100];
    role ro;
} body_line;

#define BODY_MAX 16

static int add(body_line *b, int n, role ro, const char *text)
{
    if (n < BODY_MAX) {
        snprintf(b[n].text, sizeof b[n].text, "%s", text);
        b[n].ro = ro;
        n++;
    }
    return n;
}

static int asking(const quiz *q, const lesson_ask *ask, body_line *b, int n)
{
    char line[600];
    if (ask->n_choices) {
        for (int k = 0; k < ask->n_choices; k++) {
            snprintf(line, sizeof line, "%s %c) %s", k == q->choice ? ">" : " ", 'a' + k, ask->choices[k]);
            n = add(b, n, k == q->choice ? ROLE_SELECTED : ROLE_NORMAL, line);
        }
    } else {
        char tol[64];
        ask_tolerance_text(ask, tol, sizeof tol);
        snprintf(line, sizeof line, "Your answer: %s_", q->input);
        n = add(b, n, ROLE_SELECTED, line);
        snprintf(line, sizeof line, "A number; right when %s of the engine's value.", tol);
        n = add(b, n, ROLE_DIM, line);
    }
    if (q->error[0])
        n = add(b, n, ROLE_WARN, q->error);
    return n;
}

static int revealed(const app *a, const quiz *q, const lesson_ask *ask, body_line *b, int n)
{
    char line[700];
    const char *yes = a->ascii ? "[right]" : "\xE2\x9C\x94 right", *no = a->ascii ? "[wrong]" : "\xE2\x9C\x98 wrong";
    if (ask->n_choices) {
        snprintf(line, sizeof line, "Your choice: %c) %s", 'a' + q->choice, ask->choices[q->choice]);
        n = add(b, n, ROLE_NORMAL, line);
        snprintf(line, sizeof line, "%s   The answer: %c) %s", q->right ? yes : no, 'a' + ask->correct,
                 ask->choices[ask->correct]);
        n = add(b, n, q->right ? ROLE_GOOD : ROLE_BAD, line);
        if (q->detail[0]) {
            snprintf(line, sizeof line, "The engine: %s", q->detail);
            n = add(b, n, ROLE_NORMAL, line);
        }
    } else if (q->error[0]) {
        snprintf(line, sizeof line, "Your guess: %g", q->guess);
        n = add(b, n, ROLE_NORMAL, line);
        n = add(b, n, ROLE_WARN, q->error);
    } else {
        char tol[64];
        ask_tolerance_text(ask, tol, sizeof tol);
        /* 4 digits: a float's 0.0999999 reads as another number than the 0.1 it is */
        snprintf(line, sizeof line, "Your guess: %g    The engine: %.4g", q->guess, q->value);
        n = add(b, n, ROLE_STRONG, line);
        snprintf(line, sizeof line, "%s: %s%s   from %s", q->right ? yes : no, q->right ? "" : "not ", tol, q->detail);
        n = add(b, n, q->right ? ROLE_GOOD : ROLE_BAD, line);
    }
    if (ask->explain[0]) {
        n = add(b, n, ROLE_NORMAL, "");
        n = add(b, n, ROLE_NORMAL, ask->explain);
    }
    int right, answered, skipped;
    quiz_score(q, &right, &answered, &skipped);
    snprintf(line, sizeof line, "Score in this lesson: %d right of %d answered", right, answered);
    if (skipped)
        snprintf(line + strlen(line), sizeof line - strlen(line), ", %d skipped", skipped);
    n = add(b, n, ROLE_NORMAL, "");
    n = add(b, n, ROLE_DIM, line);
    return n;
}

void draw_quiz(const app *a, frame *f)
{
    const quiz *q = a->les->quiz;
    const lesson_ask *ask = &a->les->lesson.asks[q->open];
    static body_line body[BODY_MAX]; /* 17 KB: off the stack; the UI has one thread */
    int n = 0;
    char line[400];
    if (q->revealed)
        snprintf(line, sizeof line, "The run is at '%s'.", ask->when.text);
    else if (q->due == ASK_DUE_NEXT)
        snprintf(line, sizeof line, "The run stopped just before the step that shows it ('%s').", ask->when.text);
    else
        snprintf(line, sizeof line, "The run stopped at '%s'.", ask->when.text);
    n = add(body, n, ROLE_DIM, line);
    n = add(body, n, ROLE_STRONG, ask->question);
    n = add(body, n, ROLE_NORMAL, "");
    n = q->revealed ? revealed(a, q, ask, body, n) : asking(q, ask, body, n);
    /* as wide as reads well, as high as the text, centred; the bars stay in view */
    int w = f->w - 4 < 78 ? f->w - 4 : 78, tw = w - 4, h = 2;
    for (int i = 0; i < n; i++)
        h += body[i].text[0] ? rows_of(body[i].text, tw) : 1;
    if (h > f->h - 2)
        h = f->h - 2; /* the title and status bars stay */
    /* low on the screen, over the status bar's row above: the network and the top of the
     * lesson text stay in view for the question that refers to them */
    rect b = {(f->w - w) / 2, f->h - 1 - h, w, h};
    snprintf(line, sizeof line, "Question %d of %d", q->open + 1, q->n);
    char keys[96];
    if (q->revealed)
        snprintf(keys, sizeof keys, "any key: go on");
    else if (ask->n_choices)
        snprintf(keys, sizeof keys, "%s or a-%c: choose  Enter: answer  Esc: skip",
                 a->ascii ? "up/down" : "\xE2\x86\x91\xE2\x86\x93", 'a' + ask->n_choices - 1);
    else
        snprintf(keys, sizeof keys, "Enter: answer  Esc: skip");
    draw_box(f, b, line, keys, a->ascii);
    int y = b.y + 1, last = b.y + b.h - 1;
    for (int i = 0; i < n && y < last; i++) {
        if (!body[i].text[0]) {
            y++;
            continue;
        }
        y += wrap_put(f, b.x + 2, y, tw, last - y, 0, body[i].ro, body[i].text);
    }
}
