/* fp.h - IEEE-754 binary formats, for seeing and simulating precision.
 * One generic encoder rounds a double to any format (exponent bits, fraction bits) with
 * round-to-nearest, ties-to-even, gradual underflow to subnormals, and overflow to +-Inf:
 *   fp64 (11, 52)   fp32 (8, 23)   bf16 (8, 7)   fp16 (5, 10) */
#ifndef DS_FP_H
#define DS_FP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum fp_format { FP64, FP32, BF16, FP16, FP_COUNT } fp_format;

typedef struct fp_spec {
    const char *name;
    int exp_bits, frac_bits;
} fp_spec;

const fp_spec *fp_spec_of(fp_format f);
int fp_parse(const char *name, fp_format *out);

typedef enum fp_class { FPC_ZERO, FPC_SUBNORMAL, FPC_NORMAL, FPC_INF, FPC_NAN } fp_class;

typedef struct fp_value {
    fp_format format;
    uint64_t bits;        /* the encoding, right-aligned: sign | exponent | fraction */
    int sign;             /* 0 or 1 */
    uint64_t exp_field;   /* biased exponent field */
    uint64_t frac_field;  /* fraction field */
    int exponent;         /* unbiased e in (-1)^s x 1.m x 2^e (0.m x 2^emin for subnormals) */
    double value;         /* the exact stored value (every format here fits in a double) */
    double error;         /* value - the input */
    double ulp;           /* gap to the next representable number away from 0 */
    fp_class cls;
} fp_value;

/* Round x to the format (RNE). */
fp_value fp_encode(double x, fp_format f);
/* Decode bits of the format. */
fp_value fp_decode(uint64_t bits, fp_format f);
/* Just the rounded value. */
double fp_round(double x, fp_format f);
float fp_round_f(float x, fp_format f);
/* Round every element of v in place (no-op for fp32 and fp64). */
void fp_round_array(float *v, size_t n, fp_format f);
/* The largest finite value and the smallest positive subnormal. */
double fp_max(fp_format f);
double fp_min_subnormal(fp_format f);

const char *fp_class_name(fp_class c);
/* Bits as text "s eeeee ffffffffff" into buf. */
void fp_bits_text(const fp_value *v, char *buf, size_t cap);

/* Arithmetic in a format: operands and result rounded to it. (For fp32 and narrower, the
 * double operation is exact enough that rounding its result once is correctly rounded.) */
double fp_add(double a, double b, fp_format f);
double fp_mul(double a, double b, fp_format f);

/* N copies of x added onto `onto`, in format f, three ways. */
typedef struct fp_sums {
    double naive, pairwise, kahan;
    double exact; /* onto + N*x of the rounded inputs, in long double */
} fp_sums;
fp_sums fp_sum_copies(double onto, double x, long n, fp_format f);

#endif
