/* test_runner.c - the shared headless runner (src/cli/runner.c), the one monotonic clock,
 * error codes, and the one metric table that expect parses and check evaluates. */
#include "test_common.h"

#include <time.h>

#include "cli/check.h"
#include "cli/runner.h"
#include "common/clock.h"
#include "common/fileio.h"
#include "lesson/experiment_data.h"
#include "lesson/lesson.h"

static void test_mono_seconds_advances(void **s)
{
    (void)s;
    double a = mono_seconds();
    struct timespec ten_ms = {0, 10 * 1000 * 1000};
    nanosleep(&ten_ms, NULL);
    double b = mono_seconds();
    assert_true(b - a >= 0.009); /* nanosleep sleeps at least as long as asked */
    assert_true(b - a < 5.0);
}

/* The codes the lesson level reacts to, so it never reads the words of a message. */
static void test_error_codes(void **s)
{
    (void)s;
    ds_error err = {0};
    assert_null(file_open_regular("tests/fixtures/no-such-file.csv", "r", NULL, &err));
    assert_int_equal(err.code, DS_ERR_CANNOT_OPEN);
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    assert_null(file_open_regular("tests/fixtures", "r", NULL, &err));
    assert_int_equal(err.code, DS_ERR_NOT_A_FILE);
    assert_string_equal(err.msg, "is a directory, not a file");
    err_set(&err, "x", 1, "something else");
    assert_int_equal(err.code, DS_ERR_OTHER);
    assert_int_equal(err_set_code(&err, DS_ERR_NOT_A_FILE, "y", 0, "%s", "z"), -1);
    assert_int_equal(err.code, DS_ERR_NOT_A_FILE);
    assert_string_equal(err.file, "y");

    /* experiment_data points a missing file at the block's data line, keeping the code. */
    const char *text = "# e\n\n```deepstep\ndata = tests/fixtures/no-such-file.csv\nlayer = dense 2 linear\n```\n";
    lesson l;
    assert_int_equal(lesson_parse(&l, "inline.md", text, strlen(text), &err), 0);
    experiment_data d;
    assert_int_equal(experiment_data_load(&l.experiments[0], &d, &err), -1);
    char line[1100];
    err_format(&err, line, sizeof line);
    assert_string_equal(line, "inline.md:4: data: cannot open './tests/fixtures/no-such-file.csv': No such file or "
                              "directory");
    assert_int_equal(err.code, DS_ERR_CANNOT_OPEN);
    lesson_free(&l);
}

/* The lists in the parser's messages come from the table, in the table's order. */
static void test_metric_table(void **s)
{
    (void)s;
    assert_string_equal(expect_metric_names(false),
                        "train_loss, train_acc, val_loss, val_acc, test_loss, test_acc, steps, seed, epochs, diverged, "
                        "nan_step, best_epoch, ensemble_acc, ensemble_test_acc, steps_to_target, lost_updates, distance, "
                        "final_f");
    assert_string_equal(expect_metric_names(true),
                        "grad_norm, weight_norm, update_ratio, act_min, act_max, act_mean, act_std, frac_saturated, "
                        "frac_dead, lost_updates, frac_underflow, dz_std, mean_lost_updates, mean_frac_underflow, health");
    assert_true(expect_known_metric("distance", false));
    assert_false(expect_known_metric("distance", true));
    assert_null(expect_metric("distance", METRIC_RUN));
    assert_non_null(expect_metric("distance", METRIC_RACER));
    assert_null(expect_metric("health", METRIC_RUN));

    layer_stats st[2] = {{0}};
    st[1].grad_norm = 0.25f;
    st[1].health = HEALTH_DEAD;
    double mean_lost[2] = {1, 7}, mean_underflow[2] = {0, 0.5};
    float losses[] = {3, 2, 0.5f, 0.1f};
    run_result r = {.val_acc = 0.75, .steps = 42, .n_layers = 2, .final = st, .mean_lost = mean_lost,
                    .mean_underflow = mean_underflow, .step_loss = losses, .n_steps = 4};
    metric_src src = {.run = &r, .layer = 1, .target_loss = 1.0};
    assert_true(expect_metric("val_acc", METRIC_RUN)->get(&src) == 0.75);
    assert_true(expect_metric("steps", METRIC_RUN)->get(&src) == 42.0);
    assert_true(expect_metric("grad_norm", METRIC_LAYER)->get(&src) == 0.25);
    assert_true(expect_metric("mean_lost_updates", METRIC_LAYER)->get(&src) == 7.0);
    assert_true(expect_metric("health", METRIC_LAYER)->get(&src) == (double)HEALTH_DEAD);
    const metric_def *t = expect_metric("steps_to_target", METRIC_RUN);
    assert_true(t->needs_target);
    assert_true(t->get(&src) == 3.0); /* the third loss, 0.5, is the first below 1 */
    src.target_loss = 0.01;
    assert_true(isinf(t->get(&src)));
}

typedef struct counts {
    int starts, epochs, steps, ends, last_status;
} counts;

static int count_start(void *ctx, trainer *t, int k)
{
    (void)t, (void)k;
    ((counts *)ctx)->starts++;
    return 0;
}

static void count_step(void *ctx, const trainer *t, const trainer_event *ev, int k)
{
    (void)t, (void)ev, (void)k;
    ((counts *)ctx)->steps++;
}

static void count_epoch(void *ctx, const trainer *t, const trainer_event *ev, int k)
{
    (void)t, (void)ev, (void)k;
    ((counts *)ctx)->epochs++;
}

static int count_end(void *ctx, trainer *t, const trainer_event *last, int k, int status)
{
    (void)t, (void)last, (void)k;
    ((counts *)ctx)->ends++;
    ((counts *)ctx)->last_status = status;
    return status;
}

/* One runner for run and check: every member trained, hooks called per step and epoch, the
 * averaged accuracy the same as check's, member 0 kept on request, a stop flag obeyed. */
static void test_runner_ensemble_and_stop(void **s)
{
    (void)s;
    char cwd[512], text[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "# e\n\n```deepstep\ndata = %s/tests/fixtures/tiny.csv\nvalidation = 0.5\nbatch = 3\n"
             "layer = dense 4 tanh\nlayer = dense 2 linear\nepochs = 2\nensemble = 3\n```\n", cwd);
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "inline.md", text, strlen(text), &err), 0);
    const experiment *x = &l.experiments[0];
    experiment_data d;
    assert_int_equal(experiment_data_load(x, &d, &err), 0);
    counts c = {0};
    runner_hooks h = {&c, count_start, count_step, count_epoch, count_end, NULL};
    runner_result res;
    assert_int_equal(runner_run(x, &d, 0, 0, &h, true, &res, &err), 0);
    assert_int_equal(c.starts, 3);
    assert_int_equal(c.ends, 3);
    assert_int_equal(c.epochs, 6);
    assert_int_equal(c.steps, 3 * 2 * res.first.batches_per_epoch);
    assert_int_equal(res.members, 3);
    assert_non_null(res.first.stats);
    assert_int_equal(res.first.state.last_epoch.epoch, 2);
    trainer_destroy(&res.first);
    run_result r;
    run_quiet(x, &r);
    assert_true(r.ensemble_acc == res.ensemble_acc); /* the same members, the same sums */
    run_result_free(&r);

    volatile sig_atomic_t stop = 1;
    memset(&c, 0, sizeof c);
    h.stop = &stop;
    assert_int_equal(runner_run(x, &d, 0, 0, &h, false, &res, &err), EXIT_INTERRUPTED);
    assert_int_equal(c.starts, 1); /* the ensemble ends at the first member */
    assert_int_equal(c.steps, 0);
    assert_int_equal(c.last_status, EXIT_INTERRUPTED);
    assert_true(isnan(res.ensemble_acc));
    assert_true(res.first.stats == NULL);
    experiment_data_free(&d);
    lesson_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mono_seconds_advances),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_metric_table),
        cmocka_unit_test(test_runner_ensemble_and_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
