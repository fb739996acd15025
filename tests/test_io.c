/* .npz: round trips, files written by real NumPy (stored, deflated, ZIP64 extras, float64),
 * byte-identical output, atomic writes, each bad input's message, and loaded values that
 * are refused (NaN, Inf, beyond the net's precision, negative variance). Hostile archives
 * are in test_bad_npz.c. */
#include <sys/stat.h>

#include "test_common.h"
#include "engine/fp.h"
#include "engine/net.h"
#include "io/npz.h"
#include "io/weights.h"

static const float W[6] = {-0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f};
static const float B[2] = {1.5f, -2.0f};

static void make_net(net *n)
{
    layer_spec s = DENSE(2, ACT_LINEAR, INIT_UNIFORM);
    ds_error err;
    assert_int_equal(net_create(n, 3, &s, 1, LOSS_MSE, 1, 1, &err), 0);
}

static void expect_fixture(const char *file)
{
    net n;
    make_net(&n);
    ds_error err = {0};
    char p[256];
    snprintf(p, sizeof p, "tests/fixtures/%s", file);
    if (weights_load(&n, p, &err) != 0) {
        print_error("%s: %s\n", p, err.msg);
        fail();
    }
    assert_memory_equal(n.layers[0].W, W, sizeof W);
    assert_memory_equal(n.layers[0].b, B, sizeof B);
    net_destroy(&n);
}

static void test_reads_numpy_savez(void **s) { (void)s; expect_fixture("numpy_savez.npz"); }
static void test_reads_numpy_savez_compressed(void **s) { (void)s; expect_fixture("numpy_savez_compressed.npz"); }
static void test_reads_float64(void **s) { (void)s; expect_fixture("numpy_f8.npz"); }

static void expect_load_error(const char *p, const char *msg)
{
    net n;
    make_net(&n);
    ds_error err = {0};
    memcpy(n.layers[0].W, W, sizeof W);
    assert_int_equal(weights_load(&n, p, &err), -1);
    assert_string_equal(err.file, p);
    assert_string_equal(err.msg, msg);
    assert_memory_equal(n.layers[0].W, W, sizeof W); /* untouched on error */
    net_destroy(&n);
}

static void test_bad_inputs(void **s)
{
    (void)s;
    expect_load_error("tests/fixtures/numpy_int.npz",
                      "member 'layers.0.weight': dtype '<i4' is not float32 ('<f4') or float64 ('<f8')");
    expect_load_error("tests/fixtures/numpy_fortran.npz",
                      "member 'layers.0.weight': Fortran-ordered arrays are not supported (save a C-ordered copy)");
    expect_load_error("build/tmp/none.npz", "cannot open: No such file or directory");
    char p[256];
    temp_file(p, sizeof p, ".npz", "hello, not a zip file at all", 28);
    expect_load_error(p, "not a .npz file (no zip end-of-directory record)");
    temp_file(p, sizeof p, ".npz", "PK", 2);
    expect_load_error(p, "not a .npz file (too short to be a zip archive)");
    /* Flip one byte inside a stored member's data: the CRC catches it. */
    FILE *f = fopen("tests/fixtures/numpy_savez.npz", "rb");
    unsigned char buf[2048];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    buf[200] ^= 0x40;
    temp_file(p, sizeof p, ".npz", buf, n);
    expect_load_error(p, "member 'layers.0.weight.npy': CRC mismatch (file is corrupt)");
    /* Cut the file short: the end-of-directory record is gone. */
    temp_file(p, sizeof p, ".npz", buf, n - 30);
    expect_load_error(p, "not a .npz file (no zip end-of-directory record)");
    /* A net of another shape */
    net other;
    layer_spec sp = DENSE(4, ACT_LINEAR, INIT_UNIFORM);
    ds_error err = {0};
    assert_int_equal(net_create(&other, 3, &sp, 1, LOSS_MSE, 1, 1, &err), 0);
    assert_int_equal(weights_load(&other, "tests/fixtures/numpy_savez.npz", &err), -1);
    assert_string_equal(err.msg, "array 'layers.0.weight' has shape (2, 3), the lesson's net needs (4, 3)");
    net_destroy(&other);
    layer_spec two[2] = {DENSE(2, ACT_LINEAR, INIT_UNIFORM), DENSE(1, ACT_LINEAR, INIT_UNIFORM)};
    assert_int_equal(net_create(&other, 3, two, 2, LOSS_MSE, 1, 1, &err), 0);
    assert_int_equal(weights_load(&other, "tests/fixtures/numpy_savez.npz", &err), -1);
    assert_string_equal(err.msg, "missing array 'layers.1.weight'");
    net_destroy(&other);
}

/* A 3 -> 2 dense net (weight (2, 3), bias (2,)) and a file of its arrays with one value
 * set: loading fails with want and changes nothing, or (want NULL) loads the value. */
static void expect_weights_error(int bias, size_t at, float v, fp_format prec, const char *want)
{
    float w[6], b[2] = {1.5f, -2.0f};
    memcpy(w, W, sizeof w);
    (bias ? b : w)[at] = v;
    npz z = {0};
    size_t ws[2] = {2, 3}, bs[1] = {2};
    npz_add(&z, "layers.0.weight", w, 2, ws);
    npz_add(&z, "layers.0.bias", b, 1, bs);
    ds_error err = {0};
    assert_int_equal(npz_save(&z, "build/tmp/nonfinite.npz", &err), 0);
    npz_free(&z);
    net n;
    layer_spec sp = DENSE(2, ACT_LINEAR, INIT_UNIFORM);
    assert_int_equal(net_create(&n, 3, &sp, 1, LOSS_MSE, 1, 1, &err), 0);
    n.precision = prec;
    memcpy(n.layers[0].W, W, sizeof W);
    memset(n.layers[0].b, 0, 2 * sizeof(float));
    if (!want) {
        assert_int_equal(weights_load(&n, "build/tmp/nonfinite.npz", &err), 0);
        assert_true((bias ? n.layers[0].b : n.layers[0].W)[at] == v);
        net_destroy(&n);
        return;
    }
    assert_int_equal(weights_load(&n, "build/tmp/nonfinite.npz", &err), -1);
    assert_string_equal(err.file, "build/tmp/nonfinite.npz");
    assert_string_equal(err.msg, want);
    assert_memory_equal(n.layers[0].W, W, sizeof W); /* nothing changed */
    assert_true(n.layers[0].b[0] == 0.0f);
    net_destroy(&n);
}

/* NaN or Inf weights loaded and trained diverged at step 1, blamed on the learning rate. */
static void test_weights_must_be_finite(void **s)
{
    (void)s;
    expect_weights_error(0, 5, NAN, FP32, "layers.0.weight[5] is NaN; weights must be finite");
    expect_weights_error(0, 0, -NAN, FP32, "layers.0.weight[0] is NaN; weights must be finite");
    expect_weights_error(1, 1, INFINITY, FP32, "layers.0.bias[1] is +Inf; weights must be finite");
    expect_weights_error(1, 0, -INFINITY, FP32, "layers.0.bias[0] is -Inf; weights must be finite");
    /* finite in float32, Inf once the experiment stores it in fp16 */
    expect_weights_error(0, 2, 70000.0f, FP16,
                         "layers.0.weight[2] = 70000 overflows fp16 (largest 65504), the precision this experiment uses");
    /* the largest values that fit still load */
    expect_weights_error(0, 2, 65504.0f, FP16, NULL);
    expect_weights_error(1, 1, -3e38f, FP32, NULL);
}

/* Batch norm's running statistics: finite, and a variance not negative (eval takes its
 * square root). A saved batch-norm net still loads. */
static void test_running_statistics(void **s)
{
    (void)s;
    layer_spec sp[2] = {DENSE(2, ACT_LINEAR, INIT_UNIFORM), {.kind = LAYER_BATCHNORM, .act = ACT_LINEAR}};
    net n;
    ds_error err = {0};
    assert_int_equal(net_create(&n, 3, sp, 2, LOSS_MSE, 1, 1, &err), 0);
    assert_int_equal(weights_save(&n, "build/tmp/bn.npz", &err), 0);
    assert_int_equal(weights_load(&n, "build/tmp/bn.npz", &err), 0);
    npz z;
    assert_int_equal(npz_load(&z, "build/tmp/bn.npz", &err), 0);
    float *var = (float *)npz_find(&z, "layers.1.running_var")->data;
    var[1] = -0.5f;
    assert_int_equal(npz_save(&z, "build/tmp/bn-neg.npz", &err), 0);
    var[1] = 1.0f;
    ((float *)npz_find(&z, "layers.1.running_mean")->data)[0] = NAN;
    assert_int_equal(npz_save(&z, "build/tmp/bn-nan.npz", &err), 0);
    npz_free(&z);
    assert_int_equal(weights_load(&n, "build/tmp/bn-neg.npz", &err), -1);
    assert_string_equal(err.msg, "layers.1.running_var[1] = -0.5; a variance cannot be negative");
    assert_int_equal(weights_load(&n, "build/tmp/bn-nan.npz", &err), -1);
    assert_string_equal(err.msg, "layers.1.running_mean[0] is NaN; running statistics must be finite");
    net_destroy(&n);
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static void test_round_trip_and_byte_identical(void **s)
{
    (void)s;
    net n;
    make_net(&n);
    memcpy(n.layers[0].W, W, sizeof W);
    memcpy(n.layers[0].b, B, sizeof B);
    ds_error err = {0};
    assert_int_equal(weights_save(&n, "build/tmp/a.npz", &err), 0);
    assert_int_equal(weights_save(&n, "build/tmp/b.npz", &err), 0);
    long sa = file_size("build/tmp/a.npz");
    assert_true(sa > 0 && sa == file_size("build/tmp/b.npz"));
    unsigned char *x = malloc((size_t)sa), *y = malloc((size_t)sa);
    FILE *fa = fopen("build/tmp/a.npz", "rb"), *fb = fopen("build/tmp/b.npz", "rb");
    assert_int_equal(fread(x, 1, (size_t)sa, fa), (size_t)sa);
    assert_int_equal(fread(y, 1, (size_t)sa, fb), (size_t)sa);
    fclose(fa), fclose(fb);
    assert_memory_equal(x, y, (size_t)sa);
    free(x), free(y);
    net m;
    make_net(&m);
    assert_int_equal(weights_load(&m, "build/tmp/a.npz", &err), 0);
    assert_memory_equal(m.layers[0].W, W, sizeof W);
    assert_memory_equal(m.layers[0].b, B, sizeof B);
    net_destroy(&n);
    net_destroy(&m);
}

static void test_failed_save_leaves_nothing(void **s)
{
    (void)s;
    net n;
    make_net(&n);
    ds_error err = {0};
    assert_int_equal(weights_save(&n, "build/tmp/no-such-dir/w.npz", &err), -1);
    assert_string_equal(err.msg, "cannot create: No such file or directory");
    assert_int_equal(file_size("build/tmp/no-such-dir/w.npz"), -1);
    net_destroy(&n);
}

static void test_saved_file_mode_follows_umask(void **s)
{
    (void)s;
    net n;
    make_net(&n);
    ds_error err = {0};
    mode_t old = umask(027);
    assert_int_equal(weights_save(&n, "build/tmp/mode.npz", &err), 0);
    umask(old);
    struct stat st;
    assert_int_equal(stat("build/tmp/mode.npz", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* 0666 less 027, not mkstemp's 0600 */
    net_destroy(&n);
}

static void test_npy_header_is_numpy_format(void **s)
{
    (void)s;
    npz z = {0};
    size_t shape[1] = {3};
    float v[3] = {1, 2, 3};
    npz_add(&z, "v", v, 1, shape);
    ds_error err = {0};
    assert_int_equal(npz_save(&z, "build/tmp/v.npz", &err), 0);
    npz_free(&z);
    FILE *f = fopen("build/tmp/v.npz", "rb");
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 128);
    /* local header (30) + "v.npy" (5) = 35: then the .npy magic, version 1.0, header */
    assert_memory_equal(buf + 35, "\x93NUMPY\x01\x00", 8);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    assert_memory_equal(buf + 45, dict, strlen(dict));
    /* padded with spaces and a newline so the data starts at a multiple of 64 (numpy's ARRAY_ALIGN) */
    const char *nl = memchr(buf + 45, '\n', n - 45);
    assert_non_null(nl);
    assert_int_equal((nl - (buf + 35) + 1) % 64, 0);
    assert_int_equal(nl[-1], ' ');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_numpy_savez),
        cmocka_unit_test(test_reads_numpy_savez_compressed),
        cmocka_unit_test(test_reads_float64),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_weights_must_be_finite),
        cmocka_unit_test(test_running_statistics),
        cmocka_unit_test(test_round_trip_and_byte_identical),
        cmocka_unit_test(test_failed_save_leaves_nothing),
        cmocka_unit_test(test_saved_file_mode_follows_umask),
        cmocka_unit_test(test_npy_header_is_numpy_format),
    };
    return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
