/* ask.h - ```deepstep ask blocks: a question the UI asks when the run reaches a position,
 * before the learner sees the answer, then reveals the engine's value:
 *
 *     ```deepstep ask
 *     question  = The gradient's norm is 7.3 and θ = 1. What is its norm after clipping?
 *     when      = after clip                  (a stepper position, below)
 *     answer    = clip.norm_after             (live_metrics.h names, expect.h arithmetic)
 *     tolerance = 10%                         (or 0.05 absolute, or x2: within a factor of 2)
 *     explain   = Clipping by norm rescales g to length θ exactly.
 *     ```
 *
 * or, instead of answer/tolerance, a multiple choice:
 *     choice  = grows like n | grows like √n | stays at 1
 *     correct = grows like √n
 *     check   = layer1.act_std > 3 * layer0.act_std      (repeats: claims checked at `when`)
 *
 * when: `before PHASE [LAYER] [at step N]`, `after PHASE [LAYER] [at step N]`, `step N`
 * (after the N-th update's batch ends) or `epoch N end`. PHASE is load, forward, loss,
 * backward, clip or update; LAYER a number or `last` (forward, backward and update only;
 * without one, "before" means the phase's first micro-step and "after" its last). `at step
 * N` is the batch that follows N updates (0, the first, when not given).
 *
 * experiment = NAME says whose run it asks about; without it, the nearest experiment above
 * the block on its page (else the first below it on the page). */
#ifndef DS_ASK_H
#define DS_ASK_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"
#include "../engine/trainer.h"
#include "expect.h"

#define ASK_MAX_CHOICES 6
#define ASK_MAX_CHECKS 4

typedef enum ask_pos { ASK_BEFORE, ASK_AFTER, ASK_STEP, ASK_EPOCH_END } ask_pos;

typedef struct ask_when {
    ask_pos pos;
    trainer_phase phase; /* ASK_BEFORE, ASK_AFTER */
    int layer;           /* -1 not given, -2 last */
    long step;           /* BEFORE/AFTER: the batch after this many updates; ASK_STEP: N */
    int epoch;           /* ASK_EPOCH_END: 1-based */
    char text[80];       /* as written */
} ask_when;

typedef enum ask_tol_kind { TOL_RELATIVE, TOL_ABSOLUTE, TOL_FACTOR } ask_tol_kind;

typedef struct lesson_ask {
    char question[512];
    char explain[1024];
    ask_when when;
    bool has_answer;
    expectation answer;   /* EXPECT_LIVE | EXPECT_VALUE, owned */
    ask_tol_kind tol_kind;
    double tol;           /* 0.1 for 10 %, the absolute amount, or the factor */
    char choices[ASK_MAX_CHOICES][128];
    int n_choices;
    int correct;          /* index into choices */
    expectation checks[ASK_MAX_CHECKS]; /* EXPECT_LIVE claims, owned */
    int n_checks;
    char experiment_name[64];
    int experiment;       /* resolved index into the lesson's experiments */
    int line, page;
} lesson_ask;

/* Parses the block's text (lines from first_line; fence_line for messages about the whole
 * block) into a; on failure a owns nothing and err says file:line: what. */
int ask_parse(lesson_ask *a, const char *text, size_t len, const char *file, int first_line, int fence_line,
              ds_error *err);
void ask_free(lesson_ask *a);
/* "before PHASE ...", "step N", ...: 0, or -1 with err at file:line. */
int ask_parse_when(ask_when *w, const char *text, const char *file, int line, ds_error *err);

/* Where the run stands against w, before its next micro-step:
 *   ASK_DUE_NOW   the run is at the position ("before ..."): ask, then reveal here;
 *   ASK_DUE_NEXT  the next micro-step reaches it ("after ...", step, epoch end): ask,
 *                 run that micro-step, then reveal;
 *   0             neither. */
enum { ASK_DUE_NOW = 1, ASK_DUE_NEXT = 2 };
int ask_due(const ask_when *w, const trainer *t);
/* The layer w names, resolved on t's net: -1 when w names none, else 0..n-1, or n_layers
 * (out of range) when it names one the net lacks. */
int ask_layer(const ask_when *w, const trainer *t);

/* Do a and b name one position of a run whose net has n_layers layers ("after forward" and
 * "after forward last" do)? Two questions there would be one too many: the first answered
 * takes the step past the second. */
bool ask_same_position(const ask_when *a, const ask_when *b, int n_layers);

/* Is guess right for the engine's value, within a's tolerance? */
bool ask_guess_right(const lesson_ask *a, double guess, double value);
/* The tolerance as a learner reads it: "within 10 %", "within 0.05", "within a factor of 2". */
void ask_tolerance_text(const lesson_ask *a, char *buf, size_t cap);

/* The answer's value on t (which must be at the ask's position): 0 and *out, or -1 with why
 * (cap 200). detail gets the metrics used. */
int ask_value(const lesson_ask *a, const trainer *t, double *out, char *detail, size_t cap, char *why);
/* Every check line on t: 1 all hold (why then lists the values they read), 0 one fails (why
 * names it), -1 one cannot be evaluated. */
int ask_checks(const lesson_ask *a, const trainer *t, char *why, size_t cap);

#endif
