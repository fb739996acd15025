/* Layer normalisation (`layer = layernorm [ACT]`, torch.nn.LayerNorm(width) semantics): training
 * against PyTorch 1.13.1 (golden values from tests/golden/torch_golden.py, ln_case), what the
 * layer computes, and every place a normalisation layer appears: the lesson parser, .npz
 * weights, statistics, stepping back, the narration and the Network panel. The finite-
 * difference gradient check is in test_engine.c (test_gradcheck_layernorm). */
#include "test_common.h"
#include "test_narration.h"
#include "engine/trainer.h"
#include "io/npz.h"
#include "io/weights.h"
#include "lesson/experiment_data.h"
#include "lesson/lesson.h"
#include "ui/app.h"
#include "ui/session.h"
#include "ui/view.h"
#include "golden/torch_golden.h"

#define LN_NET "layer = dense 4 linear\nlayer = layernorm relu\nlayer = dense 2 linear\n"
#define LN_PARAMS 34 /* W0 12, b0 4, gamma 4, beta 4, W2 8, b2 2 */

/* ---- against PyTorch -------------------------------------------------------------- */

/* `steps` steps of batch `batch` on tests/fixtures/tiny.csv in file order from the
 * generator's parameters; then the eval-mode logits of all 6 rows. */
static void train_tiny(const char *opt_line, int batch, int steps, float *params, float *logits)
{
    lesson l;
    experiment_data data = {0};
    char text[1024];
    snprintf(text, sizeof text,
             "# t\n\n```deepstep\ndata = tiny.csv\nbatch = %d\nshuffle = no\n" LN_NET
             "loss = cross_entropy\noptimizer = %s\nepochs = 10\n```\n",
             batch, opt_line);
    ds_error err = {0};
    if (lesson_parse(&l, "tests/fixtures/inline.md", text, strlen(text), &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        fail();
    }
    trainer t;
    if (experiment_data_load(&l.experiments[0], &data, &err) != 0 ||
        experiment_trainer_create(&t, &l.experiments[0], &data, 0, 0, steps, &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        fail();
    }
    assert_int_equal(t.net.n_params, LN_PARAMS);
    for (size_t k = 0; k < t.net.n_params; k++) /* the generator's formula */
        t.net.params[k] = (float)(0.1 * ((int)((k * 7) % 11) - 5) + 0.05);
    memcpy(t.net.params_prev, t.net.params, t.net.n_params * sizeof(float));
    while (!trainer_done(&t))
        trainer_step(&t, STEP_BATCH);
    assert_int_equal(t.state.step, steps);
    memcpy(params, t.net.params, LN_PARAMS * sizeof(float));
    int rows[6] = {0, 1, 2, 3, 4, 5};
    workspace *ws = &t.net.eval;
    dataset_gather(t.data, rows, 6, ws->x, NULL);
    net_forward(&t.net, ws, 6, false);
    memcpy(logits, ws->z[2], 12 * sizeof(float));
    trainer_destroy(&t);
    experiment_data_free(&data);
    lesson_free(&l);
}

/* Agreement to 1e-6 (relative above 1; every value here is below 1, so absolute): measured
 * worst 1.8e-7, a few float32 roundings over 3-4 steps. A wrong
 * eps (1e-4 instead of 1e-5), the unbiased variance or a missing term of the backward pass
 * each moves some value by far more (tried by hand: each fails these tests). */
static int compare(const char *what, const float *got, const float *want, int n)
{
    int bad = 0;
    for (int k = 0; k < n; k++)
        if (!close_rel(got[k], want[k], 1e-6, 1.0)) {
            print_error("%s[%d] = %.9g, torch %.9g\n", what, k, got[k], want[k]);
            bad++;
        }
    return bad;
}

static void expect_golden(const char *opt_line, int batch, int steps, const float *golden, const float *logits)
{
    float p[LN_PARAMS], z[12];
    train_tiny(opt_line, batch, steps, p, z);
    char what[96];
    snprintf(what, sizeof what, "%s batch %d: param", opt_line, batch);
    int bad = compare(what, p, golden, LN_PARAMS);
    snprintf(what, sizeof what, "%s batch %d: eval logit", opt_line, batch);
    bad += compare(what, z, logits, 12);
    assert_int_equal(bad, 0);
}

static void test_sgd_batch2_matches_torch(void **s)
{
    (void)s;
    expect_golden("sgd lr=0.1", 2, 4, golden_ln_sgd_b2, golden_ln_sgd_b2_logits);
}

static void test_adam_batch2_matches_torch(void **s)
{
    (void)s;
    expect_golden("adam lr=0.01", 2, 4, golden_ln_adam_b2, golden_ln_adam_b2_logits);
}

static void test_sgd_batch4_matches_torch(void **s)
{
    (void)s; /* batches of 4, then the last 2 rows: a smaller last batch changes nothing per row */
    expect_golden("sgd lr=0.1 weight_decay=0.01", 4, 4, golden_ln_sgd_b4, golden_ln_sgd_b4_logits);
}

static void test_adam_batch4_matches_torch(void **s)
{
    (void)s;
    expect_golden("adam lr=0.01", 4, 4, golden_ln_adam_b4, golden_ln_adam_b4_logits);
}

static void test_momentum_full_batch_matches_torch(void **s)
{
    (void)s;
    expect_golden("momentum lr=0.1 momentum=0.9", 6, 3, golden_ln_momentum_b6, golden_ln_momentum_b6_logits);
}

/* The comparison has teeth: the goldens differ from one another by far more than the
 * tolerance, so a test fed the wrong case (or the wrong optimizer) fails. */
static void test_goldens_are_distinct(void **s)
{
    (void)s;
    const float *all[] = {golden_ln_sgd_b2, golden_ln_adam_b2, golden_ln_sgd_b4, golden_ln_adam_b4,
                          golden_ln_momentum_b6};
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++) {
            double diff = 0;
            for (int k = 0; k < LN_PARAMS; k++)
                diff = fmax(diff, fabs(all[i][k] - all[j][k]));
            assert_true(diff > 1e-3);
        }
}

/* ---- batch norm on a nearly tied batch ------------------------------------------------ */

/* Three rows whose pre-activations differ by at most 0.0054 (a batch variance below eps, as a
 * 2-row batch of lesson 05 has at step 13). Batch norm's output is the same whatever is added to
 * every row, so the gradient reaching the layer below sums to 0 over the batch: the dense
 * layer's dL/db must be 0. With x - mean in float (before) it was 7e-4 of the gradients'
 * size; torch's CPU kernel, which subtracts in double, gives 1e-7. */
static void test_batchnorm_nearly_tied_batch(void **s)
{
    (void)s;
    layer_spec sp[2] = {DENSE(2, ACT_LINEAR, INIT_UNIFORM), {.kind = LAYER_BATCHNORM, .act = ACT_LINEAR}};
    net n;
    ds_error err = {0};
    assert_int_equal(net_create(&n, 1, sp, 2, LOSS_CROSS_ENTROPY, 3, 3, &err), 0);
    rng r;
    rng_seed(&r, 1, 0);
    net_init_params(&n, &r);
    n.layers[0].W[0] = 1.0f, n.layers[0].W[1] = -0.5f, n.layers[0].b[0] = n.layers[0].b[1] = 0.0f;
    n.layers[1].W[0] = 3.0f, n.layers[1].W[1] = 0.7f;
    workspace *ws = &n.train;
    ws->x[0] = 1.34307f, ws->x[1] = 1.34847f, ws->x[2] = 1.34512f; /* a mean a float cannot hold */
    int labels[3] = {0, 1, 0};
    net_forward(&n, ws, 3, true);
    net_zero_grad(&n, ws);
    net_loss(&n, ws, labels, true);
    net_backward_layer(&n, ws, 1);
    net_backward_layer(&n, ws, 0);
    double big = 0;
    for (int k = 0; k < 6; k++)
        big = fmax(big, fabs(ws->dz[0][k]));
    assert_true(big > 1.0); /* 1/sqrt(var + eps) = 236: the gradient is large */
    for (int j = 0; j < 2; j++)
        assert_true(fabs(n.layers[0].db[j]) < 1e-6 * big);
    net_destroy(&n);
}

/* ---- what the layer computes ------------------------------------------------------- */

/* One layernorm layer (linear, gamma 2, beta 0.5) on 3 rows of 4 features. */
static void make_ln(net *n, int rows)
{
    layer_spec sp[1] = {{.kind = LAYER_LAYERNORM, .act = ACT_LINEAR}};
    ds_error err = {0};
    assert_int_equal(net_create(n, 4, sp, 1, LOSS_MSE, rows, rows, &err), 0);
    rng r;
    rng_seed(&r, 1, 0);
    net_init_params(n, &r);
    for (int j = 0; j < 4; j++) {
        assert_true(n->layers[0].W[j] == 1.0f && n->layers[0].b[j] == 0.0f); /* torch's init */
        n->layers[0].W[j] = 2.0f, n->layers[0].b[j] = 0.5f;
    }
}

/* Each row is normalised over its own features with the biased variance and eps 1e-5:
 * row (1, 2, 3, 4) has mean 2.5 and variance 1.25, so x_hat = (x - 2.5)/sqrt(1.25 + 1e-5).
 * The same in training and in evaluation, and whatever the other rows of the batch are. */
static void test_rows_normalised_alone_same_in_eval(void **s)
{
    (void)s;
    net n;
    make_ln(&n, 3);
    const float x[12] = {1, 2, 3, 4, -10, 0, 10, 20, 5, 5, 5, 5.5f};
    memcpy(n.train.x, x, sizeof x);
    memcpy(n.eval.x, x, sizeof x);
    net_forward(&n, &n.train, 3, true);
    net_forward(&n, &n.eval, 3, false);
    for (int j = 0; j < 4; j++) {
        double want = 2.0 * ((j + 1) - 2.5) / sqrt(1.25 + 1e-5) + 0.5;
        assert_close(n.train.z[0][j], want, 1e-6);
    }
    /* row 3: variance 0.046875, where eps is not negligible */
    assert_close(n.train.z[0][11], 2.0 * 0.375 / sqrt(0.046875 + 1e-5) + 0.5, 1e-6);
    for (int k = 0; k < 12; k++)
        assert_true(n.train.z[0][k] == n.eval.z[0][k]); /* no running statistics: bit for bit */
    /* the first row alone gives the same output: no statistic crosses rows */
    net one;
    make_ln(&one, 1);
    memcpy(one.train.x, x, 4 * sizeof(float));
    net_forward(&one, &one.train, 1, true);
    for (int j = 0; j < 4; j++)
        assert_true(one.train.z[0][j] == n.train.z[0][j]);
    assert_int_equal(n.n_buffers, 0); /* nothing to keep between batches */
    net_destroy(&one);
    net_destroy(&n);
}

/* The kinds before layernorm keep their numbers (saved sessions, tests, fuzz corpora name
 * them), and the kind has its name. */
static void test_kind_appended(void **s)
{
    (void)s;
    assert_int_equal(LAYER_DENSE, 0);
    assert_int_equal(LAYER_BATCHNORM, 1);
    assert_int_equal(LAYER_RESIDUAL_END, 4);
    assert_int_equal(LAYER_LAYERNORM, 5);
    assert_int_equal(LAYER_KIND_COUNT, 6);
    assert_string_equal(layer_kind_name(LAYER_LAYERNORM), "layernorm");
}

/* ---- the lesson parser -------------------------------------------------------------- */

static int parse_block(const char *layers, lesson *l, ds_error *err)
{
    char text[512];
    snprintf(text, sizeof text, "# T\n\n```deepstep\ndata = xor\n%slayer = dense 1 sigmoid\n```\n", layers);
    return lesson_parse(l, "t.md", text, strlen(text), err);
}

static void test_parser(void **s)
{
    (void)s;
    lesson l;
    ds_error err = {0};
    assert_int_equal(parse_block("layer = dense 3 linear\nlayer = layernorm tanh\nlayer = layernorm\n", &l, &err), 0);
    const layer_spec *L = l.experiments[0].train.layers;
    assert_int_equal(L[1].kind, LAYER_LAYERNORM);
    assert_int_equal(L[1].act, ACT_TANH);
    assert_int_equal(L[2].kind, LAYER_LAYERNORM);
    assert_int_equal(L[2].act, ACT_LINEAR); /* the default, as batchnorm's */
    lesson_free(&l);
    assert_int_equal(parse_block("layer = dense 3 linear\nlayer = layernorm relu extra\n", &l, &err), -1);
    assert_int_equal(err.line, 6);
    assert_string_equal(err.msg, "layer: layernorm takes at most an activation: layernorm [ACTIVATION]");
    assert_int_equal(parse_block("layer = layernorm tanhh\n", &l, &err), -1);
    assert_non_null(strstr(err.msg, "unknown activation 'tanhh'"));
    assert_int_equal(parse_block("layer = layernom\n", &l, &err), -1);
    assert_string_equal(err.msg, "layer: unknown layer type 'layernom' (expected dense, batchnorm, layernorm, dropout "
                                 "or residual)");
}

/* ---- weights, statistics, stepping back --------------------------------------------- */

/* layers.{i}.weight = gamma and layers.{i}.bias = beta, shape (out,), as torch's state_dict
 * names them; no running statistics. A save loads back into an identical net. */
static void test_npz_names_and_round_trip(void **s)
{
    (void)s;
    layer_spec sp[3] = {DENSE(3, ACT_LINEAR, INIT_UNIFORM), {.kind = LAYER_LAYERNORM, .act = ACT_RELU},
                        DENSE(2, ACT_LINEAR, INIT_UNIFORM)};
    net n, m;
    ds_error err = {0};
    assert_int_equal(net_create(&n, 2, sp, 3, LOSS_CROSS_ENTROPY, 1, 1, &err), 0);
    assert_int_equal(net_create(&m, 2, sp, 3, LOSS_CROSS_ENTROPY, 1, 1, &err), 0);
    for (size_t k = 0; k < n.n_params; k++)
        n.params[k] = 0.25f * (float)k - 1.0f;
    assert_int_equal(weights_save(&n, "build/tmp/ln.npz", &err), 0);
    npz z;
    assert_int_equal(npz_load(&z, "build/tmp/ln.npz", &err), 0);
    assert_int_equal(z.n, 6);
    const npz_array *g = npz_find(&z, "layers.1.weight"), *b = npz_find(&z, "layers.1.bias");
    assert_non_null(g);
    assert_non_null(b);
    assert_int_equal(g->ndim, 1);
    assert_int_equal(g->shape[0], 3);
    assert_int_equal(b->ndim, 1);
    assert_true(g->data[0] == n.layers[1].W[0] && b->data[2] == n.layers[1].b[2]);
    assert_null(npz_find(&z, "layers.1.running_mean"));
    npz_free(&z);
    assert_int_equal(weights_load(&m, "build/tmp/ln.npz", &err), 0);
    assert_memory_equal(m.params, n.params, n.n_params * sizeof(float));
    net_destroy(&n);
    net_destroy(&m);
}

static session *start(const char *block, lesson *l)
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

#define SPIRAL_LN "data = spiral samples=60 classes=3\nnormalize = zscore\nbatch = 8\n" \
                  "layer = dense 5 linear\nlayer = layernorm tanh\nlayer = dense 3 linear\n"

/* gamma starts as all ones (standard deviation 0): the update ratio compares the update
 * with the RMS, as for batchnorm, so it is a finite number, not +inf. */
static void test_update_ratio_is_finite(void **s)
{
    (void)s;
    lesson l;
    session *ss = start(SPIRAL_LN, &l);
    session_step(ss, STEP_BATCH);
    float r = ss->t.stats[1].update_ratio;
    assert_true(isfinite(r));
    assert_true(r < -0.5f && r > -6.0f);
    stop(ss, &l);
}

/* Stepping back over a layernorm update restores its gamma and beta exactly. */
static void test_step_back_restores(void **s)
{
    (void)s;
    lesson l;
    session *ss = start(SPIRAL_LN, &l);
    session_step(ss, STEP_BATCH);
    const float *gb = ss->t.net.layers[1].W; /* gamma then beta */
    float before[10];
    memcpy(before, gb, sizeof before);
    int micro = 0;
    while (memcmp(before, gb, sizeof before) == 0) {
        assert_true(micro < 50);
        session_step(ss, STEP_MICRO);
        micro++;
    }
    for (int m = 0; m < micro; m++)
        assert_true(session_back(ss));
    assert_int_equal(ss->t.state.step, 1);
    assert_memory_equal(before, gb, sizeof before);
    stop(ss, &l);
}

/* ---- narration and the Network panel ------------------------------------------------ */

static bool step_to(session *s, trainer_phase want, int layer_at)
{
    for (int m = 0; m < 200 && !trainer_done(&s->t); m++) {
        session_step(s, STEP_MICRO);
        if (s->last.phase == want && (layer_at < 0 || s->last.layer == layer_at))
            return true;
    }
    return false;
}

static void expect_in(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) {
        print_error("'%s' not in narration:\n%s\n", needle, hay);
        fail();
    }
}

/* The forward narration gives row 0's own mean and variance (over its 5 features, as the
 * engine computed them) and says evaluation does the same; the update names beta. */
static void test_narration(void **s)
{
    (void)s;
    lesson l;
    session *ss = start(SPIRAL_LN, &l);
    assert_true(step_to(ss, PHASE_FORWARD, 1));
    char text[4096], want[96];
    narration(ss, text, sizeof text);
    expect_in(text, "normalise each row over its 5 units, x_hat = (x - mean)/sqrt(var + 1e-5)");
    double mean, var;
    layernorm_row_stats(ss->t.net.train.a[0], 5, &mean, &var);
    snprintf(want, sizeof want, "row 0: mean = %.4g, var = %.4g (biased, over its 5 units", mean, var);
    expect_in(text, want);
    snprintf(want, sizeof want, "= %.4g", (double)ss->t.net.train.aux[1][0]);
    expect_in(text, want);
    expect_in(text, "no running statistics: evaluation normalises each row exactly as training does");
    assert_true(step_to(ss, PHASE_BACKWARD, 1));
    narration(ss, text, sizeof text);
    expect_in(text, "dL/dgamma[");
    ss->layer = 1;
    ss->buf = BUF_B;
    ss->row = 0, ss->col = 2;
    assert_true(step_to(ss, PHASE_UPDATE, 1));
    narration(ss, text, sizeof text);
    expect_in(text, "Following beta[2]");
    stop(ss, &l);
}

static void test_network_panel_names_the_kind(void **s)
{
    (void)s;
    const char *md = "# L\n\n```deepstep\n" SPIRAL_LN "```\n";
    const char *path = "build/tmp/layernorm_panel.md";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(md, f);
    fclose(f);
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, path, &err), 0);
    assert_non_null(app_run(&a));
    frame fr;
    frame_init(&fr, 160, 48);
    view_draw(&a, &fr);
    assert_true(frame_contains(&fr, "1 layernorm"));
    frame_free(&fr);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd_batch2_matches_torch),
        cmocka_unit_test(test_adam_batch2_matches_torch),
        cmocka_unit_test(test_sgd_batch4_matches_torch),
        cmocka_unit_test(test_adam_batch4_matches_torch),
        cmocka_unit_test(test_momentum_full_batch_matches_torch),
        cmocka_unit_test(test_goldens_are_distinct),
        cmocka_unit_test(test_rows_normalised_alone_same_in_eval),
        cmocka_unit_test(test_batchnorm_nearly_tied_batch),
        cmocka_unit_test(test_kind_appended),
        cmocka_unit_test(test_parser),
        cmocka_unit_test(test_npz_names_and_round_trip),
        cmocka_unit_test(test_update_ratio_is_finite),
        cmocka_unit_test(test_step_back_restores),
        cmocka_unit_test(test_narration),
        cmocka_unit_test(test_network_panel_names_the_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
