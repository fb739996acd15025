/* The gradient check ('d'): backprop in fp32 against complex-step derivatives in double.
 * Correct backprop must pass on every kind of layer, activation and loss the lessons use,
 * also where fp32 is at its limit (lesson 01's raw inputs near 4000, which the old fp32
 * central differences reported as "they disagree!" at 9.5e-2); a gradient 10% off must fail. */
#include "test_common.h"
#include "lesson/lesson.h"
#include "ui/session.h"

#define AGREE 1e-2    /* what the message calls agreement */
#define ACCURATE 1e-3 /* what correct code stays under, beyond fp32's rounding (measured) */

typedef struct fixture {
    lesson l;
    session *s;
} fixture;

static void start_experiment(fixture *f, const experiment *x)
{
    ds_error err = {0};
    f->s = calloc(1, sizeof *f->s);
    assert_non_null(f->s);
    assert_int_equal(session_start(f->s, x, &err), 0);
}

static void start(fixture *f, const char *block)
{
    char text[2048];
    snprintf(text, sizeof text, "# G\n\n```deepstep\n%s```\n", block);
    ds_error err = {0};
    assert_int_equal(lesson_parse(&f->l, "g.md", text, strlen(text), &err), 0);
    start_experiment(f, &f->l.experiments[0]);
}

static void finish(fixture *f)
{
    session_free(f->s);
    free(f->s);
    lesson_free(&f->l);
}

/* The corruption the check must catch: the largest weight (or bias) gradient of one layer,
 * 10% too large, as a backward pass with a wrong factor would leave it. */
static int tamper_layer;
static bool tamper_bias;
static void ten_percent_off(net *n)
{
    layer *L = &n->layers[tamper_layer];
    float *g = tamper_bias ? L->db : L->dW;
    size_t len = tamper_bias ? L->n_params - L->n_weights : L->n_weights;
    g[index_of_largest(g, len)] *= 1.1f;
}

static double check(session *s, int li)
{
    s->layer = li;
    return session_gradcheck(s);
}

static void expect_agree(session *s, int li)
{
    double rel = check(s, li);
    if (!(rel < ACCURATE) || !strstr(s->gradcheck, "(they agree)")) {
        print_error("layer %d: %g: %s\n", li, rel, s->gradcheck);
        fail();
    }
}

static void expect_caught(session *s, int li, bool bias)
{
    tamper_layer = li, tamper_bias = bias;
    s->gradcheck_tamper = ten_percent_off;
    double rel = check(s, li);
    s->gradcheck_tamper = NULL;
    if (!(rel > AGREE) || !strstr(s->gradcheck, "(they disagree!)")) {
        print_error("layer %d %s 10%% off not caught: %g: %s\n", li, bias ? "bias" : "weight", rel, s->gradcheck);
        fail();
    }
}

/* Lesson 01, page 2 ("Raw features"), keys N n n n n d: one batch, then load, forward,
 * forward, loss; the check of layer 0, whose inputs reach 4000 and whose tanh units are
 * mostly saturated. */
static void test_lesson01_raw_inputs(void **state)
{
    (void)state;
    fixture f = {0};
    ds_error err = {0};
    assert_int_equal(lesson_load(&f.l, "lessons/01-values-in-range.md", &err), 0);
    const experiment *x = lesson_find_experiment(&f.l, "raw", &err);
    assert_non_null(x);
    start_experiment(&f, x);
    session_step(f.s, STEP_BATCH);
    for (int m = 0; m < 4; m++)
        session_step(f.s, STEP_MICRO);
    const workspace *ws = &f.s->t.net.train;
    float biggest = 0;
    for (size_t k = 0; k < (size_t)ws->rows * f.s->t.net.n_in; k++)
        biggest = fabsf(ws->x[k]) > biggest ? fabsf(ws->x[k]) : biggest;
    assert_true(biggest > 1000); /* the situation the old check failed in */
    expect_agree(f.s, 0);
    expect_agree(f.s, 1);
    expect_caught(f.s, 0, false);
    expect_caught(f.s, 0, true);
    expect_caught(f.s, 1, false);
    finish(&f);
}

/* Every layer with parameters, after `batches` batches and `micro` more micro-steps. */
static void agree_everywhere(const char *block, int batches, int micro, bool corrupt)
{
    fixture f = {0};
    start(&f, block);
    for (int b = 0; b < batches; b++)
        session_step(f.s, STEP_BATCH);
    for (int m = 0; m < micro; m++)
        session_step(f.s, STEP_MICRO);
    int checked = 0;
    for (int i = 0; i < f.s->t.net.n_layers; i++) {
        const layer *L = &f.s->t.net.layers[i];
        if (!L->n_params)
            continue;
        expect_agree(f.s, i);
        /* a bias just before a batchnorm has no effect (the batch mean takes it out): its
         * gradient is 0, plus fp32 noise, and 10% of that is nothing to catch */
        bool bias_matters = !(i + 1 < f.s->t.net.n_layers && L[1].kind == LAYER_BATCHNORM);
        if (corrupt)
            expect_caught(f.s, i, false);
        if (corrupt && bias_matters)
            expect_caught(f.s, i, true);
        checked++;
    }
    assert_true(checked > 0);
    finish(&f);
}

#define XOR "data = xor\nbatch = 16\n"
#define SPIRAL "data = spiral samples=120 classes=3\nnormalize = zscore\nbatch = 32\nshuffle = yes\n"

static void test_activations_and_losses(void **state)
{
    (void)state;
    static const char *const nets[] = {
        XOR "layer = dense 4 tanh\nlayer = dense 1 sigmoid\nloss = bce\n",
        XOR "layer = dense 4 sigmoid\nlayer = dense 1 sigmoid\nloss = mse\n",
        XOR "layer = dense 4 relu init=he\nlayer = dense 1 linear\nloss = bce\n",
        XOR "layer = dense 4 leaky_relu\nlayer = dense 1 linear\nloss = mse\n",
        SPIRAL "layer = dense 8 relu init=he\nlayer = dense 8 tanh\nlayer = dense 3 linear\n",
        SPIRAL "layer = dense 8 tanh\nlayer = dense 3 softmax\nloss = cross_entropy\n",
        SPIRAL "layer = dense 8 sigmoid\nlayer = dense 3 softmax\nloss = mse\n",
        SPIRAL "layer = dense 6 tanh\nlayer = dense 3 sigmoid\nloss = bce\n",
    };
    for (size_t k = 0; k < sizeof nets / sizeof *nets; k++) {
        agree_everywhere(nets[k], 0, 4, true);  /* the first batch, at the loss */
        agree_everywhere(nets[k], 5, 9, false); /* later, in the middle of a backward pass */
    }
}

static void test_batchnorm_dropout_residual(void **state)
{
    (void)state;
    static const char *const nets[] = {
        SPIRAL "layer = dense 8 linear\nlayer = batchnorm tanh\nlayer = dense 8 linear\nlayer = batchnorm relu\n"
               "layer = dense 3 linear\n",
        SPIRAL "layer = dense 8 relu init=he\nlayer = dropout 0.3\nlayer = dense 8 tanh\nlayer = dropout 0.5\n"
               "layer = dense 3 linear\n",
        SPIRAL "layer = dense 8 tanh\nlayer = residual begin\nlayer = dense 8 tanh\nlayer = dense 8 linear\n"
               "layer = residual end tanh\nlayer = dense 3 linear\n",
        SPIRAL "layer = dense 8 linear\nlayer = residual begin\nlayer = dense 8 linear\nlayer = batchnorm relu\n"
               "layer = dropout 0.2\nlayer = residual end relu\nlayer = dense 3 linear\n",
    };
    for (size_t k = 0; k < sizeof nets / sizeof *nets; k++) {
        agree_everywhere(nets[k], 0, 4, true);
        agree_everywhere(nets[k], 3, 2, false);
    }
}

/* Layer norm's statistics run over each row's units: with an activation, inside a residual
 * block, and as the last layer before the loss. */
static void test_layernorm(void **state)
{
    (void)state;
    static const char *const nets[] = {
        SPIRAL "layer = dense 8 linear\nlayer = layernorm tanh\nlayer = dense 8 linear\nlayer = layernorm relu\n"
               "layer = dense 3 linear\n",
        SPIRAL "layer = dense 8 tanh\nlayer = residual begin\nlayer = dense 8 linear\nlayer = layernorm sigmoid\n"
               "layer = residual end\nlayer = dense 3 linear\nlayer = layernorm\n",
    };
    for (size_t k = 0; k < sizeof nets / sizeof *nets; k++) {
        agree_everywhere(nets[k], 0, 4, true);
        agree_everywhere(nets[k], 3, 2, false);
    }
}

/* bf16 rounding swamps any comparison: the check runs backprop in fp32 and says so. */
static void test_low_precision_checks_in_fp32(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, SPIRAL "layer = dense 8 tanh\nlayer = dense 3 linear\nprecision = bf16\n");
    session_step(f.s, STEP_BATCH);
    session_step(f.s, STEP_MICRO);
    expect_agree(f.s, 0);
    assert_non_null(strstr(f.s->gradcheck, "run in fp32, not bf16"));
    assert_int_equal(f.s->t.net.precision, BF16);
    expect_caught(f.s, 0, false);
    finish(&f);
}

/* Layers without parameters name the ones that have some; no batch, no check. */
static void test_messages(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, SPIRAL "layer = dense 8 tanh\nlayer = dropout 0.3\nlayer = dense 3 linear\n");
    assert_true(isnan(check(f.s, 0)));
    assert_non_null(strstr(f.s->gradcheck, "load a batch first"));
    session_step(f.s, STEP_MICRO);
    assert_true(isnan(check(f.s, 1)));
    assert_string_equal(f.s->gradcheck,
                        "layer 1 (dropout) has no parameters to check: select a layer with weights: layers 0, 2");
    expect_agree(f.s, 2);
    assert_non_null(strstr(f.s->gradcheck, "gradient check, layer 2 (dense, linear): 20 parameters"));
    finish(&f);
    start(&f, XOR "layer = dropout 0.1\nlayer = dense 1 sigmoid\n");
    session_step(f.s, STEP_MICRO);
    check(f.s, 0);
    assert_non_null(strstr(f.s->gradcheck, "select a layer with weights: layer 1"));
    finish(&f);
    /* after divergence there is nothing to compare, and no "they agree" */
    start(&f, XOR "layer = dense 4 relu\nlayer = dense 1 linear\nloss = mse\noptimizer = sgd lr=1e6\n");
    while (!trainer_done(&f.s->t))
        session_step(f.s, STEP_BATCH);
    assert_true(f.s->t.state.div.happened);
    assert_true(isnan(check(f.s, 0)));
    assert_non_null(strstr(f.s->gradcheck, "not numbers (NaN or Inf), training has diverged: nothing to compare"));
    finish(&f);
}

/* The check leaves the trainer as it found it: the same numbers afterwards, bit for bit, as
 * a run without it (with batchnorm, dropout and bf16; in the middle of a forward pass, where
 * dropout's masks are not all drawn yet, and of a backward pass). */
static void test_leaves_training_untouched(void **state)
{
    (void)state;
    const char *block = SPIRAL "layer = dense 8 linear\nlayer = batchnorm tanh\nlayer = dropout 0.3\n"
                             "layer = dense 3 linear\nprecision = bf16\n";
    fixture a = {0}, b = {0};
    start(&a, block);
    start(&b, block);
    for (int m = 1; m <= 9; m++) {
        session_step(a.s, STEP_MICRO);
        session_step(b.s, STEP_MICRO);
        if (m == 3 || m == 9) { /* before the dropout layer's forward pass, and in the backward */
            expect_agree(a.s, 0);
            expect_agree(a.s, 1);
        }
    }
    for (int k = 0; k < 3; k++) {
        session_step(a.s, STEP_EPOCH);
        session_step(b.s, STEP_EPOCH);
    }
    const net *na = &a.s->t.net, *nb = &b.s->t.net;
    assert_memory_equal(na->params, nb->params, na->n_params * sizeof(float));
    assert_memory_equal(na->buffers, nb->buffers, na->n_buffers * sizeof(float));
    assert_true(a.s->t.state.loss == b.s->t.state.loss);
    finish(&a);
    finish(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson01_raw_inputs),
        cmocka_unit_test(test_activations_and_losses),
        cmocka_unit_test(test_batchnorm_dropout_residual),
        cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_low_precision_checks_in_fp32),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_leaves_training_untouched),
    };
    return cmocka_run_group_tests_name("gradcheck", tests, NULL, NULL);
}
