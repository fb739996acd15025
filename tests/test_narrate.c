/* The narration prints the constants the engine used: an optimizer's eps and betas as the
 * lesson set them, batch norm's eps and momentum, and f'(z) from act.c. */
#include "test_common.h"
#include "engine/net.h"
#include "lesson/lesson.h"
#include "ui/narrate.h"
#include "ui/session.h"

/* Narration of the first micro-step of phase `want` (layer `layer`, -1 any), lines joined. */
static void narrate_at(const char *block, trainer_phase want, int layer_at, char *buf, size_t cap)
{
    char text[1024];
    snprintf(text, sizeof text, "# N\n\n```deepstep\n%s```\n", block);
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "n.md", text, strlen(text), &err), 0);
    session *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(session_start(s, &l.experiments[0], &err), 0);
    buf[0] = '\0';
    for (int m = 0; m < 200; m++) {
        session_step(s, STEP_MICRO);
        if (s->last.phase != want || (layer_at >= 0 && s->last.layer != layer_at))
            continue;
        char lines[NARRATE_LINES][NARRATE_COLS];
        int n = narrate(s, lines);
        for (int i = 0; i < n; i++) {
            strncat(buf, lines[i], cap - strlen(buf) - 1);
            strncat(buf, "\n", cap - strlen(buf) - 1);
        }
        break;
    }
    assert_true(buf[0] != '\0');
    session_free(s);
    free(s);
    lesson_free(&l);
}

static void expect_in(const char *hay, const char *needle, bool present)
{
    if ((strstr(hay, needle) != NULL) != present) {
        print_error("'%s' %s narration:\n%s\n", needle, present ? "not in" : "unexpectedly in", hay);
        fail();
    }
}

#define NET "data = xor\nlayer = dense 3 tanh\nlayer = dense 1 sigmoid\nepochs = 2\n"

/* Before, "1e-8" (and adagrad's "1e-10") was written into the text whatever the lesson said. */
static void test_update_shows_the_lessons_eps(void **s)
{
    (void)s;
    char text[4096];
    narrate_at(NET "optimizer = adam lr=0.01 eps=1e-6\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "w <- w - lr*m_hat/(sqrt(v_hat) + 1e-6) = ", true);
    expect_in(text, "1e-8", false);
    narrate_at(NET "optimizer = adamw lr=0.01 eps=1e-6\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "(sqrt(v_hat) + 1e-6) = ", true);
    narrate_at(NET "optimizer = rmsprop lr=0.01 eps=1e-6\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "w <- w - lr*g/(sqrt(s) + 1e-6) = ", true);
    narrate_at(NET "optimizer = adagrad lr=0.01 eps=1e-6\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "w <- w - lr*g/(sqrt(s) + 1e-6) = ", true);
    narrate_at(NET "optimizer = rmsprop lr=0.01 eps=2.5e-7\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "(sqrt(s) + 2.5e-7) = ", true);
    /* the defaults read as they always did (torch's: adam and rmsprop 1e-8, adagrad 1e-10) */
    narrate_at(NET "optimizer = adam lr=0.01\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "w <- w - lr*m_hat/(sqrt(v_hat) + 1e-8) = ", true);
    narrate_at(NET "optimizer = rmsprop lr=0.01\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "(sqrt(s) + 1e-8) = ", true);
    narrate_at(NET "optimizer = adagrad lr=0.01\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "(sqrt(s) + 1e-10) = ", true);
    /* betas as set */
    narrate_at(NET "optimizer = adam lr=0.01 beta1=0.8 beta2=0.95\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "m <- b1*m + (1-b1)*g = 0.8*", true);
    expect_in(text, "v <- b2*v + (1-b2)*g^2 = 0.95*", true);
}

/* Batch norm's eps and running-stat momentum come from net.h (BN_EPS 1e-5, BN_MOMENTUM 0.1). */
static void test_batchnorm_constants(void **s)
{
    (void)s;
    char text[4096];
    narrate_at("data = xor\nlayer = dense 3 linear\nlayer = batchnorm tanh\nlayer = dense 1 sigmoid\n", PHASE_FORWARD, 1,
               text, sizeof text);
    expect_in(text, "x_hat = (x - mean)/sqrt(var + 1e-5), then", true);
    expect_in(text, "running mean <- 0.9*old + 0.1*batch mean = ", true);
}

/* f'(z) in the backward narration is act_derivative's, and dz = da * f'(z) holds to float
 * rounding with the engine's own dz. */
static void test_backward_uses_the_engines_derivative(void **s)
{
    (void)s;
    char text[4096], want[64];
    narrate_at("data = xor\nlayer = dense 3 leaky_relu\nlayer = dense 1 sigmoid\n", PHASE_BACKWARD, 0, text,
               sizeof text);
    expect_in(text, "where f'(z) = 1 if z > 0, else 0.01: dL/dz[0][0] = ", true);
    narrate_at("data = xor\nlayer = dense 3 leaky_relu\nlayer = dense 1 sigmoid\n", PHASE_FORWARD, 0, text,
               sizeof text);
    snprintf(want, sizeof want, "a = z if z > 0, else %.4g*z", (double)LEAKY_RELU_SLOPE);
    expect_in(text, want, true);
    assert_float_equal(act_derivative(ACT_TANH, 0.3, 0.5), 0.75, 0);
    assert_float_equal(act_derivative(ACT_SIGMOID, 0.0, 0.25), 0.1875, 0);
    assert_float_equal(act_derivative(ACT_LEAKY_RELU, -2.0, -0.02), LEAKY_RELU_SLOPE, 0);
    assert_float_equal(act_derivative(ACT_RELU, 0.0, 0.0), 0.0, 0); /* f'(0) = 0, as torch */
    assert_float_equal(act_derivative(ACT_LINEAR, -7.0, -7.0), 1.0, 0);
    assert_true(isnan(act_derivative(ACT_SOFTMAX, 0.0, 0.5)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_shows_the_lessons_eps),
        cmocka_unit_test(test_batchnorm_constants),
        cmocka_unit_test(test_backward_uses_the_engines_derivative),
    };
    return cmocka_run_group_tests_name("narrate", tests, NULL, NULL);
}
