/* The lesson's questions in the UI (quiz.h): where stepping stops, answering right and
 * wrong, choices, skipping, stepping back, running, and what the screen shows. */
#include "test_common.h"
#include "test_app.h"
#include "ui/quiz.h"
#include "ui/view.h"

static const char *quiz_lesson =
    "# Quiz\n\nQuestions.\n\n## Clipping\n\n"
    "```deepstep\ndata = xor\nbatch = 4\nlayer = dense 4 tanh\nlayer = dense 1 sigmoid\nclip = norm 0.01\n"
    "optimizer = adam lr=0.05\n```\n\n"
    "```deepstep ask\nquestion = What is the norm after clipping?\nwhen = after clip\nanswer = clip.norm_after\n"
    "tolerance = 1%\nexplain = Rescaled to theta exactly.\n```\n\n"
    "```deepstep ask\nquestion = Adam's first step?\nwhen = after update 0\nchoice = 0.0005 | 0.05 | 5\n"
    "correct = 0.05\ncheck = layer0.max_update > 0.04\n```\n";

static void open_quiz(app *a)
{
    FILE *f = fopen("build/tmp/quiz.md", "w");
    assert_non_null(f);
    fputs(quiz_lesson, f);
    fclose(f);
    open_at(a, "build/tmp/quiz.md", 80, 24);
    a->questions = true; /* as the front end sets it */
    app_sync(a);
    assert_non_null(a->les->quiz);
    assert_int_equal(a->les->quiz->n, 2);
}

static bool shows(const app *a, const char *text)
{
    frame f;
    frame_init(&f, 80, 24);
    view_draw(a, &f);
    bool yes = frame_contains(&f, text);
    frame_free(&f);
    return yes;
}

static void type(app *a, const char *keys)
{
    for (; *keys; keys++)
        app_key(a, *keys);
}

/* n until a question opens (at most limit presses); returns the presses. */
static int step_to_question(app *a, int limit)
{
    for (int k = 1; k <= limit; k++) {
        app_key(a, 'n');
        if (a->les->quiz->open >= 0)
            return k;
    }
    return -1;
}

static void test_stops_before_the_step_and_reveals_after_it(void **s)
{
    (void)s;
    app a;
    open_quiz(&a);
    quiz *q = a.les->quiz;
    /* load, forward 0, forward 1, loss, backward 1, backward 0: the 7th n would clip */
    assert_int_equal(step_to_question(&a, 20), 7);
    assert_int_equal(q->open, 0);
    const trainer *t = &app_run(&a)->t;
    assert_int_equal(t->state.next_phase, PHASE_CLIP); /* not taken: the answer is not on screen */
    assert_true(shows(&a, "What is the norm after clipping?"));
    assert_true(shows(&a, "Question 1 of 2"));
    app_key(&a, 'n'); /* the question takes every key: n is no number */
    assert_int_equal(t->state.next_phase, PHASE_CLIP);
    app_key(&a, K_ENTER);
    assert_false(q->revealed);
    assert_true(shows(&a, "nothing typed"));
    type(&a, "0.01\n");
    assert_true(q->revealed);
    assert_int_equal(app_run(&a)->last.phase, PHASE_CLIP); /* the step ran for the reveal */
    assert_close(q->value, t->state.clip.norm_after, 0);
    assert_true(q->right);
    assert_int_equal(q->asks[0].result, QR_RIGHT);
    assert_true(shows(&a, "\xE2\x9C\x94 right: within 1 %"));
    assert_true(shows(&a, "Rescaled to theta exactly."));
    assert_true(shows(&a, "Score in this lesson: 1 right of 1 answered"));
    app_key(&a, 'x'); /* any key goes on */
    assert_int_equal(q->open, -1);
    app_free(&a);
}

static void test_wrong_answer_and_asked_again_after_a_step_back(void **s)
{
    (void)s;
    app a;
    open_quiz(&a);
    quiz *q = a.les->quiz;
    assert_int_equal(step_to_question(&a, 20), 7);
    type(&a, "5\n");
    assert_false(q->right);
    assert_true(shows(&a, "\xE2\x9C\x98 wrong: not within 1 %"));
    app_key(&a, K_ESC);
    app_key(&a, 'b'); /* back to before the clip: the question waits again */
    assert_int_equal(app_run(&a)->t.state.next_phase, PHASE_CLIP);
    assert_int_equal(q->asks[0].asked_at, -1);
    assert_int_equal(step_to_question(&a, 1), 1);
    assert_int_equal(q->open, 0);
    type(&a, "0.0100\n");
    assert_true(q->right);
    int right, answered, skipped;
    quiz_score(q, &right, &answered, &skipped);
    assert_int_equal(right, 1); /* the latest answer counts */
    assert_int_equal(answered, 1);
    app_free(&a);
}

static void test_choice_shows_the_engine_numbers(void **s)
{
    (void)s;
    app a;
    open_quiz(&a);
    quiz *q = a.les->quiz;
    step_to_question(&a, 20);
    app_key(&a, K_ESC); /* skip the first */
    assert_int_equal(q->asks[0].result, QR_SKIPPED);
    assert_int_equal(step_to_question(&a, 5), 2); /* clip, then update 0 would run */
    assert_int_equal(q->open, 1);
    assert_true(shows(&a, "  b) 0.05"));
    app_key(&a, 'c');
    assert_int_equal(q->choice, 2);
    app_key(&a, K_UP);
    assert_int_equal(q->choice, 1);
    app_key(&a, K_ENTER);
    assert_true(q->right);
    assert_true(shows(&a, "The answer: b) 0.05"));
    double v = NAN;
    assert_int_equal(sscanf(q->detail, "layer0.max_update = %lf", &v), 1);
    assert_close(v, 0.05, 1e-3); /* Adam's first step: lr, whatever the gradient */
    char want[200];
    snprintf(want, sizeof want, "The engine: %s", q->detail);
    assert_true(shows(&a, want));
    assert_true(shows(&a, "1 right of 1 answered, 1 skipped"));
    app_free(&a);
}

static void test_running_and_epoch_steps_stop_at_a_question(void **s)
{
    (void)s;
    app a;
    open_quiz(&a);
    quiz *q = a.les->quiz;
    app_key(&a, 'e'); /* an epoch: stops where the question waits */
    assert_int_equal(q->open, 0);
    assert_int_equal(app_run(&a)->t.state.next_phase, PHASE_CLIP);
    app_key(&a, K_ESC);
    app_key(&a, 'r');
    assert_true(app_running(&a));
    app_tick(&a, 1000.0);
    assert_int_equal(q->open, 1);
    assert_false(app_running(&a)); /* the run paused for it */
    assert_int_equal(app_run(&a)->t.state.next_phase, PHASE_UPDATE);
    app_free(&a);
}

/* The lesson's page does not give the answer away: the block's lines are not drawn. */
static void test_page_hides_the_answer(void **s)
{
    (void)s;
    app a;
    open_quiz(&a);
    app_key(&a, K_PGDN);
    assert_true(shows(&a, "a question waits"));
    assert_false(shows(&a, "clip.norm_after"));
    assert_false(shows(&a, "correct = 0.05"));
    app_free(&a);
}

/* A lesson written to build/tmp, opened with questions on. */
static void open_text(app *a, const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    open_at(a, path, 80, 24);
    a->questions = true;
    app_sync(a);
}

/* "before clip" and "after clip" wait at one place: the one asked where the run stands comes
 * first, or answering the other would take the step past it. */
static void test_before_comes_first(void **s)
{
    (void)s;
    app a;
    open_text(&a, "build/tmp/quiz2.md",
              "# Two\n\n## P\n```deepstep\ndata = xor\nlayer = dense 4 tanh\nlayer = dense 1 sigmoid\n"
              "clip = norm 0.01\n```\n"
              "```deepstep ask\nquestion = After?\nwhen = after clip\nanswer = clip.norm_after\n```\n"
              "```deepstep ask\nquestion = Before?\nwhen = before clip\nanswer = grad_norm\n```\n");
    quiz *q = a.les->quiz;
    step_to_question(&a, 20);
    assert_int_equal(q->open, 1); /* "before clip" first */
    assert_int_equal(q->due, ASK_DUE_NOW);
    type(&a, "1\n");
    assert_int_equal(app_run(&a)->t.state.next_phase, PHASE_CLIP); /* revealed where it stands */
    app_key(&a, ' ');
    assert_int_equal(step_to_question(&a, 1), 1);
    assert_int_equal(q->open, 0); /* then "after clip", at the same place */
    type(&a, "0.01\n");
    assert_int_equal(app_run(&a)->last.phase, PHASE_CLIP);
    app_free(&a);
}

/* A question whose step diverges: b goes back to before it (the same micro-step count, the
 * diverged one was not counted) and the question is asked again. */
static void test_divergence_then_back_reasks(void **s)
{
    (void)s;
    app a;
    open_text(&a, "build/tmp/quiz3.md",
              "# D\n\n## P\n```deepstep\ndata = xor\nlayer = dense 4 relu\nlayer = dense 1 linear\nloss = mse\n"
              "optimizer = sgd lr=1e6\nepochs = 5\n```\n"
              "```deepstep ask\nquestion = Gradient?\nwhen = after backward 0 at step 2\nanswer = lr\n```\n");
    quiz *q = a.les->quiz;
    step_to_question(&a, 40);
    assert_int_equal(q->open, 0);
    type(&a, "1\n");
    assert_true(app_run(&a)->t.state.div.happened); /* the step the reveal took overflowed */
    app_key(&a, ' ');
    app_key(&a, 'b');
    assert_false(app_run(&a)->t.state.div.happened);
    assert_int_equal(q->asks[0].asked_at, -1);
    assert_int_equal(step_to_question(&a, 1), 1);
    assert_int_equal(q->open, 0);
    app_free(&a);
}

/* A run that is not the lesson's as written (another rate with ] here) is not asked: the
 * questions' explanations are about the lesson's run. A comma reads as a decimal point. */
static void test_changed_run_not_asked_and_comma(void **s)
{
    (void)s;
    app a;
    open_quiz(&a);
    app_key(&a, ']');
    app_key(&a, 'e');
    assert_int_equal(a.les->quiz->open, -1);
    app_key(&a, 'R'); /* back to the lesson's settings: asked again */
    step_to_question(&a, 20);
    assert_int_equal(a.les->quiz->open, 0);
    type(&a, "0,01+");
    assert_string_equal(a.les->quiz->input, "0.01");
    app_free(&a);
}

/* --no-questions (app.questions false): the run steps straight through */
static void test_questions_off(void **s)
{
    (void)s;
    app a;
    open_quiz(&a);
    a.questions = false;
    app_sync(&a);
    app_key(&a, 'e');
    assert_int_equal(a.les->quiz->open, -1);
    assert_int_equal(app_run(&a)->last.phase, PHASE_END_EPOCH);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stops_before_the_step_and_reveals_after_it),
        cmocka_unit_test(test_wrong_answer_and_asked_again_after_a_step_back),
        cmocka_unit_test(test_choice_shows_the_engine_numbers),
        cmocka_unit_test(test_running_and_epoch_steps_stop_at_a_question),
        cmocka_unit_test(test_page_hides_the_answer),
        cmocka_unit_test(test_questions_off),
        cmocka_unit_test(test_changed_run_not_asked_and_comma),
        cmocka_unit_test(test_before_comes_first),
        cmocka_unit_test(test_divergence_then_back_reasks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
