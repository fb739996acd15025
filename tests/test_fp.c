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

static void expect_dec(const fp_dec *d, bool plus, const char *want)
{
    char buf[FP_DEC_DIGITS + 32];
    fp_dec_text(d, FP_DEC_DIGITS, plus, buf, sizeof buf);
    assert_string_equal(buf, want);
}

/* The exact value a format stores for a typed decimal, and the exact error. The strings were
 * checked with Python's fractions and decimal modules. */
static void expect_stored(const char *typed, fp_format f, const char *value, const char *error)
{
    fp_dec x, s, e;
    assert_int_equal(fp_dec_parse(typed, &x), 0);
    fp_value v = fp_encode_dec(&x, f);
    fp_dec_of_double(v.value, &s);
    assert_int_equal(fp_dec_sub(&s, &x, &e), 0);
    expect_dec(&s, false, value);
    expect_dec(&e, true, error);
}

static void test_exact_decimals(void **s)
{
    (void)s;
    expect_stored("0.1", FP64, "0.1000000000000000055511151231257827021181583404541015625",
                  "+5.5511151231257827021181583404541015625e-18");
    expect_stored("0.1", FP32, "0.100000001490116119384765625", "+1.490116119384765625e-9");
    expect_stored("0.1", BF16, "0.10009765625", "+0.00009765625");
    expect_stored("0.1", FP16, "0.0999755859375", "-0.0000244140625");
    expect_stored("1e10", FP32, "10000000000", "0");
    expect_stored("1e10", BF16, "9999220736", "-779264");
    expect_stored("1e-10", FP16, "0", "-1e-10"); /* underflow: all of it lost */
    expect_stored("-2.5", FP16, "-2.5", "0");
    /* the smallest fp64 subnormal, 2^-1074: 751 significant digits, all of them */
    fp_dec d;
    char buf[FP_DEC_DIGITS + 32];
    fp_dec_of_double(0x1p-1074, &d);
    assert_int_equal(d.n, 751);
    assert_true(fp_dec_text(&d, FP_DEC_DIGITS, false, buf, sizeof buf));
    assert_int_equal(strncmp(buf, "4.9406564584124654417656879286822137236505980", 45), 0);
    assert_string_equal(buf + strlen(buf) - 17, "533447265625e-324");
    /* a cut is marked: the first digits, then "..." */
    assert_false(fp_dec_text(&d, 5, false, buf, sizeof buf));
    assert_string_equal(buf, "4.9406...e-324");
    fp_dec_of_double(-0x1p70, &d); /* 2^70 = 1180591620717411303424: past 10^20, so scientific */
    expect_dec(&d, false, "-1.180591620717411303424e+21");
    /* parsing: what is and is not a plain decimal */
    assert_int_equal(fp_dec_parse("-0012.5000e-3", &d), 0);
    expect_dec(&d, false, "-0.0125");
    assert_int_equal(fp_dec_parse("0x1p3", &d), -1);
    assert_int_equal(fp_dec_parse("inf", &d), -1);
    assert_int_equal(fp_dec_parse("1e", &d), -1);
    assert_int_equal(fp_dec_parse(".", &d), -1);
    assert_int_equal(fp_dec_parse("1e999999999", &d), -2);
    /* onto + n copies, exactly: 1 + 100000 x 1e-4 = 11 */
    fp_dec one, small, sum;
    fp_dec_parse("1", &one);
    fp_dec_parse("1e-4", &small);
    assert_int_equal(fp_dec_copies(&one, &small, 100000, &sum), 0);
    expect_dec(&sum, false, "11");
    /* ratios to three digits, whatever the exponents */
    fp_dec a, b;
    fp_dec_parse("1.490116119384765625e-9", &a);
    fp_dec_parse("0.1", &b);
    fp_dec_ratio_text(&a, &b, buf, 64);
    assert_string_equal(buf, "1.49e-08");
    fp_dec_parse("1e-5000", &a);
    fp_dec_parse("3", &b);
    fp_dec_ratio_text(&a, &b, buf, 64);
    assert_string_equal(buf, "3.33e-5001");
    fp_dec_parse("9.996", &a);
    fp_dec_parse("1e-7", &b);
    fp_dec_ratio_text(&a, &b, buf, 64);
    assert_string_equal(buf, "1e+08");
}

/* Rounding a decimal to fp64 and then to a narrower format can land on the narrower format's
 * tie and round the wrong way; fp_encode_dec rounds once. */
static void test_no_double_rounding(void **s)
{
    (void)s;
    fp_dec x;
    /* just above fp16's tie 1 + 2^-11: fp64 rounds it onto the tie, which goes to even 1.0 */
    fp_dec_parse("1.000488281250000000000000001", &x);
    assert_true(fp_encode(strtod("1.000488281250000000000000001", NULL), FP16).value == 1.0);
    assert_true(fp_encode_dec(&x, FP16).value == 1.0 + 0x1p-10);
    fp_dec_parse("1.000488281249999999999999999", &x);
    assert_true(fp_encode_dec(&x, FP16).value == 1.0);
    fp_dec_parse("1.00048828125", &x); /* the tie itself: to even */
    assert_true(fp_encode_dec(&x, FP16).value == 1.0);
    /* bf16's tie 1 + 2^-8, and fp32's 1 + 2^-24, each nudged up by 10^-30 */
    fp_dec_parse("1.003906250000000000000000000001", &x);
    assert_true(fp_encode_dec(&x, BF16).value == 1.0 + 0x1p-7);
    fp_dec_parse("1.000000059604644775390625000000000001", &x);
    assert_true(fp_encode_dec(&x, FP32).value == 1.0 + 0x1p-23);
    /* overflow: just below max + ulp/2 (65520) stays 65504, though fp64 rounds it to 65520 */
    fp_dec_parse("65519.999999999999999999999", &x);
    assert_true(fp_encode(strtod("65519.999999999999999999999", NULL), FP16).value == INFINITY);
    assert_true(fp_encode_dec(&x, FP16).value == 65504.0);
    fp_dec_parse("65520", &x);
    assert_true(fp_encode_dec(&x, FP16).value == INFINITY);
    fp_dec_parse("-65520", &x);
    assert_true(fp_encode_dec(&x, FP16).value == -INFINITY);
    /* fp16's smallest subnormal 2^-24: half of it is a tie (to 0), a hair above rounds up */
    fp_dec_parse("2.98023223876953125e-8", &x);
    assert_true(fp_encode_dec(&x, FP16).value == 0.0);
    fp_dec_parse("2.980232238769531250000000000001e-8", &x);
    assert_true(fp_encode_dec(&x, FP16).value == 0x1p-24);
    fp_dec_parse("-1e-30", &x); /* underflow keeps the sign */
    fp_value z = fp_encode_dec(&x, FP16);
    assert_true(z.value == 0 && z.sign == 1);
    /* and wherever the fp64 value is no tie, the two agree: a sweep over random decimals */
    rng r;
    rng_seed(&r, 18, 1);
    for (int i = 0; i < 20000; i++) {
        char t[64];
        snprintf(t, sizeof t, "%.*e", (int)rng_below(&r, 20), ldexp(rng_uniform(&r) + 0.5, (int)rng_below(&r, 80) - 40));
        assert_int_equal(fp_dec_parse(t, &x), 0);
        for (int f = 0; f < FP_COUNT; f++) {
            double via64 = fp_encode(strtod(t, NULL), (fp_format)f).value, direct = fp_encode_dec(&x, (fp_format)f).value;
            if (via64 != direct) { /* allowed only when fp64 landed exactly on a tie of f */
                double x64 = strtod(t, NULL), lo = fmin(via64, direct), hi = fmax(via64, direct);
                if (!(x64 == (lo + hi) / 2)) {
                    print_error("%s in %s: %a directly, %a via fp64\n", t, fp_spec_of((fp_format)f)->name, direct, via64);
                    fail();
                }
            }
        }
    }
}

/* In bf16, 1 + 100000 x 1e-4 by Kahan summation ends at 8: its correction c is a bf16 number
 * too. From copy 67730 on, c = -2^-5, whose last bit 2^-12 is over twice 1e-4, so x - c
 * rounds back to -c; 8 + 2^-5 is a tie that stays at the even 8. (Checked in Python with
 * exact fractions, step by step.) */
static void test_kahan_stalls_in_bf16(void **s)
{
    (void)s;
    fp_sums r = fp_sum_copies(1.0, 1e-4, 100000, BF16);
    assert_true(r.kahan == 8.0);
    assert_int_equal(r.kahan_stuck, 67730);
    assert_true(r.kahan_c == -0x1p-5);
    assert_true(r.pairwise == 11.0625);
    assert_true(fabs(r.pairwise - r.exact) < fabs(r.kahan - r.exact));
    /* the exact sum of the stored inputs: 1 + 100000 x 0.00010013580322265625 */
    assert_true(r.exact == 11.013580322265625);
    fp_sums f = fp_sum_copies(1.0, 1e-4, 100000, FP32);
    assert_int_equal(f.kahan_stuck, 0); /* fp32's Kahan never stalls here */
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
        cmocka_unit_test(test_exact_decimals),
        cmocka_unit_test(test_no_double_rounding),
        cmocka_unit_test(test_kahan_stalls_in_bf16),
    };
    return cmocka_run_group_tests_name("fp", tests, NULL, NULL);
}
