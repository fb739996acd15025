/* Optimizers, weight decay and clipping: three steps of the real trainer against PyTorch
 * 1.13.1 (golden values from tests/golden/torch_golden.py, see its docstring), and single
 * steps against their closed forms. */
#include "test_common.h"
#include "engine/trainer.h"
#include "lesson/experiment_data.h"
#include "lesson/lesson.h"
#include "golden/torch_golden.h"

static const char *const plain_layers = "layer = dense 4 tanh\nlayer = dense 2 linear\n";

/* Trains 3 steps from the generator's initial parameters; leaves the trainer in *keep when
 * keep is non-NULL (the caller destroys it; its data lives until the next call). */
static void run_steps(const char *layers, const char *optimizer_line, const char *clip_line, float *out,
                      size_t n_out, trainer *keep)
{
    static lesson l;
    static experiment_data data;
    char text[1024];
    snprintf(text, sizeof text,
             "# t\n\n```deepstep\ndata = tiny.csv\nbatch = 3\nshuffle = no\n%s"
             "loss = cross_entropy\noptimizer = %s\nclip = %s\nepochs = 5\n```\n",
             layers, optimizer_line, clip_line);
    ds_error err = {0};
    experiment_data_free(&data);
    lesson_free(&l);
    if (lesson_parse(&l, "tests/fixtures/inline.md", text, strlen(text), &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        fail();
    }
    trainer t;
    if (experiment_data_load(&l.experiments[0], &data, &err) != 0 ||
        experiment_trainer_create(&t, &l.experiments[0], &data, 0, 0, 3, &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        fail();
    }
    assert_int_equal(t.net.n_params, n_out);
    for (size_t k = 0; k < t.net.n_params; k++) /* the generator's formula */
        t.net.params[k] = (float)(0.1 * ((int)((k * 7) % 11) - 5));
    while (!trainer_done(&t))
        trainer_step(&t, STEP_BATCH);
    assert_int_equal(t.state.step, 3);
    memcpy(out, t.net.params, n_out * sizeof(float));
    if (keep)
        *keep = t;
    else
        trainer_destroy(&t);
}

static void run_three_steps(const char *optimizer_line, const char *clip_line, float *out, size_t n_out)
{
    run_steps(plain_layers, optimizer_line, clip_line, out, n_out, NULL);
}

static void expect_golden(const char *opt, const char *clip, const float *golden)
{
    float got[26];
    run_three_steps(opt, clip, got, 26);
    for (int k = 0; k < 26; k++)
        if (!close_rel(got[k], golden[k], 1e-4, 1e-3)) {
            print_error("%s / clip %s: param %d = %.9g, torch %.9g\n", opt, clip, k, got[k], golden[k]);
            fail();
        }
}

static void test_sgd_matches_torch(void **s) { (void)s; expect_golden("sgd lr=0.1", "none", golden_sgd); }
static void test_sgd_weight_decay_matches_torch(void **s)
{
    (void)s;
    expect_golden("sgd lr=0.1 weight_decay=0.01", "none", golden_sgd_wd);
}
static void test_momentum_matches_torch(void **s)
{
    (void)s;
    expect_golden("momentum lr=0.1 momentum=0.9", "none", golden_momentum);
}
static void test_nesterov_matches_torch(void **s)
{
    (void)s;
    expect_golden("momentum lr=0.1 momentum=0.9 nesterov=yes", "none", golden_nesterov);
}
static void test_adagrad_matches_torch(void **s) { (void)s; expect_golden("adagrad lr=0.1", "none", golden_adagrad); }
static void test_rmsprop_matches_torch(void **s) { (void)s; expect_golden("rmsprop lr=0.01", "none", golden_rmsprop); }
static void test_adam_matches_torch(void **s) { (void)s; expect_golden("adam lr=0.01", "none", golden_adam); }
static void test_adam_l2_matches_torch(void **s)
{
    (void)s;
    expect_golden("adam lr=0.01 weight_decay=0.1", "none", golden_adam_wd);
}
static void test_adamw_matches_torch(void **s)
{
    (void)s;
    expect_golden("adamw lr=0.01 weight_decay=0.1", "none", golden_adamw);
}
static void test_clip_norm_matches_torch(void **s)
{
    (void)s; /* weight decay is added after clipping, as optimizer.step() does */
    expect_golden("sgd lr=0.1 weight_decay=0.01", "norm 0.1", golden_clip_norm);
}
static void test_clip_value_matches_torch(void **s) { (void)s; expect_golden("sgd lr=0.1", "value 0.05", golden_clip_value); }

/* BatchNorm1d in training: parameters, running statistics, and the eval-mode outputs that
 * use them, after 3 steps, against torch. */
static void test_batchnorm_matches_torch(void **s)
{
    (void)s;
    float got[34];
    trainer t;
    run_steps("layer = dense 4 linear\nlayer = batchnorm tanh\nlayer = dense 2 linear\n",
              "sgd lr=0.1 weight_decay=0.01", "none", got, 34, &t);
    for (int k = 0; k < 34; k++)
        if (!close_rel(got[k], golden_bn[k], 1e-4, 1e-3)) {
            print_error("batchnorm net: param %d = %.9g, torch %.9g\n", k, got[k], golden_bn[k]);
            fail();
        }
    const layer *bn = &t.net.layers[1];
    for (int j = 0; j < 4; j++) {
        assert_close(bn->running_mean[j], golden_bn_running[j], 1e-4);
        assert_close(bn->running_var[j], golden_bn_running[4 + j], 1e-4);
    }
    int rows[6] = {0, 1, 2, 3, 4, 5};
    workspace *ws = &t.net.eval;
    dataset_gather(t.data, rows, 6, ws->x, NULL);
    net_forward(&t.net, ws, 6, false);
    for (int k = 0; k < 12; k++)
        if (!close_rel(ws->z[2][k], golden_bn_eval_logits[k], 1e-4, 1e-3)) {
            print_error("eval logit %d = %.9g, torch %.9g\n", k, ws->z[2][k], golden_bn_eval_logits[k]);
            fail();
        }
    trainer_destroy(&t);
}

/* The goldens differ from each other: a test comparing the wrong optimizer would fail. */
static void test_goldens_are_distinct(void **s)
{
    (void)s;
    const float *all[] = {golden_sgd, golden_sgd_wd, golden_momentum, golden_nesterov, golden_adagrad,
                          golden_rmsprop, golden_adam, golden_adam_wd, golden_adamw, golden_clip_norm,
                          golden_clip_value};
    int n = (int)(sizeof all / sizeof *all);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double diff = 0;
            for (int k = 0; k < 26; k++)
                diff = fmax(diff, fabs(all[i][k] - all[j][k]));
            assert_true(diff > 1e-4);
        }
}

/* ---- closed forms on one parameter ----------------------------------------------- */

static float step_once(opt_config c, float w, const float *grads, int steps)
{
    optimizer o;
    optim_init(&o, &c, 1);
    for (int t = 0; t < steps; t++) {
        optim_begin(&o, &grads[t], 1);
        optim_update(&o, &w, &grads[t], 0, 1, c.lr);
    }
    optim_free(&o);
    return w;
}

static void test_closed_form_steps(void **s)
{
    (void)s;
    const float g[3] = {0.5f, 0.5f, -2.0f};
    opt_config c = optim_defaults(OPT_SGD);
    c.lr = 0.1f;
    assert_close(step_once(c, 1.0f, g, 1), 1.0 - 0.05, 1e-6);
    /* momentum (lesson form): v1 = -0.05, v2 = 0.9 v1 - 0.05 = -0.095 -> w = 1 - 0.145 */
    c = optim_defaults(OPT_MOMENTUM);
    c.lr = 0.1f;
    assert_close(step_once(c, 1.0f, g, 2), 1.0 - 0.145, 1e-6);
    /* nesterov: w += mu v - lr g: step 1: 0.9(-0.05) - 0.05 = -0.095; step 2: v2 = -0.095,
     * 0.9(-0.095) - 0.05 = -0.1355 -> 1 - 0.2305 */
    c.nesterov = true;
    assert_close(step_once(c, 1.0f, g, 2), 1.0 - 0.2305, 1e-6);
    /* adagrad: s = 0.25 -> step lr * 0.5 / 0.5 = lr; then s = 0.5 -> lr * 0.5 / sqrt(0.5) */
    c = optim_defaults(OPT_ADAGRAD);
    c.lr = 0.1f;
    assert_close(step_once(c, 1.0f, g, 2), 1.0 - 0.1 - 0.1 * 0.5 / sqrt(0.5), 1e-6);
    /* rmsprop: s = 0.01 * 0.25 -> step lr * 0.5 / 0.05 = 10 lr */
    c = optim_defaults(OPT_RMSPROP);
    c.lr = 0.01f;
    assert_close(step_once(c, 1.0f, g, 1), 1.0 - 0.1, 1e-5);
    /* adam's first step is lr * sign(g): m_hat = g, v_hat = g^2 */
    c = optim_defaults(OPT_ADAM);
    c.lr = 0.01f;
    assert_close(step_once(c, 1.0f, g, 1), 1.0 - 0.01, 1e-6);
    assert_close(step_once(c, 1.0f, &g[2], 1), 1.0 + 0.01, 1e-6);
    /* adamw decays first: w (1 - lr wd) - lr sign(g) */
    c = optim_defaults(OPT_ADAMW);
    c.lr = 0.01f;
    c.weight_decay = 0.5f;
    assert_close(step_once(c, 1.0f, g, 1), 1.0 * (1 - 0.005) - 0.01, 1e-6);
    /* normalized: one parameter, |g| = 0.5 -> a step of exactly lr */
    c = optim_defaults(OPT_NORMALIZED);
    c.lr = 0.1f;
    assert_close(step_once(c, 1.0f, g, 1), 0.9, 1e-6);
}

static void test_adam_bias_corrected_moments_exposed(void **s)
{
    (void)s;
    opt_config c = optim_defaults(OPT_ADAM);
    optimizer o;
    optim_init(&o, &c, 1);
    float w = 0.0f, g = 0.3f;
    optim_begin(&o, &g, 1);
    optim_update(&o, &w, &g, 0, 1, c.lr);
    assert_close(o.s1[0], 0.1 * 0.3, 1e-6);      /* m = (1 - b1) g */
    assert_close(optim_m_hat(&o, 0), 0.3, 1e-6);  /* m / (1 - b1^1) = g */
    assert_close(optim_v_hat(&o, 0), 0.09, 1e-5); /* v / (1 - b2^1) = g^2 */
    optim_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd_matches_torch),
        cmocka_unit_test(test_sgd_weight_decay_matches_torch),
        cmocka_unit_test(test_momentum_matches_torch),
        cmocka_unit_test(test_nesterov_matches_torch),
        cmocka_unit_test(test_adagrad_matches_torch),
        cmocka_unit_test(test_rmsprop_matches_torch),
        cmocka_unit_test(test_adam_matches_torch),
        cmocka_unit_test(test_adam_l2_matches_torch),
        cmocka_unit_test(test_adamw_matches_torch),
        cmocka_unit_test(test_clip_norm_matches_torch),
        cmocka_unit_test(test_clip_value_matches_torch),
        cmocka_unit_test(test_batchnorm_matches_torch),
        cmocka_unit_test(test_goldens_are_distinct),
        cmocka_unit_test(test_closed_form_steps),
        cmocka_unit_test(test_adam_bias_corrected_moments_exposed),
    };
    return cmocka_run_group_tests_name("optim", tests, NULL, NULL);
}
