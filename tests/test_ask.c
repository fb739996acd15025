/* ```deepstep ask blocks: every parse error with its line and message, where `when` stops a
 * run (checked against the stepper's own events), the live values an answer reads (checked
 * against the trainer's buffers), and judging a guess. */
#include "test_common.h"
#include "lesson/lesson.h"
#include "lesson/experiment_data.h"
#include "lesson/live_metrics.h"

/* An experiment on lines 4-9, an ask block whose fence is line 10 and lines start at 11. */
#define HEAD                                                                                                         \
    "# T\n\n## P\n"                                                                                                  \
    "```deepstep\ndata = xor\nlayer = dense 4 tanh\nlayer = dense 1 sigmoid\nclip = norm 1\n```\n"                    \
    "```deepstep ask\n"
#define GOOD_Q "question = q?\nwhen = after clip\n"

static void parse_fails(const char *text, char *got, size_t cap)
{
    lesson l;
    ds_error err = {0};
    if (lesson_parse(&l, "L.md", text, strlen(text), &err) == 0) {
        lesson_free(&l);
        print_error("the lesson parsed; expected an error:\n%s\n", text);
        fail();
    }
    err_format(&err, got, cap);
}

/* The ask block's body, after HEAD, must fail with want. */
#define ASK_FAILS(body, want)                                                                                        \
    do {                                                                                                             \
        char got_[1400];                                                                                             \
        parse_fails(HEAD body "```\n", got_, sizeof got_);                                                           \
        assert_string_equal(got_, (want));                                                                           \
    } while (0)

static void test_block_errors(void **s)
{
    (void)s;
    ASK_FAILS(GOOD_Q "foo = 1\n", "L.md:13: unknown key 'foo' in an ask block (expected question, when, answer, "
                                  "tolerance, choice, correct, check, explain, experiment)");
    ASK_FAILS("question q\n", "L.md:11: expected 'key = value' in an ask block");
    ASK_FAILS("when = after clip\nanswer = loss\n", "L.md:10: an ask block needs 'question = ...'");
    ASK_FAILS("question = q\nanswer = loss\n",
              "L.md:10: an ask block needs 'when = ...' (e.g. after clip, step 12, epoch 3 end)");
    ASK_FAILS(GOOD_Q, "L.md:10: an ask block needs 'answer = EXPRESSION' or 'choice = a | b | c'");
    ASK_FAILS(GOOD_Q "answer = loss\nchoice = a | b\ncorrect = a\n",
              "L.md:10: an ask block has either 'answer = ...' or 'choice = ...', not both");
    ASK_FAILS(GOOD_Q "choice = a | b\n", "L.md:10: a choice question needs 'correct = ...', one of its choices");
    ASK_FAILS(GOOD_Q "choice = a | b\ncorrect = c\n", "L.md:14: correct: 'c' is not one of the choices");
    ASK_FAILS(GOOD_Q "answer = loss\ncorrect = c\n",
              "L.md:14: correct: only a choice question has one (this one has answer =)");
    ASK_FAILS(GOOD_Q "choice = a | b\ncorrect = a\ntolerance = 5%\n",
              "L.md:15: tolerance: only a number answer has one");
    ASK_FAILS("question = q\nquestion = r\n", "L.md:12: question: given twice in one ask block");
    ASK_FAILS(GOOD_Q "when = step 2\n", "L.md:13: when: given twice in one ask block");
    ASK_FAILS(GOOD_Q "answer = loss\nanswer = lr\n", "L.md:14: answer: given twice in one ask block");
    ASK_FAILS("question =\n", "L.md:11: question: empty");
    ASK_FAILS(GOOD_Q "answer = loss\nexperiment = nope\n", "L.md:10: experiment: no experiment named 'nope' in this lesson");
    char longq[700] = "question = ";
    memset(longq + 11, 'q', 600);
    strcat(longq, "\n");
    char text[2000];
    snprintf(text, sizeof text, HEAD "%s```\n", longq);
    char got[1400];
    parse_fails(text, got, sizeof got);
    assert_string_equal(got, "L.md:11: question: longer than 511 characters");
    char longline[1100] = "explain = ";
    memset(longline + 10, 'e', 1020);
    strcat(longline, "\n");
    char text2[2400];
    snprintf(text2, sizeof text2, HEAD "%s```\n", longline);
    parse_fails(text2, got, sizeof got);
    assert_string_equal(got, "L.md:11: line is longer than 1023 characters");
    /* two questions of one run at one position: "after forward" is "after forward last" */
    parse_fails(HEAD "question = q\nwhen = after forward 1\nanswer = loss\n```\n"
                     "```deepstep ask\nquestion = r\nwhen = after forward\nanswer = lr\n```\n",
                got, sizeof got);
    assert_string_equal(got, "L.md:15: when: 'after forward' is where the question at line 10 is asked too; one "
                             "question per position of a run");
    /* a page with no experiment, and none named */
    parse_fails("# T\n\n## P\n```deepstep ask\nquestion = q\nwhen = step 1\nanswer = loss\n```\n", got, sizeof got);
    assert_string_equal(got, "L.md:4: this ask block's page has no experiment; add one, or name it with 'experiment = NAME'");
}

static void test_choice_and_tolerance_errors(void **s)
{
    (void)s;
    ASK_FAILS(GOOD_Q "choice = a\ncorrect = a\n", "L.md:13: choice: needs at least two choices separated by '|'");
    ASK_FAILS(GOOD_Q "choice = a | | b\ncorrect = a\n", "L.md:13: choice: an empty choice in 'a | | b'");
    ASK_FAILS(GOOD_Q "choice = a | b | a\ncorrect = a\n", "L.md:13: choice: 'a' is listed twice");
    ASK_FAILS(GOOD_Q "choice = a|b|c|d|e|f|g\ncorrect = a\n", "L.md:13: choice: at most 6 choices");
    ASK_FAILS(GOOD_Q "choice = a | b\nchoice = c | d\n",
              "L.md:14: choice: given twice in one ask block (list them as a | b | c)");
    ASK_FAILS(GOOD_Q "answer = loss\ntolerance = abc\n",
              "L.md:14: tolerance: 'abc' is not a positive number, a percentage or xF");
    ASK_FAILS(GOOD_Q "answer = loss\ntolerance = -5%\n", "L.md:14: tolerance: '-5%' is not a percentage from 0 to 1000");
    ASK_FAILS(GOOD_Q "answer = loss\ntolerance = x0.5\n",
              "L.md:14: tolerance: 'x0.5' is not a factor above 1 (write x2 for within a factor of 2)");
    ASK_FAILS(GOOD_Q "answer = loss\ntolerance = 0\n",
              "L.md:14: tolerance: '0' is not a positive number, a percentage or xF");
    ASK_FAILS(GOOD_Q "answer = loss\ntolerance = 1%\ntolerance = 2%\n", "L.md:15: tolerance: given twice in one ask block");
    ASK_FAILS(GOOD_Q "answer = loss\ntolerance =\n",
              "L.md:14: tolerance: expected '10%', an absolute amount like 0.05, or 'x2'");
    char body[400] = GOOD_Q "choice = a | ", want[120];
    memset(body + strlen(body), 'c', 130);
    strcat(body, "\ncorrect = a\n```\n");
    char text[800];
    snprintf(text, sizeof text, HEAD "%s", body);
    char got[1400];
    parse_fails(text, got, sizeof got);
    snprintf(want, sizeof want, "L.md:13: choice: a choice longer than 127 characters");
    assert_string_equal(got, want);
}

static void test_when_errors(void **s)
{
    (void)s;
    const char *usage = "expected 'before PHASE [LAYER] [at step N]', 'after PHASE [LAYER] [at step N]', 'step N' or "
                        "'epoch N end' (PHASE: load, forward, loss, backward, clip, update)";
    char want[600];
    snprintf(want, sizeof want, "L.md:12: when: %s in 'soon'", usage);
    ASK_FAILS("question = q\nwhen = soon\nanswer = loss\n", want);
    snprintf(want, sizeof want, "L.md:12: when: %s in 'after lunch'", usage);
    ASK_FAILS("question = q\nwhen = after lunch\nanswer = loss\n", want);
    ASK_FAILS("question = q\nwhen = step 0\nanswer = loss\n",
              "L.md:12: when: write 'step N' with N from 1 (after the N-th update) in 'step 0'");
    ASK_FAILS("question = q\nwhen = epoch 2\nanswer = loss\n", "L.md:12: when: write 'epoch N end' with N from 1 in 'epoch 2'");
    ASK_FAILS("question = q\nwhen = after clip 0\nanswer = loss\n",
              "L.md:12: when: clip has no layer (one micro-step for the whole net) in 'after clip 0'");
    ASK_FAILS("question = q\nwhen = after update x\nanswer = loss\n",
              "L.md:12: when: a layer is a number from 0 or 'last' in 'after update x'");
    ASK_FAILS("question = q\nwhen = after update 0 at step 1 and then some more words to pass eighty characters in all\n"
              "answer = loss\n",
              "L.md:12: when: too long in 'after update 0 at step 1 and then some more words to pass eighty characters in all'");
    ASK_FAILS("question = q\nwhen = after update 0 at step\nanswer = loss\n",
              "L.md:12: when: expected 'at step N' (N updates done, from 0) after the phase in 'after update 0 at step'");
}

static void test_expression_errors(void **s)
{
    (void)s;
    char want[1000];
    snprintf(want, sizeof want, "L.md:13: answer: unknown metric 'plain.val_acc' (expected one of %s; or layerN.grad_norm ...) in 'plain.val_acc'",
             live_metric_names(false));
    ASK_FAILS(GOOD_Q "answer = plain.val_acc\n", want);
    snprintf(want, sizeof want, "L.md:13: answer: unknown layer metric 'mean_lost_updates' (expected one of %s) in 'layer0.mean_lost_updates'",
             live_metric_names(true));
    ASK_FAILS(GOOD_Q "answer = layer0.mean_lost_updates\n", want);
    ASK_FAILS(GOOD_Q "answer = loss < 1\n", "L.md:13: answer: an answer is a value, not a comparison in 'loss < 1'");
    ASK_FAILS(GOOD_Q "answer = nan\n", "L.md:13: answer: an answer is a value; 'nan' is a claim (expect = nan) in 'nan'");
    ASK_FAILS(GOOD_Q "choice = a | b\ncorrect = a\ncheck = loss\n",
              "L.md:15: check: expected a comparison (<, <=, >, >=, ==, !=) or 'nan' in 'loss'");
    ASK_FAILS(GOOD_Q "choice = a | b\ncorrect = a\ncheck = loss > 0\ncheck = loss > 0\ncheck = loss > 0\ncheck = loss > "
                     "0\ncheck = loss > 0\n",
              "L.md:19: check: at most 4 per ask block");
}

/* A parsed lesson with asks on two pages: the nearest experiment above, the first below, or
 * the one named. */
static void test_parse_and_resolve(void **s)
{
    (void)s;
    const char *text = "# T\n\n## One\n"
                       "```deepstep ask\nquestion = Before its experiment?\nwhen = before forward 1 at step 2\n"
                       "answer = layer0.act_std * 2\ntolerance = 0.5\n```\n"                              /* 4-9 */
                       "```deepstep\nname = a\ndata = xor\nlayer = dense 1 sigmoid\n```\n"               /* 10-14 */
                       "## Two\n"                                                                          /* 15 */
                       "```deepstep\nname = b\ndata = xor\nlayer = dense 3 tanh\nlayer = dense 1 sigmoid\n```\n" /* 16-21 */
                       "```deepstep ask\nquestion = Which?\nwhen = epoch 2 end\nchoice = up | down | flat\n"
                       "correct = down\ncheck = val_loss < 10\nexplain = Because.\n```\n"                /* 22-29 */
                       "```deepstep ask\nquestion = x\nwhen = after update last at step 3\nanswer = lr\ntolerance = x3\n"
                       "experiment = a\n```\n";
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "L.md", text, strlen(text), &err), 0);
    assert_int_equal(l.n_asks, 3);
    const lesson_ask *a = &l.asks[0];
    assert_int_equal(a->line, 4);
    assert_int_equal(a->page, 1);
    assert_int_equal(a->experiment, 0); /* the first below on its page */
    assert_int_equal(a->when.pos, ASK_BEFORE);
    assert_int_equal(a->when.phase, PHASE_FORWARD);
    assert_int_equal(a->when.layer, 1);
    assert_int_equal(a->when.step, 2);
    assert_int_equal(a->tol_kind, TOL_ABSOLUTE);
    assert_true(a->has_answer);
    const lesson_ask *b = &l.asks[1];
    assert_int_equal(b->experiment, 1); /* the nearest above */
    assert_int_equal(b->when.pos, ASK_EPOCH_END);
    assert_int_equal(b->when.epoch, 2);
    assert_int_equal(b->n_choices, 3);
    assert_string_equal(b->choices[2], "flat");
    assert_int_equal(b->correct, 1);
    assert_int_equal(b->n_checks, 1);
    assert_string_equal(b->explain, "Because.");
    const lesson_ask *c = &l.asks[2];
    assert_int_equal(c->experiment, 0); /* named */
    assert_int_equal(c->when.layer, -2);
    assert_int_equal(c->when.step, 3);
    assert_int_equal(c->tol_kind, TOL_FACTOR);
    assert_close(c->tol, 3, 0);
    lesson_free(&l);
}

static void test_guess_judging(void **s)
{
    (void)s;
    lesson_ask a = {.tol_kind = TOL_RELATIVE, .tol = 0.1};
    assert_true(ask_guess_right(&a, 1.09, 1.0));
    assert_false(ask_guess_right(&a, 1.11, 1.0));
    assert_true(ask_guess_right(&a, -0.95, -1.0));
    assert_false(ask_guess_right(&a, NAN, 1.0));
    a.tol_kind = TOL_ABSOLUTE, a.tol = 0.05;
    assert_true(ask_guess_right(&a, 0.04, 0.0));
    assert_false(ask_guess_right(&a, 0.06, 0.0));
    a.tol_kind = TOL_FACTOR, a.tol = 2;
    assert_true(ask_guess_right(&a, 10, 19.9));
    assert_false(ask_guess_right(&a, 10, 20.1));
    assert_false(ask_guess_right(&a, -10, 10)); /* the sign is part of the size */
    char buf[64];
    ask_tolerance_text(&a, buf, sizeof buf);
    assert_string_equal(buf, "within a factor of 2");
    a.tol_kind = TOL_RELATIVE, a.tol = 0.1;
    ask_tolerance_text(&a, buf, sizeof buf);
    assert_string_equal(buf, "within 10 %");
}

/* XOR 2-4-3-1 with clipping by norm at 0.1 (so the first steps clip), batch 2: two batches
 * an epoch. */
static const char *run_lesson = "# T\n\n## P\n```deepstep\ndata = xor\nbatch = 2\nlayer = dense 4 tanh\n"
                                "layer = dense 3 tanh\nlayer = dense 1 sigmoid\nclip = norm 0.1\n"
                                "optimizer = adam lr=0.05\nepochs = 5\n```\n";

typedef struct rig {
    lesson l;
    experiment_data d;
    trainer t;
} rig;

static void rig_up(rig *r)
{
    ds_error err = {0};
    assert_int_equal(lesson_parse(&r->l, "L.md", run_lesson, strlen(run_lesson), &err), 0);
    assert_int_equal(experiment_data_load(&r->l.experiments[0], &r->d, &err), 0);
    assert_int_equal(experiment_trainer_create(&r->t, &r->l.experiments[0], &r->d, 0, 0, 0, &err), 0);
}

static void rig_down(rig *r)
{
    trainer_destroy(&r->t);
    experiment_data_free(&r->d);
    lesson_free(&r->l);
}

/* Steps to the end; the ask must be due exactly once; returns the event of the micro-step
 * that reached it (for NEXT) or the last event before it (for NOW), with *kind. */
static trainer_event walk_to(const char *when, int *kind, trainer_state *at)
{
    rig r;
    rig_up(&r);
    ask_when w;
    ds_error err = {0};
    assert_int_equal(ask_parse_when(&w, when, "L.md", 1, &err), 0);
    int hits = 0;
    trainer_event last = {0}, found = {0};
    while (!trainer_done(&r.t)) {
        int due = ask_due(&w, &r.t);
        if (due) {
            hits++;
            *kind = due;
            *at = r.t.state;
        }
        last = trainer_step(&r.t, STEP_MICRO);
        if (due == ASK_DUE_NEXT)
            found = last;
    }
    assert_int_equal(hits, 1);
    rig_down(&r);
    return found;
}

static void test_when_positions(void **s)
{
    (void)s;
    int kind;
    trainer_state at;
    trainer_event ev = walk_to("after clip", &kind, &at);
    assert_int_equal(kind, ASK_DUE_NEXT);
    assert_int_equal(ev.phase, PHASE_CLIP);
    assert_int_equal(ev.step, 0);
    ev = walk_to("after update 1 at step 3", &kind, &at);
    assert_int_equal(ev.phase, PHASE_UPDATE);
    assert_int_equal(ev.layer, 1);
    assert_int_equal(at.step, 3);
    ev = walk_to("after backward", &kind, &at); /* backward's last micro-step is layer 0's */
    assert_int_equal(ev.phase, PHASE_BACKWARD);
    assert_int_equal(ev.layer, 0);
    ev = walk_to("after forward", &kind, &at);
    assert_int_equal(ev.layer, 2);
    walk_to("before backward", &kind, &at);
    assert_int_equal(kind, ASK_DUE_NOW);
    assert_int_equal(at.next_phase, PHASE_BACKWARD);
    assert_int_equal(at.next_layer, 2);
    walk_to("before forward last at step 4", &kind, &at);
    assert_int_equal(at.next_layer, 2);
    assert_int_equal(at.step, 4);
    ev = walk_to("step 3", &kind, &at);
    assert_int_equal(ev.phase, PHASE_END_BATCH);
    assert_int_equal(ev.step, 3);
    ev = walk_to("epoch 2 end", &kind, &at);
    assert_int_equal(ev.phase, PHASE_END_EPOCH);
    assert_int_equal(ev.epoch, 2);
    assert_int_equal(ev.step, 4);
}

static double lookup(const trainer *t, const char *metric, int li, char *why)
{
    double v = NAN;
    why[0] = '\0';
    if (live_lookup((void *)t, "", li, metric, &v, why) != 0)
        return NAN;
    return v;
}

/* The values an answer reads are the trainer's: checked against its buffers directly. */
static void test_live_values(void **s)
{
    (void)s;
    rig r;
    rig_up(&r);
    char why[256];
    assert_true(isnan(lookup(&r.t, "loss", -1, why)));
    assert_string_equal(why, "loss is not known here: the loss micro-step has not run in this batch");
    assert_true(isnan(lookup(&r.t, "max_update", 0, why)));
    assert_string_equal(why, "layer0.max_update is not known here: the layer's update micro-step has not run in this batch");
    assert_true(isnan(lookup(&r.t, "act_std", 0, why))); /* the statistics read 0 until computed */
    assert_string_equal(why, "layer0.act_std is not known here: the layer's forward micro-step has not run in this batch");
    double w2 = 0; /* the weights exist from the start */
    for (size_t k = 0; k < r.t.net.layers[0].n_params; k++)
        w2 += (double)r.t.net.layers[0].W[k] * r.t.net.layers[0].W[k];
    assert_close(lookup(&r.t, "weight_norm", 0, why), sqrt(w2), 1e-12);
    assert_true(isnan(lookup(&r.t, "grad_norm", 7, why)));
    assert_string_equal(why, "layer 7 does not exist (the net has 3 layers)");
    while (r.t.state.next_phase != PHASE_BACKWARD)
        trainer_step(&r.t, STEP_MICRO);
    assert_false(isnan(lookup(&r.t, "loss", -1, why)));
    assert_true(isnan(lookup(&r.t, "grad_norm", -1, why))); /* every layer's backward first */
    trainer_step(&r.t, STEP_MICRO); /* backward of layer 2 */
    assert_false(isnan(lookup(&r.t, "grad_norm", 2, why)));
    assert_true(isnan(lookup(&r.t, "grad_norm", 1, why)));
    while (r.t.state.next_phase != PHASE_CLIP)
        trainer_step(&r.t, STEP_MICRO);
    assert_true(isnan(lookup(&r.t, "clip.norm_after", -1, why)));
    /* the whole gradient's norm, from the gradients themselves */
    double g2 = 0;
    for (size_t k = 0; k < r.t.net.n_params; k++)
        g2 += (double)r.t.net.grads[k] * r.t.net.grads[k];
    assert_close(lookup(&r.t, "grad_norm", -1, why), sqrt(g2), 1e-5 * sqrt(g2));
    trainer_step(&r.t, STEP_MICRO); /* clip */
    double before = lookup(&r.t, "clip.norm_before", -1, why);
    assert_close(before, sqrt(g2), 1e-5 * sqrt(g2));
    assert_true(before > 0.1); /* so it clipped: the norm after is theta */
    assert_close(lookup(&r.t, "clip.norm_after", -1, why), 0.1, 1e-5); /* float32 arithmetic */
    assert_close(lookup(&r.t, "clip.factor", -1, why), 0.1 / before, 1e-5);
    trainer_step(&r.t, STEP_MICRO); /* update layer 0 */
    const layer *ly = &r.t.net.layers[0];
    double mx = 0;
    for (size_t k = 0; k < ly->n_params; k++)
        mx = fmax(mx, fabs((double)r.t.net.params[ly->param_off + k] - r.t.net.params_prev[ly->param_off + k]));
    assert_true(mx > 0);
    assert_close(lookup(&r.t, "max_update", 0, why), mx, 0);
    assert_close(mx, 0.05, 0.005); /* Adam's first step is lr-sized whatever the gradient */
    assert_true(isnan(lookup(&r.t, "max_update", 1, why))); /* layer 1 not updated yet */
    assert_true(isnan(lookup(&r.t, "val_acc", -1, why)));
    assert_string_equal(why, "val_acc is not known here: no epoch has ended yet");
    while (r.t.state.epoch == 0)
        trainer_step(&r.t, STEP_MICRO);
    trainer_step(&r.t, STEP_MICRO); /* the next batch loaded: its forward has not run */
    assert_true(isnan(lookup(&r.t, "act_std", 1, why)));
    assert_false(isnan(lookup(&r.t, "train_loss", -1, why)));
    trainer_step(&r.t, STEP_MICRO);
    trainer_step(&r.t, STEP_MICRO);
    assert_close(lookup(&r.t, "train_loss", -1, why), r.t.state.last_epoch.train_loss, 0);
    assert_close(lookup(&r.t, "act_std", 1, why), r.t.stats[1].act_std, 0);
    assert_close(lookup(&r.t, "step", -1, why), 2, 0);
    rig_down(&r);
}

/* The value of `answer` on experiment 0 of text at when (stepped there as check does). */
static double value_at(const char *text, const char *metric, int li, const char *when)
{
    lesson l;
    experiment_data d;
    trainer t;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "L.md", text, strlen(text), &err), 0);
    assert_int_equal(experiment_data_load(&l.experiments[0], &d, &err), 0);
    assert_int_equal(experiment_trainer_create(&t, &l.experiments[0], &d, 0, 0, 0, &err), 0);
    ask_when w;
    assert_int_equal(ask_parse_when(&w, when, "L.md", 1, &err), 0);
    int due = 0;
    while (!trainer_done(&t) && !(due = ask_due(&w, &t)))
        trainer_step(&t, STEP_MICRO);
    assert_int_not_equal(due, 0);
    if (due == ASK_DUE_NEXT)
        trainer_step(&t, STEP_MICRO);
    char why[256];
    double v = lookup(&t, metric, li, why);
    trainer_destroy(&t);
    experiment_data_free(&d);
    lesson_free(&l);
    return v;
}

/* With a loss scale the gradients read the same between the update and the next loss (they
 * were unscaled once); with master weights a step is the fp32 copy's, not bf16 ulps. */
static void test_loss_scale_and_master_weights(void **s)
{
    (void)s;
    const char *fp16 = "# T\n\n## P\n```deepstep\ndata = xor\nbatch = 2\nlayer = dense 4 tanh\nlayer = dense 1 sigmoid\n"
                       "precision = fp16\nloss_scale = 1024\n```\n";
    double after_update = value_at(fp16, "max_grad", 0, "after update last at step 0");
    double batch_end = value_at(fp16, "max_grad", 0, "step 1");
    assert_true(after_update > 1e-3);
    assert_close(batch_end, after_update, 0);
    /* the next batch loaded: its gradients are not computed yet, so no value */
    assert_true(isnan(value_at(fp16, "max_grad", 0, "after load at step 1")));
    const char *bf16 = "# T\n\n## P\n```deepstep\ndata = xor\nlayer = dense 4 tanh\nlayer = dense 1 sigmoid\n"
                       "precision = bf16 master=fp32\noptimizer = adam lr=1e-4\n```\n";
    assert_close(value_at(bf16, "max_update", 0, "after update 0"), 1e-4, 0.02); /* Adam: lr, not an ulp */
}

/* An answer evaluated through the lesson's own parse: arithmetic over live values. */
static void test_ask_value(void **s)
{
    (void)s;
    rig r;
    rig_up(&r);
    lesson_ask a;
    ds_error err = {0};
    const char *body = "question = q\nwhen = after clip\nanswer = clip.norm_before / clip.norm_after\n"
                       "check = clip.norm_after <= 0.1 + 1e-6\ncheck = layerlast.grad_norm > 0\n";
    assert_int_equal(ask_parse(&a, body, strlen(body), "L.md", 2, 1, &err), 0);
    while (!ask_due(&a.when, &r.t))
        trainer_step(&r.t, STEP_MICRO);
    trainer_step(&r.t, STEP_MICRO);
    double v;
    char detail[300], why[300];
    assert_int_equal(ask_value(&a, &r.t, &v, detail, sizeof detail, why), 0);
    assert_close(v, r.t.state.clip.norm_before / r.t.state.clip.norm_after, 1e-9);
    assert_int_equal(ask_checks(&a, &r.t, why, sizeof why), 1);
    ask_free(&a);
    body = "question = q\nwhen = after clip\nanswer = lr\ncheck = clip.norm_after > 1\n";
    assert_int_equal(ask_parse(&a, body, strlen(body), "L.md", 2, 1, &err), 0);
    assert_int_equal(ask_checks(&a, &r.t, why, sizeof why), 0);
    assert_non_null(strstr(why, "check 'clip.norm_after > 1' does not hold: clip.norm_after = 0.0999"));
    ask_free(&a);
    rig_down(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_errors),      cmocka_unit_test(test_choice_and_tolerance_errors),
        cmocka_unit_test(test_when_errors),       cmocka_unit_test(test_expression_errors),
        cmocka_unit_test(test_parse_and_resolve), cmocka_unit_test(test_guess_judging),
        cmocka_unit_test(test_when_positions),    cmocka_unit_test(test_live_values),
        cmocka_unit_test(test_ask_value),        cmocka_unit_test(test_loss_scale_and_master_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
