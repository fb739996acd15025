/* Learning-rate schedules (schedule.c): the range test's exponential ramp hits LO at the
 * first update, the geometric mean at the middle one and HI at the last, in the formula, in
 * the trainer's per-batch rate and under a step budget; the other schedules keep their
 * numbers; the lesson parser takes `schedule = range LO HI` and refuses bad ranges. */
#include "test_common.h"

#include "engine/schedule.h"
#include "engine/trainer.h"
#include "lesson/experiment_data.h"
#include "lesson/lesson.h"
#include "test_app.h"
#include "ui/view.h"
#include "ui/view_lr.h"

static void test_range_formula_first_middle_last(void **s)
{
    (void)s;
    const float lo = 1e-4f, hi = 10.0f;
    /* 9 updates: k = 4 is the middle, where the rate is the geometric mean of LO and HI */
    assert_true((float)schedule_range_lr(lo, hi, 0, 9) == lo);
    assert_true((float)schedule_range_lr(lo, hi, 4, 9) == (float)sqrt((double)lo * hi));
    assert_true((float)schedule_range_lr(lo, hi, 8, 9) == hi);
    /* a quarter of the way: a quarter of the five decades, 10^(-4 + 1.25) */
    assert_close(schedule_range_lr(lo, hi, 2, 9), pow(10.0, -2.75), 1e-6);
    /* every update multiplies the rate by the same factor, (HI/LO)^(1/8) */
    double r = pow(1e5, 1.0 / 8);
    for (long k = 1; k < 9; k++)
        assert_close(schedule_range_lr(lo, hi, k, 9) / schedule_range_lr(lo, hi, k - 1, 9), r, 1e-5);
    /* one update: no ramp to make, LO */
    assert_true((float)schedule_range_lr(lo, hi, 0, 1) == lo);
}

static void test_total_steps(void **s)
{
    (void)s;
    assert_int_equal(schedule_total_steps(40, 105, 0), 4200);
    assert_int_equal(schedule_total_steps(40, 105, 1000), 1000); /* --steps N replaces the epochs */
}

static void test_schedule_lr_every_kind(void **s)
{
    (void)s;
    train_config x;
    memset(&x, 0, sizeof x);
    x.opt.lr = 0.2f;
    x.schedule = SCHED_CONSTANT;
    assert_close(schedule_lr(&x, 7, 3, 10, 100), 0.2, 1e-7);
    x.schedule = SCHED_EXP, x.sched_gamma = 0.9f;
    assert_close(schedule_lr(&x, 7, 3, 10, 100), 0.2 * pow(0.9, 3), 1e-6);
    x.schedule = SCHED_STEP, x.sched_gamma = 0.5f, x.sched_step = 4;
    assert_close(schedule_lr(&x, 7, 9, 10, 100), 0.05, 1e-6);
    x.schedule = SCHED_COSINE;
    assert_close(schedule_lr(&x, 7, 5, 10, 100), 0.1, 1e-6);
    /* range ignores the optimizer's lr: the ramp from LO to HI is the run */
    x.schedule = SCHED_RANGE, x.sched_lo = 1e-3f, x.sched_hi = 1.0f;
    assert_true((float)schedule_lr(&x, 0, 0, 10, 100) == 1e-3f);
    assert_true((float)schedule_lr(&x, 99, 9, 10, 100) == 1.0f);
    /* warm-up scales any schedule by (step + 1) / N for its first N updates */
    x.warmup = 4;
    assert_close(schedule_lr(&x, 1, 0, 10, 100), 1e-3 * pow(1e3, 1.0 / 99) * 0.5, 1e-6);
    assert_true((float)schedule_lr(&x, 99, 9, 10, 100) == 1.0f);
}

/* ---- through the lesson parser and the trainer ---------------------------------- */

static lesson the_lesson;

static int parse_block(const char *body, ds_error *err)
{
    char text[1024];
    snprintf(text, sizeof text, "# t\n\n```deepstep\ndata = tiny.csv\nlayer = dense 4 tanh\nlayer = dense 2 linear\n%s```\n",
             body);
    lesson_free(&the_lesson);
    memset(err, 0, sizeof *err);
    return lesson_parse(&the_lesson, "tests/fixtures/inline.md", text, strlen(text), err);
}

static void test_parse_range(void **s)
{
    (void)s;
    ds_error err;
    assert_int_equal(parse_block("schedule = range 1e-4 10 warmup=3\n", &err), 0);
    const train_config *c = &the_lesson.experiments[0].train;
    assert_int_equal(c->schedule, SCHED_RANGE);
    assert_true(c->sched_lo == 1e-4f);
    assert_true(c->sched_hi == 10.0f);
    assert_int_equal(c->warmup, 3);
    const char *bad[] = {"schedule = range 10 1\n", "schedule = range 0 1\n", "schedule = range 1 1\n",
                         "schedule = range -1 1\n", "schedule = range 1e-4 1e7\n", "schedule = range x 1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(parse_block(bad[i], &err), -1);
        assert_int_equal(err.line, 7); /* the schedule line: the fence is line 3, then data and two layers */
        assert_string_equal(err.msg, "schedule: range LO HI needs 0 < LO < HI <= 1e6 (learning rates), e.g. range 1e-4 10");
    }
    /* one operand: the usage, which names range with its two */
    assert_int_equal(parse_block("schedule = range 1e-4\n", &err), -1);
    assert_non_null(strstr(err.msg, "range LO HI [warmup=N]"));
}

typedef struct trainer_with_data {
    trainer t;
    experiment_data data;
} trainer_with_data;

/* The rate each update of a whole run used, read when its batch is loaded. Returns the count. */
static long run_rates(const char *body, long max_steps, float *rates, long cap)
{
    ds_error err;
    assert_int_equal(parse_block(body, &err), 0);
    trainer_with_data o;
    memset(&o, 0, sizeof o);
    const experiment *x = &the_lesson.experiments[0];
    assert_int_equal(experiment_data_load(x, &o.data, &err), 0);
    assert_int_equal(experiment_trainer_create(&o.t, x, &o.data, 0, 0, max_steps, &err), 0);
    long n = 0;
    while (!trainer_done(&o.t)) {
        trainer_event ev = trainer_step(&o.t, STEP_MICRO);
        if (ev.phase == PHASE_UPDATE && ev.layer == 0 && n < cap)
            rates[n++] = ev.lr;
    }
    trainer_destroy(&o.t);
    experiment_data_free(&o.data);
    return n;
}

static void test_trainer_follows_the_ramp(void **s)
{
    (void)s;
    float rates[64];
    /* 6 rows in batches of 2: 3 updates an epoch, 3 epochs, 9 updates */
    long n = run_rates("batch = 2\noptimizer = sgd lr=0.5\nschedule = range 0.001 1\nepochs = 3\n", 0, rates, 64);
    assert_int_equal(n, 9);
    assert_true(rates[0] == 0.001f);
    assert_true(rates[4] == (float)sqrt(0.001f * 1.0));
    assert_true(rates[8] == 1.0f);
    /* a step budget is the run: 5 updates ramp over 5, past the lesson's 3 epochs' 9 */
    n = run_rates("batch = 2\nschedule = range 0.001 1\nepochs = 1\n", 5, rates, 64);
    assert_int_equal(n, 5);
    assert_true(rates[0] == 0.001f);
    assert_true(rates[2] == (float)sqrt(0.001f * 1.0));
    assert_true(rates[4] == 1.0f);
}

/* ---- the plot's readings (view_lr.c) --------------------------------------------- */

/* A loss flat at 1 for steps 0..99, falling by 0.01 a step to 0.5 at step 150, flat to step
 * 199, then rising by 0.05 a step: the readings land where the shape says, moved right only
 * by the short average (total/40 = 7 steps). */
static void test_readout_of_a_known_shape(void **s)
{
    (void)s;
    enum { TOTAL = 300 };
    float loss[TOTAL], sm[TOTAL];
    for (int k = 0; k < TOTAL; k++)
        loss[k] = k < 100 ? 1.0f : k < 150 ? 1.0f - 0.01f * (float)(k - 100) : k < 200 ? 0.5f : 0.5f + 0.05f * (float)(k - 199);
    lr_readout ro;
    lr_range_readout(loss, TOTAL, TOTAL, sm, &ro);
    assert_true(ro.start == 1.0); /* the mean of the first 15 losses */
    assert_true(sm[0] == 1.0f);   /* bias-corrected: no pull towards 0 at the start */
    /* the fall is steepest where all 15 steps of the window fall: its middle in 100..157 */
    assert_in_range(ro.steepest, 110, 157);
    /* the lowest smoothed point is at the end of the floor 150..199 (the average still falls
     * towards 0.5 there), before the rise reaches it */
    assert_in_range(ro.lowest, 185, 202);
    assert_true(sm[ro.lowest] < 0.51f);
    /* the loss passes 1 at step 209; the average, 7 steps long, a few steps later */
    assert_in_range(ro.above, 209, 220);
    /* half the run: nothing above the start yet, and the lowest so far is the last step */
    lr_range_readout(loss, 140, TOTAL, sm, &ro);
    assert_int_equal(ro.above, -1);
    assert_int_equal(ro.lowest, 139);
    /* five steps into the fall the average is still within a tenth of the start: no
     * readings, the dips so far could be noise */
    lr_range_readout(loss, 105, TOTAL, sm, &ro);
    assert_true(ro.start == 1.0);
    assert_int_equal(ro.lowest, -1);
    assert_int_equal(ro.steepest, -1);
    /* fewer steps than the start's 15: no readings */
    lr_range_readout(loss, 10, TOTAL, sm, &ro);
    assert_int_equal(ro.lowest, -1);
    assert_true(isnan(ro.start));
}

/* Lesson 13's range test in the UI: 7 shows the loss against the rate, not per step, with
 * the ramp's decades under it and the three readings once the loss has blown up. */
static void test_range_panel_in_the_lesson(void **s)
{
    (void)s;
    app a;
    open_at(&a, "lessons/13-lr-range-test.md", 160, 48); /* room for panel 7 */
    app_key(&a, K_PGDN);
    assert_int_equal(app_run(&a)->t.cfg.schedule, SCHED_RANGE);
    frame f;
    frame_init(&f, 160, 48);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "Loss vs lr"));
    assert_true(frame_contains(&f, "appears when the first step's batch ends"));
    for (int e = 0; e < 10; e++)
        app_key(&a, 'e');
    assert_int_equal(app_run(&a)->t.state.step, 470);
    view_draw(&a, &f);
    assert_false(frame_contains(&f, "Loss per step"));
    assert_true(frame_contains(&f, "Loss vs lr \xE2\x97\x8F, smoothed \xE2\x96\xB2 (0.001..10) ")); /* whole */
    assert_true(frame_contains(&f, "lr (log) 0.001"));
    assert_true(frame_contains(&f, "0.01"));
    assert_true(frame_contains(&f, "steepest "));
    assert_true(frame_contains(&f, ", lowest "));
    assert_true(frame_contains(&f, ", blows up "));
    frame_free(&f);
    /* at 80x24 the title gives up the lr now, then the words, never a cut range */
    app_resize(&a, 80, 24);
    app_key(&a, '7');
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "Loss vs lr \xE2\x97\x8F, smoothed \xE2\x96\xB2 (0.001..10) "));
    assert_false(frame_contains(&f, "(range 0.001\xE2\x80\xA6"));
    frame_free(&f);
    app_free(&a);
}

static int teardown(void **s)
{
    (void)s;
    lesson_free(&the_lesson);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_formula_first_middle_last),
        cmocka_unit_test(test_total_steps),
        cmocka_unit_test(test_schedule_lr_every_kind),
        cmocka_unit_test(test_parse_range),
        cmocka_unit_test(test_trainer_follows_the_ramp),
        cmocka_unit_test(test_readout_of_a_known_shape),
        cmocka_unit_test(test_range_panel_in_the_lesson),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
