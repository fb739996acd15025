/* Engine numerics: finite-difference gradient checks for every activation x loss, the
 * fast dense kernel against the reference, init statistics, RNG determinism, losses. */
#include <float.h>
#include <stdbool.h>
#include <unistd.h>

#include "test_common.h"
#include "engine/net.h"

/* ---- finite differences ------------------------------------------------------------ */

typedef struct gc_case {
    activation hidden, last;
    loss_kind loss;
    int K;
} gc_case;

static double loss_at(net *n, int rows, const int *labels)
{
    net_forward(n, &n->train, rows, true);
    return net_loss(n, &n->train, labels, false);
}

/* Backprop vs central differences, per parameter and along a random direction.
 * Float32 forward passes limit the per-element check; the directional derivative sums
 * over all parameters and is checked tightly. An all-zero gradient is a failure. */
static void gradcheck_net(const layer_spec *s, int n_layers, const gc_case *c, unsigned seed);

static void gradcheck(const gc_case *c, unsigned seed)
{
    layer_spec s[3] = {DENSE(5, c->hidden, INIT_XAVIER), DENSE(4, c->hidden, INIT_XAVIER),
                       DENSE(c->K, c->last, INIT_XAVIER)};
    gradcheck_net(s, 3, c, seed);
}

static void gradcheck_net(const layer_spec *s, int n_layers, const gc_case *c, unsigned seed)
{
    enum { ROWS = 4, IN = 3 };
    net n;
    ds_error err;
    assert_int_equal(net_create(&n, IN, s, n_layers, c->loss, ROWS, ROWS, &err), 0);
    assert_int_equal(net_out_width(&n), c->K); /* labels are drawn below K */
    rng_seed(&n.dropout_rng, seed, RNG_STREAM_DROPOUT);
    rng r;
    rng_seed(&r, seed, 9);
    /* ReLU-like units have a kink at z = 0 where finite differences straddle two slopes:
     * draw again until every hidden pre-activation is at least 0.05 away from it. */
    bool kinked_hidden = c->hidden == ACT_RELU || c->hidden == ACT_LEAKY_RELU;
    bool kinked_last = c->last == ACT_RELU || c->last == ACT_LEAKY_RELU;
    for (int attempt = 0;; attempt++) {
        assert_true(attempt < 100);
        for (size_t i = 0; i < n.n_params; i++)
            n.params[i] = (float)(rng_gauss(&r) * 0.6);
        for (int i = 0; i < ROWS * IN; i++)
            n.train.x[i] = (float)rng_gauss(&r);
        n.freeze_masks = false;
        net_forward(&n, &n.train, ROWS, true); /* draws the dropout masks once ... */
        n.freeze_masks = true;                 /* ... and every later pass reuses them */
        float nearest = INFINITY;
        int alive = 0, last = n_layers - 1; /* a ReLU output layer with every unit off has a true gradient of 0 */
        for (int l = 0; l < n_layers; l++)
            for (int i = 0; i < ROWS * n.layers[l].n_out; i++) {
                if ((l < last && kinked_hidden) || (l == last && kinked_last))
                    nearest = fminf(nearest, fabsf(n.train.z[l][i]));
                alive += l == last && n.train.z[l][i] > 0.0f;
            }
        if (nearest > 0.05f && (c->last != ACT_RELU || alive >= ROWS))
            break;
    }
    int labels[ROWS];
    for (int i = 0; i < ROWS; i++)
        labels[i] = (int)rng_below(&r, (uint32_t)(c->K == 1 ? 2 : c->K));

    n.train.rows = ROWS;
    net_forward(&n, &n.train, ROWS, true);
    net_zero_grad(&n, &n.train);
    net_loss(&n, &n.train, labels, true);
    for (int i = n_layers - 1; i >= 0; i--)
        net_backward_layer(&n, &n.train, i);
    double *g = calloc(n.n_params, sizeof *g), gnorm = 0.0;
    for (size_t i = 0; i < n.n_params; i++) {
        g[i] = n.grads[i];
        gnorm += g[i] * g[i];
    }
    assert_true(sqrt(gnorm) > 1e-4); /* a zero gradient would "pass" any check */

    const double eps = 1e-2;
    double worst = 0.0;
    for (size_t i = 0; i < n.n_params; i++) {
        float keep = n.params[i];
        n.params[i] = keep + (float)eps;
        double lp = loss_at(&n, ROWS, labels);
        n.params[i] = keep - (float)eps;
        double lm = loss_at(&n, ROWS, labels);
        n.params[i] = keep;
        double num = (lp - lm) / (2 * eps);
        double e = fabs(num - g[i]) / fmax(fabs(num) + fabs(g[i]), 1e-2);
        worst = e > worst ? e : worst;
    }
    /* Along d = g/|g| + r/|r| (r random): (L(p + eps d) - L(p - eps d)) / 2 eps against g . d.
     * Half of d follows the gradient so g . d is never tiny; the random half still exposes
     * any wrong component. */
    float *d = calloc(n.n_params, sizeof *d), *p0 = calloc(n.n_params, sizeof *p0);
    double *rv = calloc(n.n_params, sizeof *rv), rnorm = 0.0;
    memcpy(p0, n.params, n.n_params * sizeof *p0);
    for (size_t i = 0; i < n.n_params; i++) {
        rv[i] = rng_gauss(&r);
        rnorm += rv[i] * rv[i];
    }
    double gd = 0.0;
    for (size_t i = 0; i < n.n_params; i++) {
        d[i] = (float)(g[i] / sqrt(gnorm) + rv[i] / sqrt(rnorm));
        gd += g[i] * d[i];
    }
    const double eps_d = 1e-2;
    for (size_t i = 0; i < n.n_params; i++)
        n.params[i] = p0[i] + (float)eps_d * d[i];
    double lp = loss_at(&n, ROWS, labels);
    for (size_t i = 0; i < n.n_params; i++)
        n.params[i] = p0[i] - (float)eps_d * d[i];
    double lm = loss_at(&n, ROWS, labels);
    double dir = (lp - lm) / (2 * eps_d);
    double dir_err = fabs(dir - gd) / fabs(gd);
    if (getenv("GRADCHECK_VERBOSE"))
        fprintf(stderr, "%-10s %-10s %-13s per-element %.2e directional %.2e\n", act_name(c->hidden),
                act_name(c->last), loss_name(c->loss), worst, dir_err);
    free(rv);
    /* Directional: < 1e-3 relative. Per element: < 1e-2, the floor float32 forward passes
     * with eps = 1e-2 allow (observed worst about 5e-3). */
    if (worst > 1e-2 || dir_err > 1e-3) {
        print_error("hidden %s, last %s, loss %s: per-element %.3g, directional %.3g (num %.6g vs %.6g)\n",
                    act_name(c->hidden), act_name(c->last), loss_name(c->loss), worst, dir_err, dir, gd);
        fail();
    }
    free(g);
    free(d);
    free(p0);
    net_destroy(&n);
}

static void test_gradcheck_mse_every_activation(void **state)
{
    (void)state;
    for (int h = 0; h < ACT_COUNT; h++)
        for (int l = 0; l < ACT_COUNT; l++) {
            gc_case c = {(activation)h, (activation)l, LOSS_MSE, 3};
            gradcheck(&c, 100 + h * 10 + l);
        }
}

static void test_gradcheck_cross_entropy(void **state)
{
    (void)state;
    for (int h = 0; h < ACT_COUNT; h++) {
        gc_case lin = {(activation)h, ACT_LINEAR, LOSS_CROSS_ENTROPY, 3};
        gc_case soft = {(activation)h, ACT_SOFTMAX, LOSS_CROSS_ENTROPY, 3};
        gradcheck(&lin, 200 + h);
        gradcheck(&soft, 300 + h);
    }
}

/* Batch norm in training mode (the batch statistics depend on every row), with and without
 * an activation after it, and as the last layer before the loss. */
static void test_gradcheck_batchnorm(void **state)
{
    (void)state;
    layer_spec s[4] = {DENSE(5, ACT_LINEAR, INIT_XAVIER), {.kind = LAYER_BATCHNORM, .act = ACT_TANH},
                       DENSE(3, ACT_LINEAR, INIT_XAVIER), {.kind = LAYER_BATCHNORM, .act = ACT_LINEAR}};
    gc_case ce = {ACT_TANH, ACT_LINEAR, LOSS_CROSS_ENTROPY, 3}, mse = {ACT_TANH, ACT_LINEAR, LOSS_MSE, 3};
    gradcheck_net(s, 4, &ce, 700);
    gradcheck_net(s, 4, &mse, 701);
    layer_spec sig[3] = {DENSE(4, ACT_LINEAR, INIT_XAVIER), {.kind = LAYER_BATCHNORM, .act = ACT_SIGMOID},
                         DENSE(2, ACT_LINEAR, INIT_XAVIER)};
    gc_case ce2 = {ACT_TANH, ACT_LINEAR, LOSS_CROSS_ENTROPY, 2};
    gradcheck_net(sig, 3, &ce2, 702);
}

/* Layer norm: each row's statistics depend on every feature of that row (not on other rows);
 * with an activation after it, linear, and as the last layer before the loss. */
static void test_gradcheck_layernorm(void **state)
{
    (void)state;
    layer_spec s[4] = {DENSE(5, ACT_LINEAR, INIT_XAVIER), {.kind = LAYER_LAYERNORM, .act = ACT_TANH},
                       DENSE(3, ACT_LINEAR, INIT_XAVIER), {.kind = LAYER_LAYERNORM, .act = ACT_LINEAR}};
    gc_case ce = {ACT_TANH, ACT_LINEAR, LOSS_CROSS_ENTROPY, 3}, mse = {ACT_TANH, ACT_LINEAR, LOSS_MSE, 3};
    gradcheck_net(s, 4, &ce, 730);
    gradcheck_net(s, 4, &mse, 731);
    layer_spec sig[3] = {DENSE(4, ACT_LINEAR, INIT_XAVIER), {.kind = LAYER_LAYERNORM, .act = ACT_SIGMOID},
                         DENSE(2, ACT_LINEAR, INIT_XAVIER)};
    gc_case ce2 = {ACT_TANH, ACT_LINEAR, LOSS_CROSS_ENTROPY, 2};
    gradcheck_net(sig, 3, &ce2, 732);
}

/* Dropout with its mask held fixed: gradients flow only through kept units, scaled. */
static void test_gradcheck_dropout(void **state)
{
    (void)state;
    layer_spec s[4] = {DENSE(6, ACT_TANH, INIT_XAVIER), {.kind = LAYER_DROPOUT, .p = 0.5f},
                       DENSE(5, ACT_SIGMOID, INIT_XAVIER), DENSE(3, ACT_LINEAR, INIT_XAVIER)};
    gc_case c = {ACT_TANH, ACT_LINEAR, LOSS_CROSS_ENTROPY, 3};
    gradcheck_net(s, 4, &c, 710);
}

/* Residual blocks: the gradient flows through the block and around it; nested blocks, a
 * block at the very input, and an activation after the addition. */
static void test_gradcheck_residual(void **state)
{
    (void)state;
    layer_spec s[8] = {DENSE(4, ACT_TANH, INIT_XAVIER), {.kind = LAYER_RESIDUAL_BEGIN},
                       DENSE(4, ACT_TANH, INIT_XAVIER), {.kind = LAYER_RESIDUAL_BEGIN},
                       DENSE(4, ACT_SIGMOID, INIT_XAVIER), {.kind = LAYER_RESIDUAL_END},
                       {.kind = LAYER_RESIDUAL_END, .act = ACT_TANH}, DENSE(2, ACT_LINEAR, INIT_XAVIER)};
    gc_case c = {ACT_TANH, ACT_LINEAR, LOSS_CROSS_ENTROPY, 2};
    gradcheck_net(s, 8, &c, 720);
    layer_spec at_input[4] = {{.kind = LAYER_RESIDUAL_BEGIN}, DENSE(3, ACT_TANH, INIT_XAVIER),
                              {.kind = LAYER_RESIDUAL_END}, DENSE(2, ACT_LINEAR, INIT_XAVIER)};
    gradcheck_net(at_input, 4, &c, 721);
}

static void test_dropout_mask_is_inverted_and_off_in_eval(void **state)
{
    (void)state;
    layer_spec s[2] = {{.kind = LAYER_DROPOUT, .p = 0.25f}, DENSE(1, ACT_LINEAR, INIT_XAVIER)};
    net n;
    ds_error err;
    assert_int_equal(net_create(&n, 400, s, 2, LOSS_MSE, 50, 50, &err), 0);
    for (int i = 0; i < 50 * 400; i++)
        n.train.x[i] = n.eval.x[i] = 2.0f;
    net_forward(&n, &n.train, 50, true);
    int kept = 0;
    for (int i = 0; i < 50 * 400; i++) {
        float m = n.train.aux[0][i];
        assert_true(m == 0.0f || m == 1.0f / 0.75f);
        assert_true(n.train.a[0][i] == 2.0f * m);
        kept += m != 0.0f;
    }
    assert_true(abs(kept - 15000) < 400); /* 3/4 of 20,000 kept, within ~6 standard deviations */
    net_forward(&n, &n.eval, 50, false);
    for (int i = 0; i < 50 * 400; i++)
        assert_true(n.eval.a[0][i] == 2.0f);
    net_destroy(&n);
}

static void test_gradcheck_bce(void **state)
{
    (void)state;
    for (int h = 0; h < ACT_COUNT; h++) {
        gc_case sig = {(activation)h, ACT_SIGMOID, LOSS_BCE, 1};
        gc_case lin = {(activation)h, ACT_LINEAR, LOSS_BCE, 1};
        gc_case multi = {(activation)h, ACT_SIGMOID, LOSS_BCE, 3}; /* multi-label, one-hot targets */
        gradcheck(&sig, 400 + h);
        gradcheck(&lin, 500 + h);
        gradcheck(&multi, 600 + h);
    }
}

/* ---- kernels --------------------------------------------------------------------- */

static void test_dense_backward_fast_matches_reference(void **state)
{
    (void)state;
    const int shapes[][3] = {{1, 1, 1}, {7, 13, 10}, {32, 64, 33}, {16, 129, 70}};
    rng r;
    rng_seed(&r, 8, 1);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int B = shapes[s][0], in = shapes[s][1], out = shapes[s][2];
        size_t nx = (size_t)B * in, nw = (size_t)out * in, nz = (size_t)B * out;
        float *x = malloc(nx * 4), *W = malloc(nw * 4), *dz = malloc(nz * 4);
        float *dx1 = calloc(nx, 4), *dx2 = calloc(nx, 4), *dW1 = calloc(nw, 4), *dW2 = calloc(nw, 4);
        float *db1 = calloc((size_t)out, 4), *db2 = calloc((size_t)out, 4);
        for (size_t i = 0; i < nx; i++) x[i] = (float)rng_gauss(&r);
        for (size_t i = 0; i < nw; i++) W[i] = (float)rng_gauss(&r);
        for (size_t i = 0; i < nz; i++) dz[i] = (float)rng_gauss(&r);
        dense_backward_ref(dx1, dW1, db1, dz, x, W, B, in, out);
        dense_backward(dx2, dW2, db2, dz, x, W, B, in, out);
        for (size_t i = 0; i < nx; i++)
            assert_true(fabsf(dx1[i] - dx2[i]) <= 1e-5f * (1.0f + fabsf(dx1[i])) * sqrtf((float)out));
        for (size_t i = 0; i < nw; i++)
            assert_true(fabsf(dW1[i] - dW2[i]) <= 1e-5f * (1.0f + fabsf(dW1[i])) * sqrtf((float)B));
        for (int i = 0; i < out; i++)
            assert_true(fabsf(db1[i] - db2[i]) <= 1e-5f * (1.0f + fabsf(db1[i])));
        free(x), free(W), free(dz), free(dx1), free(dx2), free(dW1), free(dW2), free(db1), free(db2);
    }
}

static void test_dense_fast_matches_reference(void **state)
{
    (void)state;
    const int shapes[][3] = {{1, 1, 1}, {3, 7, 5}, {16, 64, 33}, {5, 129, 10}};
    rng r;
    rng_seed(&r, 7, 1);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int B = shapes[s][0], in = shapes[s][1], out = shapes[s][2];
        float *x = malloc(sizeof(float) * B * in), *W = malloc(sizeof(float) * out * in), *b = malloc(sizeof(float) * out);
        float *z1 = malloc(sizeof(float) * B * out), *z2 = malloc(sizeof(float) * B * out);
        for (int i = 0; i < B * in; i++) x[i] = (float)rng_gauss(&r);
        for (int i = 0; i < out * in; i++) W[i] = (float)rng_gauss(&r);
        for (int i = 0; i < out; i++) b[i] = (float)rng_gauss(&r);
        dense_forward_ref(z1, x, W, b, B, in, out);
        float *wt = malloc(sizeof(float) * out * in);
        dense_forward(z2, x, W, b, wt, B, in, out);
        free(wt);
        for (int i = 0; i < B * out; i++)
            assert_true(fabsf(z1[i] - z2[i]) <= 1e-5f * (1.0f + fabsf(z1[i])) * sqrtf((float)in));
        free(x), free(W), free(b), free(z1), free(z2);
    }
}

/* ---- initialisation -------------------------------------------------------------- */

static double init_std(init_kind k, int n_in, int n_out)
{
    layer_spec s = DENSE(n_out, ACT_LINEAR, k);
    net n;
    ds_error err;
    assert_int_equal(net_create(&n, n_in, &s, 1, LOSS_MSE, 1, 1, &err), 0);
    rng r;
    rng_seed(&r, 11, RNG_STREAM_INIT);
    net_init_params(&n, &r);
    size_t m = (size_t)n_in * n_out;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < m; i++)
        sum += n.layers[0].W[i];
    double mean = sum / m;
    for (size_t i = 0; i < m; i++)
        sq += (n.layers[0].W[i] - mean) * (n.layers[0].W[i] - mean);
    assert_true(fabs(mean) < 0.05 * sqrt(sq / m) + 1e-9);
    net_destroy(&n);
    return sqrt(sq / m);
}

static void test_init_statistics(void **state)
{
    (void)state;
    const int in = 400, out = 300; /* 120,000 weights: sample std within 1% of the truth */
    assert_true(close_rel(init_std(INIT_UNIFORM, in, out), 1.0 / sqrt(in) / sqrt(3.0), 0.05, 0));
    assert_true(close_rel(init_std(INIT_GAUSSIAN, in, out), 1.0, 0.05, 0));
    assert_true(close_rel(init_std(INIT_LECUN, in, out), sqrt(1.0 / in), 0.05, 0));
    assert_true(close_rel(init_std(INIT_XAVIER, in, out), sqrt(2.0 / (in + out)), 0.05, 0));
    assert_true(close_rel(init_std(INIT_HE, in, out), sqrt(2.0 / in), 0.05, 0));
    /* and the formulas are told apart: xavier is not he for in != out */
    assert_false(close_rel(init_std(INIT_XAVIER, in, out), sqrt(2.0 / in), 0.05, 0));
}

static void test_uniform_init_bias_follows_torch(void **state)
{
    (void)state;
    layer_spec s = DENSE(50, ACT_LINEAR, INIT_UNIFORM), h = DENSE(50, ACT_LINEAR, INIT_HE);
    net n, m;
    ds_error err;
    assert_int_equal(net_create(&n, 16, &s, 1, LOSS_MSE, 1, 1, &err), 0);
    assert_int_equal(net_create(&m, 16, &h, 1, LOSS_MSE, 1, 1, &err), 0);
    rng r;
    rng_seed(&r, 3, 1);
    net_init_params(&n, &r);
    net_init_params(&m, &r);
    int nonzero = 0;
    for (int i = 0; i < 50; i++) {
        assert_true(fabsf(n.layers[0].b[i]) <= 0.25f); /* bound 1/sqrt(16) */
        nonzero += n.layers[0].b[i] != 0.0f;
        assert_true(m.layers[0].b[i] == 0.0f);
    }
    assert_true(nonzero > 45);
    net_destroy(&n);
    net_destroy(&m);
}

/* ---- rng ------------------------------------------------------------------------- */

static void test_rng_deterministic_and_streams_differ(void **state)
{
    (void)state;
    rng a, b, c;
    rng_seed(&a, 42, 1);
    rng_seed(&b, 42, 1);
    rng_seed(&c, 42, 2);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
        assert_true(x == y);
        differ += x != z;
    }
    assert_true(differ > 990);
    /* Golden outputs of seed 1, stream 1, computed by an independent Python implementation
     * of splitmix64 seeding + xoshiro256** (Blackman & Vigna): pins the generator so saved
     * experiments reproduce across versions and machines. */
    rng_seed(&a, 1, 1);
    assert_true(rng_next(&a) == 0xBAA24E21D05C2935ull);
    assert_true(rng_next(&a) == 0x19AC350577648864ull);
}

static void test_rng_below_is_uniform(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 5, 1);
    int counts[7] = {0};
    for (int i = 0; i < 70000; i++)
        counts[rng_below(&r, 7)]++;
    for (int k = 0; k < 7; k++)
        assert_true(abs(counts[k] - 10000) < 400); /* 4 standard deviations */
}

/* ---- losses in closed form -------------------------------------------------------- */

static void test_losses_closed_form(void **state)
{
    (void)state;
    /* CE of equal logits over K classes is ln K; BCE of z = 0 is ln 2. */
    float z[3] = {0.5f, 0.5f, 0.5f}, a[3], da[3], dz[3], sl[1];
    int label = 2;
    assert_close(loss_compute(LOSS_CROSS_ENTROPY, ACT_LINEAR, z, z, &label, 1, 3, sl, true, da, dz), log(3.0), 1e-6);
    /* dL/dz = softmax - onehot = (1/3, 1/3, -2/3) */
    assert_close(dz[0], 1.0 / 3, 1e-6);
    assert_close(dz[2], -2.0 / 3, 1e-6);
    float z0 = 0.0f, p0 = 0.5f, da1, dz1;
    int y1 = 1;
    assert_close(loss_compute(LOSS_BCE, ACT_SIGMOID, &z0, &p0, &y1, 1, 1, NULL, true, &da1, &dz1), log(2.0), 1e-6);
    assert_close(dz1, -0.5, 1e-6);
    /* Large logits stay finite: log-sum-exp with max subtraction. */
    float big[2] = {1000.0f, 1001.0f};
    int l0 = 0;
    double ce = loss_compute(LOSS_CROSS_ENTROPY, ACT_LINEAR, big, big, &l0, 1, 2, NULL, false, NULL, NULL);
    assert_close(ce, 1.0 + log1p(exp(-1.0)), 1e-6);
    /* MSE: mean over all elements, targets one-hot: a = (1, 0, 0), label 2 -> (1 + 0 + 1)/3 */
    a[0] = 1.0f, a[1] = 0.0f, a[2] = 0.0f;
    assert_close(loss_compute(LOSS_MSE, ACT_LINEAR, a, a, &label, 1, 3, NULL, true, da, dz), 2.0 / 3, 1e-6);
    assert_close(da[2], 2.0 * (0 - 1) / 3, 1e-6);
}

static void test_softmax_cross_entropy_is_fused_not_doubled(void **state)
{
    (void)state;
    /* `dense K softmax` + cross_entropy computes the loss from z: the same number as linear. */
    float z[3] = {2.0f, -1.0f, 0.5f}, a[3];
    act_forward(ACT_SOFTMAX, a, z, 1, 3);
    int label = 0;
    double l_soft = loss_compute(LOSS_CROSS_ENTROPY, ACT_SOFTMAX, z, a, &label, 1, 3, NULL, false, NULL, NULL);
    double l_lin = loss_compute(LOSS_CROSS_ENTROPY, ACT_LINEAR, z, z, &label, 1, 3, NULL, false, NULL, NULL);
    assert_close(l_soft, l_lin, 1e-7);
    assert_close(l_soft, -log(a[0]), 1e-6);
}

static void test_loss_pair_rules(void **state)
{
    (void)state;
    assert_non_null(loss_check_pair(LOSS_CROSS_ENTROPY, ACT_TANH, 3));
    assert_non_null(loss_check_pair(LOSS_CROSS_ENTROPY, ACT_LINEAR, 1));
    assert_non_null(loss_check_pair(LOSS_BCE, ACT_RELU, 1));
    assert_null(loss_check_pair(LOSS_BCE, ACT_SIGMOID, 1));
    assert_null(loss_check_pair(LOSS_MSE, ACT_TANH, 4));
}

/* The vectorised tanh and sigmoid against libm in double, rounded to float: at most 1 ulp
 * apart over a sweep of the whole useful range, including tiny and huge inputs. */
static int ulps(float a, float b)
{
    int32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    if ((x < 0) != (y < 0))
        return a == b ? 0 : 1000;
    return abs(x - y);
}

static void test_tanh_sigmoid_accuracy(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 99, 1);
    int worst_t = 0, worst_s = 0;
    for (int i = 0; i < 400000; i++) {
        float z = (float)ldexp(rng_uniform(&r) * 2 - 1, (int)rng_below(&r, 40) - 30); /* |z| from 1e-9 to 1e3 */
        float t = act_tanh(z), tref = (float)tanh((double)z);
        float sg = sigmoidf_stable(z), sref = (float)(1.0 / (1.0 + exp(-(double)z)));
        int ut = ulps(t, tref), us = ulps(sg, sref);
        worst_t = ut > worst_t ? ut : worst_t;
        worst_s = us > worst_s ? us : worst_s;
    }
    if (worst_t > 1 || worst_s > 1) {
        print_error("tanh within %d ulp, sigmoid within %d ulp of libm (double, rounded)\n", worst_t, worst_s);
        fail();
    }
    assert_true(act_tanh(0.0f) == 0.0f && act_tanh(30.0f) == 1.0f && act_tanh(-30.0f) == -1.0f);
    assert_true(sigmoidf_stable(-200.0f) >= 0.0f && sigmoidf_stable(200.0f) == 1.0f);
    float z[5] = {-3, -0.1f, 0, 0.2f, 5}, a[5];
    act_forward(ACT_TANH, a, z, 1, 5); /* the array path agrees with the one-value path */
    for (int i = 0; i < 5; i++)
        assert_true(a[i] == act_tanh(z[i]));
}

/* act_backward's element-wise kernels against act_derivative, the reference the narration
 * shows: dz = da * f'(z) to float rounding (the kernels compute in float, in their own order),
 * on both sides of 0 and at 0 itself (relu's f'(0) = 0, as torch). */
static void test_act_backward_matches_act_derivative(void **state)
{
    (void)state;
    enum { N = 64 };
    float z[N], a[N], da[N], dz[N];
    for (int i = 0; i < N; i++) {
        z[i] = i == 0 ? 0.0f : (float)((i * 37 % 61) - 30) / 7.0f;
        da[i] = (float)((i * 13 % 17) - 8) / 5.0f;
    }
    for (int f = 0; f < ACT_COUNT; f++) {
        if (f == ACT_SOFTMAX)
            continue; /* a Jacobian per row: act_derivative is NaN by contract */
        act_forward((activation)f, a, z, 1, N);
        act_backward((activation)f, dz, da, z, a, 1, N);
        for (int i = 0; i < N; i++) {
            double want = (double)da[i] * act_derivative((activation)f, z[i], a[i]);
            /* float rounding of 1 - a*a near saturation cancels: bound it by |da| (1 + |a|), not |dz| */
            double tol = 3.0 * FLT_EPSILON * fabs(da[i]) * (1.0 + fabs(a[i])) + 1e-30;
            if (fabs(dz[i] - want) > tol)
                fail_msg("%s: z=%g da=%g: dz %.9g, da*f'(z) %.9g", act_name((activation)f), (double)z[i],
                         (double)da[i], (double)dz[i], want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradcheck_mse_every_activation),
        cmocka_unit_test(test_gradcheck_cross_entropy),
        cmocka_unit_test(test_gradcheck_bce),
        cmocka_unit_test(test_gradcheck_batchnorm),
        cmocka_unit_test(test_gradcheck_layernorm),
        cmocka_unit_test(test_gradcheck_dropout),
        cmocka_unit_test(test_gradcheck_residual),
        cmocka_unit_test(test_dropout_mask_is_inverted_and_off_in_eval),
        cmocka_unit_test(test_dense_fast_matches_reference),
        cmocka_unit_test(test_dense_backward_fast_matches_reference),
        cmocka_unit_test(test_init_statistics),
        cmocka_unit_test(test_uniform_init_bias_follows_torch),
        cmocka_unit_test(test_rng_deterministic_and_streams_differ),
        cmocka_unit_test(test_rng_below_is_uniform),
        cmocka_unit_test(test_losses_closed_form),
        cmocka_unit_test(test_softmax_cross_entropy_is_fused_not_doubled),
        cmocka_unit_test(test_loss_pair_rules),
        cmocka_unit_test(test_tanh_sigmoid_accuracy),
        cmocka_unit_test(test_act_backward_matches_act_derivative),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
