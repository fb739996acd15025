/* Reduced precision in training: the fast rounding the trainer uses (against the generic
 * encoder), fp32 master weights (`precision = bf16 master=fp32`) and how the option parses. */
#include "test_common.h"

#include "common/rng.h"
#include "engine/fp.h"
#include "engine/trainer.h"
#include "lesson/experiment_data.h"
#include "lesson/lesson.h"

static lesson the_lesson;

typedef struct trainer_with_data {
    trainer t; /* first, so a trainer * is one of these */
    experiment_data data;
} trainer_with_data;

/* A trainer for one ```deepstep block; NULL (and err filled) when the block is refused. */
static trainer *make_trainer(const char *block, ds_error *err)
{
    char text[2048];
    snprintf(text, sizeof text, "# t\n\n```deepstep\n%s```\n", block);
    memset(err, 0, sizeof *err);
    lesson_free(&the_lesson);
    if (lesson_parse(&the_lesson, "tests/fixtures/inline.md", text, strlen(text), err) != 0)
        return NULL;
    trainer_with_data *o = calloc(1, sizeof *o);
    const experiment *x = &the_lesson.experiments[0];
    if (experiment_data_load(x, &o->data, err) != 0 || experiment_trainer_create(&o->t, x, &o->data, 0, 0, 0, err) != 0) {
        experiment_data_free(&o->data);
        free(o);
        return NULL;
    }
    return &o->t;
}

static void free_trainer(trainer *t)
{
    trainer_with_data *o = (trainer_with_data *)t;
    trainer_destroy(&o->t);
    experiment_data_free(&o->data);
    free(o);
}

static int same_value(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

static void expect_fast_equals_encoder(float x)
{
    for (fp_format f = BF16; f <= FP16; f++) {
        double want = fp_encode(x, f).value, got = fp_round_f(x, f);
        if (!same_value(got, want) || (!isnan(want) && signbit(got) != signbit(want))) { /* -0 stays -0 */
            print_error("%s(%a) = %a, fp_encode says %a\n", fp_spec_of(f)->name, (double)x, got, want);
            fail();
        }
        float one = x;
        fp_round_array(&one, 1, f);
        assert_true(same_value(one, got));
    }
}

/* The bit tricks give fp_encode's value for every float: the edges (each format's largest
 * value and its overflow threshold, the smallest normal, subnormals and the halfway point
 * below the smallest one, ties, Inf, NaN, -0), a stride through all 2^32 bit patterns, and
 * random floats. */
static void test_fast_rounding_matches_encoder(void **s)
{
    (void)s;
    const float edges[] = {0.0f, -0.0f, 1.0f, 65504.0f, 65519.99f, 65520.0f, 65536.0f, 0x1p-14f, 0x1.ffcp-15f,
                           0x1p-24f, 0x1p-25f, 0x1.000002p-25f, 0x1.8p-24f, 0x1p-26f, 0x1p-126f, 0x1p-133f,
                           0x1p-134f, 0x1p-149f, 3.3895314e38f, 3.4028235e38f, INFINITY, -INFINITY, NAN,
                           1.0f + 0x1p-8f, 1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 0.1f, -2.5e-8f};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        expect_fast_equals_encoder(edges[i]);
        expect_fast_equals_encoder(-edges[i]);
    }
    for (uint64_t u = 0; u < (1ull << 32); u += 4099) { /* 4099 is odd: every low bit pattern occurs */
        float x;
        uint32_t b = (uint32_t)u;
        memcpy(&x, &b, sizeof x);
        expect_fast_equals_encoder(x);
    }
    rng r;
    rng_seed(&r, 2, 1);
    for (int i = 0; i < 100000; i++) {
        float x = (float)ldexp(rng_uniform(&r) * 2 - 1, (int)rng_below(&r, 60) - 40);
        expect_fast_equals_encoder(x);
    }
    /* a double that is no float still takes the generic path: rounded once, from the double */
    assert_true(fp_round(1.0 + 0x1p-40, BF16) == 1.0);
    /* above bf16's tie between 1 and 1 + 2^-7 as a double, exactly on it as a float (which
     * rounds to the even 1): the double must not be rounded to a float first */
    assert_true(fp_round(1.0 + 0x1p-8 + 0x1p-40, BF16) == 1.0 + 0x1p-7);
}

#define SMALL_STEPS "data = moons samples=40\nbatch = full\nlayer = dense 8 tanh\nlayer = dense 1 sigmoid\n"

/* With lr = 1e-4 every update is far below half a bf16 ulp of its weight. Without master
 * weights each one is lost: the weights never move, whatever the number of steps. With them
 * the fp32 copy moves by exactly lr * g per step (the net's bf16 copy, and so the gradient,
 * stay the same until the sum crosses half an ulp), and in the end the net's weights move. */
static void test_master_weights_keep_small_updates(void **s)
{
    (void)s;
    ds_error err;
    trainer *plain = make_trainer(SMALL_STEPS "optimizer = sgd lr=1e-4\nprecision = bf16\nepochs = 3000\n", &err);
    assert_non_null(plain);
    trainer *master = make_trainer(SMALL_STEPS "optimizer = sgd lr=1e-4\nprecision = bf16 master=fp32\nepochs = 3000\n",
                                   &err);
    assert_non_null(master);
    assert_null(plain->master);
    assert_non_null(master->master);
    size_t np = plain->net.n_params;
    assert_int_equal(master->net.n_params, np);
    float *init = malloc(np * sizeof(float)), *ref = malloc(np * sizeof(float)), *g = malloc(np * sizeof(float));
    float *minit = malloc(np * sizeof(float));
    memcpy(init, plain->net.params, np * sizeof(float));
    assert_memory_equal(master->net.params, init, np * sizeof(float)); /* the same bf16 start */
    memcpy(ref, master->master, np * sizeof(float));
    memcpy(minit, master->master, np * sizeof(float)); /* the fp32 weights as initialised */

    trainer_step(plain, STEP_BATCH);
    trainer_step(master, STEP_BATCH);
    memcpy(g, master->net.grads, np * sizeof(float));
    assert_memory_equal(plain->net.grads, g, np * sizeof(float));
    long nonzero = 0;
    for (size_t k = 0; k < np; k++) {
        nonzero += g[k] != 0.0f;
        ref[k] -= 1e-4f * g[k]; /* optim_update's sgd, in fp32 */
    }
    long lost = 0, kept = 0;
    for (int i = 0; i < plain->net.n_layers; i++)
        lost += plain->stats[i].lost_updates, kept += master->stats[i].lost_updates;
    assert_true(nonzero > 30);
    assert_int_equal(lost, nonzero); /* every update that was not 0 was lost */
    assert_int_equal(kept, 0);
    assert_memory_equal(plain->net.params, init, np * sizeof(float));
    assert_memory_equal(master->net.params, init, np * sizeof(float)); /* the bf16 copy did not move either */
    assert_memory_equal(master->master, ref, np * sizeof(float));      /* but the fp32 copy did, by lr * g */
    /* the inspector's story of a weight: its fp32 copy moved by -lr*g, the bf16 one stayed */
    for (size_t k = 0; k < np; k++) {
        param_story p = trainer_param_story(master, k), q = trainer_param_story(plain, k);
        assert_true(p.master && !q.master);
        assert_true(p.before == minit[k] && p.after == ref[k] && p.stored_before == init[k] && p.stored_after == init[k]);
        assert_true(q.before == init[k] && q.after == init[k]); /* without master weights: lost */
        assert_true(p.delta == (double)ref[k] - minit[k]);
    }

    /* four more steps: the same gradient each time, so the fp32 copy is 5 steps of lr * g */
    for (int step = 0; step < 4; step++) {
        trainer_step(master, STEP_BATCH);
        assert_memory_equal(master->net.grads, g, np * sizeof(float));
        for (size_t k = 0; k < np; k++)
            ref[k] -= 1e-4f * g[k];
    }
    assert_memory_equal(master->master, ref, np * sizeof(float));

    /* train both to the end: the plain net never changed; the master net's bf16 weights did */
    while (!trainer_done(plain))
        trainer_step(plain, STEP_EPOCH);
    while (!trainer_done(master))
        trainer_step(master, STEP_EPOCH);
    assert_memory_equal(plain->net.params, init, np * sizeof(float));
    long changed = 0;
    for (size_t k = 0; k < np; k++) {
        changed += master->net.params[k] != init[k];
        assert_true(master->net.params[k] == fp_round_f(master->master[k], BF16)); /* the rounding of the copy */
    }
    print_message("bf16, lr 1e-4, 3000 steps: %ld of %zu weights moved with master weights, 0 without; "
                  "train loss %.6f vs %.6f\n",
                  changed, np, master->state.last_epoch.train_loss, plain->state.last_epoch.train_loss);
    assert_true(changed > (long)np / 2);
    assert_true(master->state.last_epoch.train_loss < plain->state.last_epoch.train_loss - 0.01);
    free(init);
    free(minit);
    free(ref);
    free(g);
    free_trainer(plain);
    free_trainer(master);
}

/* Adam's second moment (1 - b2) g^2 is below bf16's precision and fp16's range for small g:
 * without master weights it is stored in the format, with them it stays fp32. */
static void test_master_weights_keep_optimizer_state_in_fp32(void **s)
{
    (void)s;
    ds_error err;
#define ADAM_FP16 SMALL_STEPS "optimizer = adam lr=0.001\nepochs = 1\nprecision = fp16"
    trainer *plain = make_trainer(ADAM_FP16 "\n", &err);
    trainer *master = make_trainer(ADAM_FP16 " master=fp32\n", &err);
    assert_non_null(plain);
    assert_non_null(master);
    trainer_step(plain, STEP_BATCH);
    trainer_step(master, STEP_BATCH);
    size_t np = plain->net.n_params, off_fp16 = 0, zero_fp16 = 0;
    for (size_t k = 0; k < np; k++) {
        assert_true(plain->opt.s2[k] == fp_round_f(plain->opt.s2[k], FP16));
        off_fp16 += master->opt.s2[k] != fp_round_f(master->opt.s2[k], FP16);
        zero_fp16 += plain->opt.s2[k] == 0.0f && master->opt.s2[k] != 0.0f;
    }
    assert_true(off_fp16 > np / 2);
    assert_true(zero_fp16 > 0); /* the trap the lesson names: v underflowed to 0 in fp16 */
    free_trainer(plain);
    free_trainer(master);
}

/* Weights set from outside (loaded, or typed in the inspector) become the fp32 copy; the net
 * computes with their rounding. */
static void test_master_weights_take_set_and_loaded_values(void **s)
{
    (void)s;
    ds_error err;
    trainer *t = make_trainer(SMALL_STEPS "precision = bf16 master=fp32\n", &err);
    assert_non_null(t);
    trainer_set_param(t, 3, 0.1f);
    assert_true(t->master[3] == 0.1f);
    assert_true(t->net.params[3] == fp_round_f(0.1f, BF16));
    assert_true(t->net.params[3] != 0.1f);
    t->net.params[5] = 1.0f + 0x1p-12f; /* as --load writes them, then trainer_apply_precision */
    trainer_apply_precision(t);
    assert_true(t->master[5] == 1.0f + 0x1p-12f);
    assert_true(t->net.params[5] == 1.0f);
    free_trainer(t);
}

/* Stepping back restores the fp32 copy too: a batch stepped again after a restore gives the
 * same master weights, to the bit (the snapshot left the copy out, and b then n drifted). */
static void test_master_weights_step_back(void **s)
{
    (void)s;
    ds_error err;
    trainer *t = make_trainer(SMALL_STEPS "optimizer = sgd lr=0.5\nprecision = bf16 master=fp32\nepochs = 5\n", &err);
    assert_non_null(t);
    trainer_step(t, STEP_BATCH);
    trainer_snapshot snap = {0};
    trainer_snapshot_save(t, &snap);
    trainer_step(t, STEP_BATCH);
    size_t n = t->net.n_params;
    float *after = malloc(n * sizeof(float));
    memcpy(after, t->master, n * sizeof(float));
    assert_true(memcmp(after, t->master_prev, n * sizeof(float)) != 0); /* the step moved it */
    trainer_snapshot_restore(t, &snap);
    trainer_step(t, STEP_BATCH);
    assert_memory_equal(after, t->master, n * sizeof(float));
    free(after);
    trainer_snapshot_free(&snap);
    free_trainer(t);
}

/* Early stopping keeps and restores the fp32 copy: the restored net is the best epoch's. */
static void test_master_weights_survive_early_stopping(void **s)
{
    (void)s;
    ds_error err;
    trainer *t = make_trainer("data = moons samples=60\nvalidation = 0.3\nbatch = full\nlayer = dense 8 tanh\n"
                              "layer = dense 1 sigmoid\noptimizer = sgd lr=30\nepochs = 200\nearly_stop = patience=2\n"
                              "precision = bf16 master=fp32\n",
                              &err);
    assert_non_null(t);
    while (!trainer_done(t))
        trainer_step(t, STEP_EPOCH);
    assert_true(t->state.early.stopped); /* lr 30 overshoots: the validation loss rises soon */
    size_t np = t->net.n_params;
    assert_memory_equal(t->master, t->best_params, np * sizeof(float));
    for (size_t k = 0; k < np; k++)
        assert_true(t->net.params[k] == fp_round_f(t->best_params[k], BF16));
    free_trainer(t);
}

static void expect_refused(const char *value, const char *message)
{
    char block[256];
    snprintf(block, sizeof block, "data = moons\nlayer = dense 1 sigmoid\nprecision = %s\n", value);
    ds_error err;
    assert_null(make_trainer(block, &err));
    if (err.line != 6 || !strstr(err.msg, message)) {
        print_error("precision = %s: %s:%d: %s (expected line 6 and '%s')\n", value, err.file, err.line, err.msg,
                    message);
        fail();
    }
}

/* `precision = F` means what it always meant; `master=fp32` is the one option. */
static void test_precision_option_parses(void **s)
{
    (void)s;
    ds_error err;
    const char *forms[] = {"fp32", "bf16", "fp16", "bf16 master=fp32", "fp16 master=fp32"};
    const fp_format want[] = {FP32, BF16, FP16, BF16, FP16};
    for (int i = 0; i < 5; i++) {
        char block[256];
        snprintf(block, sizeof block, "data = moons\nlayer = dense 1 sigmoid\nprecision = %s\n", forms[i]);
        trainer *t = make_trainer(block, &err);
        assert_non_null(t);
        assert_int_equal(t->cfg.precision, want[i]);
        assert_int_equal(t->cfg.master_fp32, i >= 3);
        assert_int_equal(t->master != NULL, i >= 3);
        free_trainer(t);
    }
    expect_refused("fp32 master=fp32", "master=fp32 needs bf16 or fp16");
    expect_refused("bf16 master=fp16", "master copy of the weights can only be fp32");
    expect_refused("bf16 master", "unknown option 'master'");
    expect_refused("bf16 keep=fp32", "unknown option 'keep'");
    expect_refused("bf16 master=fp32 x", "at most master=fp32");
    expect_refused("fp8", "is not one of fp32, bf16, fp16");
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
        cmocka_unit_test(test_fast_rounding_matches_encoder),
        cmocka_unit_test(test_master_weights_keep_small_updates),
        cmocka_unit_test(test_master_weights_keep_optimizer_state_in_fp32),
        cmocka_unit_test(test_master_weights_take_set_and_loaded_values),
        cmocka_unit_test(test_master_weights_survive_early_stopping),
        cmocka_unit_test(test_precision_option_parses),
        cmocka_unit_test(test_master_weights_step_back),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
