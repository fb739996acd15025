/* quiz.h - the lesson's ```deepstep ask blocks in the UI: when the run on screen reaches a
 * question's `when`, stepping stops there and the question opens over the screen; the learner
 * types a number or picks a choice (or skips with Esc); for an "after ..." question the
 * micro-step then runs, and the box reveals the engine's value next to the guess, marks it,
 * and shows the explanation. The lesson keeps a score; stepping back to before a question
 * asks it again. Model only: view_quiz.c draws it. */
#ifndef DS_QUIZ_H
#define DS_QUIZ_H

#include <stdbool.h>

#include "app.h"

typedef enum quiz_result { QR_NONE, QR_RIGHT, QR_WRONG, QR_SKIPPED } quiz_result;

typedef struct quiz_ask {
    quiz_result result; /* the latest answer's */
    long asked_at;      /* the run's micro-step position when it was asked; -1: waiting */
    long seen;          /* the run's position at the last quiz_sync (a smaller one: a step back) */
    bool seen_diverged; /* ... and whether it had diverged (a step back from a divergence keeps
                         * the position: the micro-step that diverged was not counted) */
} quiz_ask;

typedef struct quiz {
    quiz_ask *asks;     /* (n): one per ask block of the lesson */
    int n;
    int open;           /* the ask on screen, -1 none */
    int due;            /* its ask_due when it opened: ASK_DUE_NOW or ASK_DUE_NEXT */
    bool revealed;
    char input[32];     /* the number typed so far */
    int choice;         /* the choice selected */
    double guess, value;
    bool right;
    char detail[600];   /* what the value is made of ("clip.norm_after = 1") */
    char error[240];    /* why the input is refused, or why the engine has no value here */
} quiz;

/* NULL when the lesson has no ask blocks. */
quiz *quiz_new(int n_asks);
void quiz_free(quiz *q);
/* After every change of the model (app_sync): sessions get the hold that stops them at a
 * waiting question, and a run moved back to or before where a question was asked waits for
 * it again. */
void quiz_sync(app *a);
/* Keys while a question is open: it takes every one. */
int quiz_on_key(app *a, int key);
/* The score: questions answered right, answered (right or wrong), and skipped. */
void quiz_score(const quiz *q, int *right, int *answered, int *skipped);

#endif
