/* The narration prints the constants the engine used: an optimizer's eps and betas as the
 * lesson set them, batch norm's eps and momentum, and f'(z) from act.c. */
#include <math.h>

#include "test_common.h"
#include "test_narration.h"
#include "engine/net.h"
#include "lesson/lesson.h"
#include "ui/narrate.h"
#include "ui/session.h"

/* A session on a one-block lesson; free both with stop(). */
static session *begin(const char *block, lesson *l)
{
    char text[1024];
    snprintf(text, sizeof text, "# N\n\n```deepstep\n%s```\n", block);
    ds_error err = {0};
    assert_int_equal(lesson_parse(l, "n.md", text, strlen(text), &err), 0);
    session *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(session_start(s, &l->experiments[0], &err), 0);
    return s;
}

static void stop(session *s, lesson *l)
{
    session_free(s);
    free(s);
    lesson_free(l);
}

/* Micro-steps up to the first of phase `want` (layer `layer_at`, -1 any); false if none. */
static bool step_to(session *s, trainer_phase want, int layer_at)
{
    for (int m = 0; m < 200 && !trainer_done(&s->t); m++) {
        session_step(s, STEP_MICRO);
        if (s->last.phase == want && (layer_at < 0 || s->last.layer == layer_at))
            return true;
    }
    return false;
}

/* The narration's lines, joined. */
/* Narration of the first micro-step of phase `want` (layer `layer`, -1 any), lines joined. */
static void narrate_at(const char *block, trainer_phase want, int layer_at, char *buf, size_t cap)
{
    lesson l;
    session *s = begin(block, &l);
    assert_true(step_to(s, want, layer_at));
    narration(s, buf, cap);
    assert_true(buf[0] != '\0');
    stop(s, &l);
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
    /* AdamW: the Adam line starts from the decayed weight the decay line gives (it showed the
     * weight before the decay, and the numbers did not add up) */
    narrate_at(NET "optimizer = adamw lr=0.1 weight_decay=0.5\n", PHASE_UPDATE, -1, text, sizeof text);
    const char *d = strstr(text, "decoupled decay first: w <- w*(1 - lr*lambda) = ");
    assert_non_null(d);
    const char *eq = strstr(d + 48, " = ");
    assert_non_null(eq);
    char decayed[32] = "", want[96];
    sscanf(eq + 3, "%31s", decayed);
    snprintf(want, sizeof want, "(sqrt(v_hat) + 1e-8) = %s - 0.1*", decayed);
    expect_in(text, want, true);
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

/* relu writes 0 * z, which is -0 for a negative z: the narration must not show "-0". */
static void test_no_negative_zero(void **s)
{
    (void)s;
    lesson l;
    session *se = begin("data = spiral samples=60 classes=3\nlayer = dense 8 relu init=he\nlayer = dense 3 linear\n", &l);
    assert_true(step_to(se, PHASE_FORWARD, 1));
    const workspace *ws = &se->t.net.train;
    int row = -1; /* a row whose first inputs to layer 1 include a relu zero stored as -0 */
    for (int r = 0; r < ws->rows && row < 0; r++)
        for (int k = 0; k < 3; k++)
            if (ws->a[0][(size_t)r * 8 + k] == 0 && signbit(ws->a[0][(size_t)r * 8 + k]))
                row = r;
    assert_true(row >= 0);
    se->layer = 1, se->buf = BUF_A, se->row = row, se->col = 0;
    char text[4096];
    narration(se, text, sizeof text);
    expect_in(text, "*0 ", true);
    for (const char *p = strstr(text, "-0"); p; p = strstr(p + 1, "-0"))
        if (p[2] != '.' && (p[2] < '0' || p[2] > '9')) { /* -0.48 is a number; -0 alone is not */
            print_error("'-0' in narration:\n%s\n", text);
            fail();
        }
    stop(se, &l);
}

/* "1 step", not "1 steps"; at the end of the last epoch there is no next learning rate. */
static void test_end_of_training(void **s)
{
    (void)s;
    char text[4096];
    narrate_at("data = xor\nlayer = dense 1 sigmoid\nepochs = 1\n", PHASE_END_EPOCH, -1, text, sizeof text);
    expect_in(text, "Training is finished (1 step). ", true);
    expect_in(text, "next epoch", false);
    expect_in(text, "that was the last epoch (its learning rate: 0.1)", true);
    expect_in(text, "PyTorch: print(line)", true); /* every micro-step ends with its PyTorch line */
    narrate_at("data = xor\nlayer = dense 1 sigmoid\nepochs = 2\n", PHASE_END_EPOCH, -1, text, sizeof text);
    expect_in(text, "next epoch's learning rate: 0.1", true);
    narrate_at(NET "clip = norm 1\nschedule = cosine\nvalidation = 0.5\n", PHASE_END_EPOCH, -1, text, sizeof text);
    expect_in(text, "PyTorch: model.eval(); evaluate(x_val, y_val); model.train(); scheduler.step()", true);
    narrate_at(NET "clip = norm 1\n", PHASE_CLIP, -1, text, sizeof text);
    expect_in(text, "PyTorch: torch.nn.utils.clip_grad_norm_(model.parameters(), 1)", true);
    expect_in(text, "Training is finished", false);
    lesson l;
    session *se = begin("data = xor\nlayer = dense 1 sigmoid\nepochs = 2\n", &l);
    while (!trainer_done(&se->t))
        session_step(se, STEP_MICRO);
    se->last.phase = PHASE_DONE; /* what a step past the end reports */
    narration(se, text, sizeof text);
    expect_in(text, "Training is finished: 2 steps, 2 epochs.", true);
    stop(se, &l);
}

/* bf16 with a small learning rate: w + dw rounds back to w for many weights, and the update
 * narration says how many (the trainer's count), none in fp32. */
static void test_lost_updates_are_said(void **s)
{
    (void)s;
    lesson l;
    session *se = begin(NET "precision = bf16\noptimizer = sgd lr=0.0005\n", &l);
    assert_true(step_to(se, PHASE_UPDATE, 0));
    long lost = se->t.stats[0].lost_updates;
    assert_true(lost > 0);
    char text[4096], want[128];
    narration(se, text, sizeof text);
    snprintf(want, sizeof want, "%ld update%s of this layer %s lost to rounding in bf16: w + dw rounds back to w", lost,
             lost == 1 ? "" : "s", lost == 1 ? "was" : "were");
    expect_in(text, want, true);
    stop(se, &l);
    narrate_at(NET "optimizer = sgd lr=0.0005\n", PHASE_UPDATE, 0, text, sizeof text);
    expect_in(text, "lost to rounding", false);
}

/* With loss_scale the gradient buffers hold 256 times the gradient while the norm is the true
 * one: the narration says which is which (and an ordinary norm is not called exploding). */
static void test_loss_scale_is_said(void **s)
{
    (void)s;
    char text[4096];
    narrate_at(NET "loss_scale = 256\n", PHASE_LOSS, -1, text, sizeof text);
    expect_in(text, "loss_scale = 256: the gradients are stored 256 times larger from here on", true);
    narrate_at(NET "loss_scale = 256\n", PHASE_BACKWARD, 1, text, sizeof text);
    expect_in(text, "(that norm is of the true gradient; the values above are loss_scale = 256 times it)", true);
    expect_in(text, "exploding", false);
    narrate_at(NET, PHASE_BACKWARD, 1, text, sizeof text);
    expect_in(text, "loss_scale", false);
}

/* The number after `key` in text (strtod), NAN when key is absent. */
static double number_after(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* Every number a line prints is its own: three lines printed one buffer twice, so a value
 * showed another's number (batch norm's a = gamma, Nesterov's new w = its old w, clipping's
 * norm after = the norm before). Each check recomputes the last number from the others. */
static void test_each_number_is_its_own(void **s)
{
    (void)s;
    char text[4096];
    narrate_at("data = xor\nlayer = dense 3 linear\nlayer = batchnorm tanh\nlayer = dense 1 sigmoid\n", PHASE_FORWARD, 1,
               text, sizeof text);
    const char *zl = strstr(text, "z[");
    assert_non_null(zl);
    const char *semi = strstr(zl, "; a = tanh(z) = ");
    assert_non_null(semi);
    const char *eq = semi;
    while (eq > zl && *eq != '=')
        eq--;
    double z = strtod(eq + 1, NULL);
    double a = strtod(semi + strlen("; a = tanh(z) = "), NULL);
    assert_true(fabs(a - tanh(z)) <= 1e-3 * fmax(1.0, fabs(a)));

    narrate_at(NET "optimizer = momentum lr=0.5 momentum=0.9 nesterov=yes\n", PHASE_UPDATE, -1, text, sizeof text);
    const char *w = strstr(text, "w <- w + gamma*v - lr*g = ");
    assert_non_null(w);
    char line[256];
    size_t m = 0;
    for (const char *q = w + strlen("w <- w + gamma*v - lr*g = "); *q && *q != '\n' && m + 1 < sizeof line; q++)
        if (*q != '(' && *q != ')') /* par() brackets negative numbers */
            line[m++] = *q;
    line[m] = '\0';
    double v[6];
    assert_int_equal(sscanf(line, "%lf + %lf*%lf - %lf*%lf = %lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]), 6);
    assert_true(fabs(v[0] + v[1] * v[2] - v[3] * v[4] - v[5]) <= 1e-3 * fmax(1e-3, fabs(v[5])));
    assert_true(v[5] != v[0]); /* it moved */

    narrate_at(NET "optimizer = sgd lr=0.1\nclip = norm 0.01\n", PHASE_CLIP, -1, text, sizeof text);
    double before = number_after(text, "|g| = sqrt(sum of every squared gradient) = ");
    double factor = number_after(text, "= g * ");
    double after = number_after(text, "now |g| = ");
    assert_true(before > 0.01 && factor < 1);
    assert_true(fabs(after - 0.01) <= 1e-3); /* clipped to theta */
    assert_true(fabs(after - before * factor) <= 1e-3 * before);
}

/* The first update's earlier optimizer state is 0, not rounding noise solved back from the
 * new state (-1.9e-10); a load with normalize = none does not claim to normalise. */
static void test_first_update_and_raw_load(void **s)
{
    (void)s;
    char text[4096];
    narrate_at(NET "optimizer = adam lr=0.01\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "m <- b1*m + (1-b1)*g = 0.9*0 + ", true);
    expect_in(text, "v <- b2*v + (1-b2)*g^2 = 0.999*0 + ", true);
    narrate_at(NET "optimizer = adagrad lr=0.01\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "s <- s + g^2 = 0 + ", true);
    narrate_at(NET "optimizer = momentum lr=0.1 momentum=0.9\n", PHASE_UPDATE, -1, text, sizeof text);
    expect_in(text, "v <- gamma*v - lr*g = 0.9*0 - ", true);
    narrate_at(NET, PHASE_LOAD_BATCH, -1, text, sizeof text);
    expect_in(text, "the features as the file has them (normalize = none)", true);
    expect_in(text, "normalised feature by feature", false);
}

/* With loss scaling the loss step's formula carries the scale, so its number is the formula's
 * (it printed "/ 4: dL/dz = 0.7256" where anything over 4 is at most 0.25). */
static void test_loss_formula_carries_the_scale(void **s)
{
    (void)s;
    char text[4096];
    narrate_at("data = xor\nlayer = dense 3 tanh\nlayer = dense 2 linear\nloss = cross_entropy\nloss_scale = 256\n",
               PHASE_LOSS, -1, text, sizeof text);
    expect_in(text, "dL/dz = (softmax(z) - onehot(label)) / 4 x 256 (loss_scale): ", true);
    const char *p = strstr(text, "(loss_scale): dL/dz[");
    assert_non_null(p);
    p = strstr(p, "] = ");
    assert_non_null(p);
    assert_true(fabs(strtod(p + 4, NULL)) <= 256.0 / 4.0); /* |softmax - onehot| <= 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_shows_the_lessons_eps),
        cmocka_unit_test(test_batchnorm_constants),
        cmocka_unit_test(test_backward_uses_the_engines_derivative),
        cmocka_unit_test(test_no_negative_zero),
        cmocka_unit_test(test_end_of_training),
        cmocka_unit_test(test_lost_updates_are_said),
        cmocka_unit_test(test_loss_scale_is_said),
        cmocka_unit_test(test_each_number_is_its_own),
        cmocka_unit_test(test_first_update_and_raw_load),
        cmocka_unit_test(test_loss_formula_carries_the_scale),
    };
    return cmocka_run_group_tests_name("narrate", tests, NULL, NULL);
}
