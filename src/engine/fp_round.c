/* fp_round.c - rounding floats to bf16 and fp16 the fast way, for training in them.
 * Training in bf16 or fp16 rounds every stored value, millions per step; fp_encode (fp.c) does
 * it for any format and input but takes ~20 times as long. For a float input these bit
 * operations give the same value (tests/test_precision.c compares them with fp_encode on a
 * stride through all 2^32 bit patterns, and tests/test_fp.c with the hardware's _Float16). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fp.h"

static float f_of_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static uint32_t bits_of_f(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Drop the low 16 bits, rounding to nearest, ties to even: bf16 is the top half of an fp32,
 * with the same exponent range, so subnormals and overflow to Inf come out right too (a carry
 * out of the fraction moves into the exponent). */
static float round_bf16(float x)
{
    uint32_t u = bits_of_f(x);
    if ((u & 0x7F800000u) == 0x7F800000u) /* Inf and NaN stay */
        return x;
    return f_of_bits((u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u);
}

#define FP16_MIN_NORMAL_BITS 0x38800000u /* 2^-14 as an fp32 */
#define FP16_MAX_BITS 0x477FE000u        /* 65504 as an fp32 */

static float round_fp16(float x)
{
    uint32_t u = bits_of_f(x), sign = u & 0x80000000u, a = u & 0x7FFFFFFFu;
    /* Both roundings, then a select: no branch a vectoriser would have to keep (GCC
     * vectorises the loop of fp_round_array when FP exceptions are not observable,
     * -fno-trapping-math, as the Makefile gives act.c). Below 2^-14
     * fp16 numbers are multiples of 2^-24, fp32's ulp in [0.5, 1): adding 0.5 rounds to that
     * spacing (ties to even, as 0.5 is an even multiple), and subtracting it back is exact.
     * The assignments round to float even where the compiler keeps wider intermediates. */
    float t = f_of_bits(a) + 0.5f;
    t = t - 0.5f;
    /* normal: keep 10 of fp32's 23 fraction bits, as in round_bf16; past 65504 + half an
     * ulp, RNE overflows to Inf */
    uint32_t normal = (a + 0xFFFu + ((a >> 13) & 1u)) & 0xFFFFE000u;
    normal = normal > FP16_MAX_BITS ? 0x7F800000u : normal;
    uint32_t r = a < FP16_MIN_NORMAL_BITS ? bits_of_f(t) : normal;
    r = a >= 0x7F800000u ? a : r; /* Inf and NaN stay */
    return f_of_bits(sign | r);
}

double fp_round(double x, fp_format f)
{
    if (f == FP64)
        return x;
    /* a float (not NaN, and in range: converting a larger double to float is undefined) */
    if ((f == BF16 || f == FP16) && fabs(x) <= FLT_MAX && (double)(float)x == x)
        return f == BF16 ? round_bf16((float)x) : round_fp16((float)x);
    return fp_encode(x, f).value;
}

float fp_round_f(float x, fp_format f)
{
    switch (f) {
    case BF16: return round_bf16(x);
    case FP16: return round_fp16(x);
    default: return x;
    }
}

void fp_round_array(float *v, size_t n, fp_format f)
{
    if (f == BF16)
        for (size_t i = 0; i < n; i++)
            v[i] = round_bf16(v[i]);
    else if (f == FP16)
        for (size_t i = 0; i < n; i++)
            v[i] = round_fp16(v[i]);
}
