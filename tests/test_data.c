/* Data: CSV and IDX loading with every documented bad input, normalisation, splits,
 * synthetic sets. */
#include <zlib.h>

#include "test_common.h"
#include "data/dataset.h"

static char path[256];

static void expect_csv_error(const char *text, int line, const char *msg)
{
    dataset ds;
    ds_error err = {0};
    temp_file(path, sizeof path, ".csv", text, strlen(text));
    assert_int_equal(dataset_load_csv(&ds, path, &err), -1);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    assert_string_equal(err.msg, msg);
}

static void test_csv_loads(void **s)
{
    (void)s;
    const char *text = "x, y ,label\r\n1.5,-2,0\n\n3e-3,4,2\n";
    dataset ds;
    ds_error err = {0};
    temp_file(path, sizeof path, ".csv", text, strlen(text));
    assert_int_equal(dataset_load_csv(&ds, path, &err), 0);
    assert_int_equal(ds.n, 2);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.n_classes, 3);
    assert_string_equal(ds.feature_names[1], "y");
    assert_true(ds.raw_f32[2] == 3e-3f);
    assert_int_equal(ds.labels[1], 2);
    dataset_destroy(&ds);
}

static void test_csv_errors(void **s)
{
    (void)s;
    expect_csv_error("", 1, "empty file (expected a header line ending in 'label')");
    expect_csv_error("a,b,label\n", 2, "no data rows after the header");
    expect_csv_error("a,b,class\n1,2,0\n", 1, "last header column is 'class'; expected 'label'");
    expect_csv_error("label\n1\n", 1, "header has 1 column; need at least one feature and 'label'");
    expect_csv_error("a,b,label\n1,2,0\n1,2\n", 3, "row has 2 fields, the header has 3");
    expect_csv_error("a,b,label\n1,2,0\n1,2,0,4\n", 3, "row has 4 fields, the header has 3");
    expect_csv_error("a,b,label\n1,abc,0\n", 2, "column 2 ('b'): 'abc' is not a number");
    expect_csv_error("a,b,label\n1,,0\n", 2, "column 2 ('b'): '' is not a number");
    expect_csv_error("a,b,label\n1,inf,0\n", 2, "column 2 ('b'): 'inf' is not a finite number");
    expect_csv_error("a,b,label\n1,2,-1\n", 2, "label '-1' is not a class index (a whole number 0..999)");
    expect_csv_error("a,b,label\n1,2,1.5\n", 2, "label '1.5' is not a class index (a whole number 0..999)");
    expect_csv_error("a,b,label\n1,2,1000\n", 2, "label '1000' is not a class index (a whole number 0..999)");
    dataset ds;
    ds_error err = {0};
    assert_int_equal(dataset_load_csv(&ds, "build/tmp/does-not-exist.csv", &err), -1);
    assert_string_equal(err.msg, "cannot open: No such file or directory");
}

/* ---- IDX ------------------------------------------------------------------------- */

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static const char *write_idx(char *buf, size_t cap, const unsigned char *bytes, size_t n, int gz)
{
    if (!gz)
        return temp_file(buf, cap, ".idx", bytes, n);
    temp_file(buf, cap, ".idx.gz", "", 0);
    gzFile f = gzopen(buf, "wb");
    gzwrite(f, bytes, (unsigned)n);
    gzclose(f);
    return buf;
}

static void make_images(unsigned char *b, uint32_t magic, uint32_t n, uint32_t r, uint32_t c)
{
    be32(b, magic), be32(b + 4, n), be32(b + 8, r), be32(b + 12, c);
    for (uint32_t i = 0; i < n * r * c; i++)
        b[16 + i] = (unsigned char)(i * 37);
}

static void test_idx_round_trip_raw_and_gzip(void **s)
{
    (void)s;
    for (int gz = 0; gz < 2; gz++) {
        unsigned char img[16 + 3 * 2 * 2], lab[8 + 3];
        make_images(img, 0x803, 3, 2, 2);
        be32(lab, 0x801), be32(lab + 4, 3);
        lab[8] = 7, lab[9] = 0, lab[10] = 9;
        char pi[256], pl[256];
        write_idx(pi, sizeof pi, img, sizeof img, gz);
        write_idx(pl, sizeof pl, lab, sizeof lab, gz);
        dataset ds;
        ds_error err = {0};
        assert_int_equal(dataset_load_idx(&ds, pi, pl, &err), 0);
        assert_int_equal(ds.n, 3);
        assert_int_equal(ds.d, 4);
        assert_int_equal(ds.n_classes, 10);
        assert_non_null(ds.raw_u8); /* pixels stay bytes */
        assert_int_equal(ds.raw_u8[5], (unsigned char)(5 * 37));
        assert_int_equal(ds.labels[2], 9);
        dataset_destroy(&ds);
    }
}

static void expect_idx_error(const unsigned char *img, size_t ni, const unsigned char *lab, size_t nl,
                             int which, const char *msg)
{
    char pi[256], pl[256];
    write_idx(pi, sizeof pi, img, ni, 1);
    write_idx(pl, sizeof pl, lab, nl, 0);
    dataset ds;
    ds_error err = {0};
    assert_int_equal(dataset_load_idx(&ds, pi, pl, &err), -1);
    assert_string_equal(err.file, which == 0 ? pi : pl);
    assert_string_equal(err.msg, msg);
}

static void test_idx_errors(void **s)
{
    (void)s;
    unsigned char img[16 + 8], lab[8 + 2];
    make_images(img, 0x803, 2, 2, 2);
    be32(lab, 0x801), be32(lab + 4, 2);
    lab[8] = lab[9] = 1;
    unsigned char bad[16 + 8];
    memcpy(bad, img, sizeof img);
    be32(bad, 0x801);
    expect_idx_error(bad, sizeof bad, lab, sizeof lab, 0,
                     "bad magic number 0x00000801 (expected 0x00000803: IDX images, unsigned bytes, 3 dimensions)");
    expect_idx_error(img, 10, lab, sizeof lab, 0, "truncated header: 10 of 16 bytes");
    expect_idx_error(img, sizeof img - 3, lab, sizeof lab, 0, "truncated: 1 of 2 images");
    unsigned char lab3[8 + 3];
    be32(lab3, 0x801), be32(lab3 + 4, 3);
    expect_idx_error(img, sizeof img, lab3, sizeof lab3, 1, "3 labels for 2 images");
    expect_idx_error(img, sizeof img, lab, sizeof lab - 1, 1, "truncated: 1 of 2 labels");
    unsigned char huge[16];
    make_images(huge, 0x803, 0, 0, 0);
    be32(huge + 4, 4000000000u), be32(huge + 8, 28), be32(huge + 12, 28);
    expect_idx_error(huge, sizeof huge, lab, sizeof lab, 0,
                     "too many images: 4000000000 (at most 1000000)");
}

/* ---- normalisation and splits ---------------------------------------------------- */

static void test_normalisations(void **s)
{
    (void)s;
    dataset ds;
    dataset_alloc(&ds, 4, 2, false);
    const float v[8] = {1, 5, 2, 5, 3, 5, 10, 5}; /* feature 1 is constant */
    memcpy(ds.raw_f32, v, sizeof v);
    int train[3] = {0, 1, 2}; /* statistics from the first three rows only */
    int all[4] = {0, 1, 2, 3};
    float x[8];
    dataset_fit_norm(&ds, NORM_ZSCORE, train, 3);
    dataset_gather(&ds, all, 4, x, NULL);
    double sd = sqrt(2.0 / 3.0); /* population std of 1, 2, 3 */
    assert_close(x[0], -1.0 / sd, 1e-6);
    assert_close(x[6], (10.0 - 2.0) / sd, 1e-6);
    assert_true(x[1] == 0.0f && x[7] == 0.0f); /* constant feature -> 0 */
    dataset_fit_norm(&ds, NORM_MINMAX, train, 3);
    dataset_gather(&ds, all, 4, x, NULL);
    assert_close(x[0], 0.0, 1e-6);
    assert_close(x[4], 1.0, 1e-6);
    assert_close(x[6], 4.5, 1e-6); /* outside [0, 1]: validation rows are not clipped */
    dataset_fit_norm(&ds, NORM_SYMMETRIC, train, 3);
    dataset_gather(&ds, all, 4, x, NULL);
    assert_close(x[0], -1.0, 1e-6);
    assert_close(x[2], 0.0, 1e-6);
    assert_close(x[4], 1.0, 1e-6);
    dataset_destroy(&ds);
}

static void test_split(void **s)
{
    (void)s;
    split sp;
    rng r;
    rng_seed(&r, 1, 2);
    split_make(&sp, 10, 0.25f, 0.0f, &r);
    assert_int_equal(sp.n_val, 3); /* round(2.5) */
    assert_int_equal(sp.n_train, 7);
    int seen[10] = {0};
    for (int i = 0; i < sp.n_train; i++) {
        seen[sp.train[i]]++;
        if (i)
            assert_true(sp.train[i] > sp.train[i - 1]); /* file order kept */
    }
    for (int i = 0; i < sp.n_val; i++)
        seen[sp.val[i]]++;
    for (int i = 0; i < 10; i++)
        assert_int_equal(seen[i], 1);
    split_destroy(&sp);
    split_make(&sp, 5, 0.0f, 0.0f, &r);
    assert_int_equal(sp.n_val, 0);
    assert_int_equal(sp.train[4], 4);
    split_destroy(&sp);
}

/* The test rows are drawn first from the same shuffle: without them the validation rows are
 * the ones they always were; with them the three parts split the rows, test and validation
 * disjoint, and the training rows (which normalisation is fitted on) exclude both. */
static void test_split_with_test_rows(void **s)
{
    (void)s;
    split a, b;
    rng r1, r2;
    rng_seed(&r1, 5, 2);
    rng_seed(&r2, 5, 2);
    split_make(&a, 20, 0.25f, 0.0f, &r1);
    split_make(&b, 20, 0.25f, 0.2f, &r2);
    assert_int_equal(a.n_test, 0);
    assert_int_equal(b.n_test, 4);
    assert_int_equal(b.n_val, 5);
    assert_int_equal(b.n_train, 11);
    int seen[20] = {0};
    for (int i = 0; i < b.n_test; i++)
        seen[b.test[i]] += 1;
    for (int i = 0; i < b.n_val; i++)
        seen[b.val[i]] += 10;
    for (int i = 0; i < b.n_train; i++)
        seen[b.train[i]] += 100;
    int parts[3] = {0};
    for (int i = 0; i < 20; i++) {
        assert_true(seen[i] == 1 || seen[i] == 10 || seen[i] == 100);
        parts[seen[i] == 1 ? 0 : seen[i] == 10 ? 1 : 2]++;
    }
    assert_int_equal(parts[0], 4);
    assert_int_equal(parts[1], 5);
    /* one shuffle: the test rows are the first 4 drawn, which without a test split were
     * validation rows (the first 5 drawn) */
    for (int i = 0; i < b.n_test; i++) {
        bool was_val = false;
        for (int k = 0; k < a.n_val; k++)
            was_val |= a.val[k] == b.test[i];
        assert_true(was_val);
    }
    split_destroy(&a);
    split_destroy(&b);
    /* held-out fractions that would take every row leave one to train on */
    rng_seed(&r1, 5, 2);
    split_make(&a, 3, 0.5f, 0.9f, &r1);
    assert_int_equal(a.n_train, 1);
    assert_int_equal(a.n_test + a.n_val, 2);
    split_destroy(&a);
}

static void test_synthetic_sets(void **s)
{
    (void)s;
    for (int k = 0; k < SYNTH_COUNT; k++) {
        synth_params p = {.kind = (synth_kind)k, .samples = 0, .noise = -1, .classes = 0};
        dataset a, b;
        rng r1, r2;
        rng_seed(&r1, 3, 2);
        rng_seed(&r2, 3, 2);
        dataset_synth(&a, &p, &r1);
        dataset_synth(&b, &p, &r2);
        assert_memory_equal(a.raw_f32, b.raw_f32, sizeof(float) * a.n * a.d);
        int expect_classes = k == SYNTH_RANDOM ? 10 : (k == SYNTH_SPIRAL || k == SYNTH_BLOBS) ? 3 : 2;
        assert_int_equal(a.n_classes, expect_classes);
        dataset_destroy(&a);
        dataset_destroy(&b);
    }
    /* XOR with no noise is the truth table */
    synth_params p = {.kind = SYNTH_XOR, .samples = 4, .noise = 0, .classes = 0};
    dataset x;
    rng r;
    rng_seed(&r, 1, 2);
    dataset_synth(&x, &p, &r);
    for (int i = 0; i < 4; i++)
        assert_int_equal(x.labels[i], (int)x.raw_f32[2 * i] ^ (int)x.raw_f32[2 * i + 1]);
    dataset_destroy(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_loads),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_idx_round_trip_raw_and_gzip),
        cmocka_unit_test(test_idx_errors),
        cmocka_unit_test(test_normalisations),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_with_test_rows),
        cmocka_unit_test(test_synthetic_sets),
    };
    return cmocka_run_group_tests_name("data", tests, NULL, NULL);
}
