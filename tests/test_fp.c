/* Float formats: encodings bit for bit against known values, round-to-nearest-even against
 * independent references, absorption, and the summation methods. */
#include "test_common.h"
#include "engine/fp.h"
#include "common/rng.h"

#ifdef __FLT16_MAX__
__extension__ typedef _Float16 half_t; /* the compiler's IEEE binary16, an independent reference */
#endif

static void expect_bits(double x, fp_format f, uint64_t bits, double value)
{
    fp_value v = fp_encode(x, f);
    if (v.bits != bits || !(v.value == value || (isnan(value) && isnan(v.value)))) {
        print_error("%s(%.17g) = 0x%llx (%.17g), expected 0x%llx (%.17g)\n", fp_spec_of(f)->name, x,
                    (unsigned long long)v.bits, v.value, (unsigned long long)bits, value);
        fail();
    }
}

static void test_known_encodings(void **s)
{
    (void)s;
    expect_bits(1.0, FP32, 0x3F800000, 1.0);
    expect_bits(0.1, FP32, 0x3DCCCCCD, 0.100000001490116119384765625);
    expect_bits(1.0, FP16, 0x3C00, 1.0);
    expect_bits(0.1, FP16, 0x2E66, 0.0999755859375);
    expect_bits(65504.0, FP16, 0x7BFF, 65504.0);             /* largest fp16 */
    expect_bits(0x1p-24, FP16, 0x0001, 5.9604644775390625e-08); /* smallest fp16 subnormal */
    expect_bits(0x1p-25, FP16, 0x0000, 0.0);                 /* half of it: a tie, rounds to even 0 */
    expect_bits(0x1.8p-25, FP16, 0x0001, 0x1p-24);            /* above the tie: rounds up */
    expect_bits(3.14159, BF16, 0x4049, 3.140625);
    expect_bits(1.0, BF16, 0x3F80, 1.0);
    expect_bits(0.1, FP64, 0x3FB999999999999Aull, 0.1);
    expect_bits(-2.0, FP16, 0xC000, -2.0);
    expect_bits(INFINITY, FP16, 0x7C00, INFINITY);
    /* ties to even: 2049 is half way between fp16's 2048 and 2050 */
    expect_bits(2049.0, FP16, 0x6800, 2048.0);
    expect_bits(2051.0, FP16, 0x6802, 2052.0);
    expect_bits(1.0 + 0x1p-8, BF16, 0x3F80, 1.0);              /* tie, even stays */
    expect_bits(1.0 + 3 * 0x1p-8, BF16, 0x3F82, 1.0 + 0x1p-6); /* tie, odd rounds up */
    /* overflow: 65520 is exactly half an ulp above 65504, and ties go to the even Inf */
    expect_bits(65519.0, FP16, 0x7BFF, 65504.0);
    expect_bits(65520.0, FP16, 0x7C00, INFINITY);
    assert_true(isnan(fp_encode(NAN, FP16).value));
    assert_int_equal(fp_encode(NAN, FP16).cls, FPC_NAN);
    assert_int_equal(fp_encode(0x1p-20, FP16).cls, FPC_SUBNORMAL);
}

static void test_ulps_and_limits(void **s)
{
    (void)s;
    assert_true(fp_encode(1.0, FP32).ulp == 0x1p-23);
    assert_true(fp_encode(1.0, FP16).ulp == 0x1p-10);
    assert_true(fp_encode(1.0, BF16).ulp == 0x1p-7);
    assert_true(fp_encode(1.0, FP64).ulp == 0x1p-52);
    assert_true(fp_max(FP16) == 65504.0);
    assert_true(fp_max(BF16) == 0x1.FEp127);
    assert_true(fp_max(FP32) == 0x1.FFFFFEp127);
    assert_true(fp_min_subnormal(FP32) == 0x1p-149);
    /* the anatomy's parts */
    fp_value v = fp_encode(-6.5, FP16); /* -1.625 x 2^2 */
    assert_int_equal(v.sign, 1);
    assert_int_equal(v.exponent, 2);
    assert_int_equal(v.exp_field, 17);
    assert_int_equal(v.frac_field, 0x280);
    char bits[64];
    fp_bits_text(&v, bits, sizeof bits);
    assert_string_equal(bits, "1 10001 1010000000");
}

/* IEEE round-to-nearest-even, against the compiler's own float -> _Float16 conversion. */
static void test_fp16_sweep_matches_hardware(void **s)
{
    (void)s;
#ifdef __FLT16_MAX__
    rng r;
    rng_seed(&r, 16, 1);
    for (int i = 0; i < 200000; i++) {
        /* floats from 2^-30 to 2^17: subnormals, normals, ties and overflow all occur */
        float x = (float)ldexp(1.0 + rng_uniform(&r), (int)rng_below(&r, 48) - 30);
        if (i % 5 == 0 && isfinite((double)(half_t)x)) /* exact ties: a random fp16 value plus half its ulp */
            x = (float)((double)(half_t)x + fp_encode((double)(half_t)x, FP16).ulp / 2);
        if (i % 2)
            x = -x;
        half_t h = (half_t)x;
        double want = (double)h;
        double got = fp_round(x, FP16);
        if (!(got == want || (isinf(got) && isinf(want) && (got > 0) == (want > 0)))) {
            print_error("fp16(%a) = %a, hardware says %a\n", (double)x, got, want);
            fail();
        }
    }
#else
    skip();
#endif
}

/* bf16 against the standard bit trick for fp32 -> bf16 round-to-nearest-even. */
static void test_bf16_sweep_matches_bit_trick(void **s)
{
    (void)s;
    rng r;
    rng_seed(&r, 17, 1);
    for (int i = 0; i < 200000; i++) {
        uint32_t u = (uint32_t)rng_next(&r);
        if (i % 4 == 0)
            u = (u & 0xFFFF0000u) | 0x8000u; /* exact ties */
        float x;
        memcpy(&x, &u, 4);
        if (!isfinite(x))
            continue;
        uint32_t rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
        float want;
        memcpy(&want, &rounded, 4);
        double got = fp_round(x, BF16);
        if (!(got == (double)want || (isinf(want) && isinf(got)))) {
            print_error("bf16(%a) = %a, the bit trick says %a\n", (double)x, got, (double)want);
            fail();
        }
    }
}

static void test_absorption(void **s)
{
    (void)s;
    /* 10^10 + 10^-10 = 10^10: the small number is below half an ulp of the large one */
    assert_true(fp_add(1e10, 1e-10, FP64) == 1e10);
    assert_true(fp_add(1e10, 1e-10, FP32) == fp_round(1e10, FP32));
    /* and 1 + 1e-10 is absorbed in fp32 but not in fp64 */
    assert_true(fp_add(1.0, 1e-10, FP32) == 1.0);
    assert_true(fp_add(1.0, 1e-10, FP64) > 1.0);
    /* in fp16 even 1 + 2^-11 (half an ulp, a tie) stays 1, while 1 + 2^-10 does not */
    assert_true(fp_add(1.0, 0x1p-11, FP16) == 1.0);
    assert_true(fp_add(1.0, 0x1p-10, FP16) == 1.0 + 0x1p-10);
}

static void test_summation_methods(void **s)
{
    (void)s;
    /* 100,000 copies of 1e-4 onto 1 in fp32: exact 1 + 100000 * fp32(1e-4) */
    fp_sums r = fp_sum_copies(1.0, 1e-4, 100000, FP32);
    double exact = 1.0 + 100000.0 * fp_round(1e-4, FP32);
    assert_close(r.exact, exact, 1e-15);
    assert_true(fabs(r.naive - exact) > 1e-3);       /* naive drifts: each add rounds at ~1.2e-7 */
    assert_true(fabs(r.kahan - exact) <= 2.4e-6);     /* compensated: within an ulp or two of 11 */
    assert_true(fabs(r.pairwise - exact) < fabs(r.naive - exact) / 10);
    /* fp16: 1 + 1e-4 is absorbed at every step (ulp(1) = 9.8e-4), so naive never moves */
    fp_sums h = fp_sum_copies(1.0, 1e-4, 1000, FP16);
    assert_true(h.naive == 1.0);
    assert_true(fabs(h.kahan - h.exact) < 0.01);
    assert_true(fabs(h.pairwise - h.exact) < 0.01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_encodings),
        cmocka_unit_test(test_ulps_and_limits),
        cmocka_unit_test(test_fp16_sweep_matches_hardware),
        cmocka_unit_test(test_bf16_sweep_matches_bit_trick),
        cmocka_unit_test(test_absorption),
        cmocka_unit_test(test_summation_methods),
    };
    return cmocka_run_group_tests_name("fp", tests, NULL, NULL);
}
