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
/* Just the rounded value, the same as fp_encode's. These three (fp_round.c) round a float to
 * bf16 or fp16 with bit operations, fast enough for training in those formats; a double that
 * is no float goes through fp_encode. */
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
    double exact;     /* onto + N*x of the rounded inputs, computed exactly, then rounded to fp64 */
    long kahan_stuck; /* the copy from which Kahan's sum and correction no longer change (0: never) */
    double kahan_c;   /* Kahan's correction from that copy on */
} fp_sums;
fp_sums fp_sum_copies(double onto, double x, long n, fp_format f);

/* ---- exact decimals ---------------------------------------------------------------------
 * Every binary float is a finite decimal (m x 2^-k = m x 5^k x 10^-k), and so is every typed
 * number, so the error of storing a decimal in a format is a finite decimal too: these hold
 * them exactly. The capacity covers any fp64 value (751 significant digits at most, 2^1023 has
 * 308 integer digits) against a typed number of up to FP_DEC_TYPED_DIGITS digits; an operation
 * that would need more returns -1 and the caller says so. */
#define FP_DEC_DIGITS 2048
#define FP_DEC_TYPED_DIGITS 800

typedef struct fp_dec {
    int sign; /* 1: negative (-0 included) */
    int n;    /* significant digits in d; 0 is the value 0 */
    int exp;  /* value = d[0] d[1] ... d[n-1] x 10^exp; no leading or trailing zero digits */
    unsigned char d[FP_DEC_DIGITS];
} fp_dec;

/* A plain decimal "[-+]digits[.digits][e[-+]digits]": 0; -1 when it is not one (hex, inf,
 * nan, spaces); -2 when it has more than FP_DEC_TYPED_DIGITS significant digits or its
 * exponent is past +-10^8. */
int fp_dec_parse(const char *s, fp_dec *out);
/* The exact value of a finite double (the sign of -0 is kept). */
void fp_dec_of_double(double v, fp_dec *out);
/* out = a + b, out = a - b (out may be a or b); -1 when past the capacity. */
int fp_dec_add(const fp_dec *a, const fp_dec *b, fp_dec *out);
int fp_dec_sub(const fp_dec *a, const fp_dec *b, fp_dec *out);
/* out = onto + n * x: n copies of x added to onto, exactly; -1 when past the capacity. */
int fp_dec_copies(const fp_dec *onto, const fp_dec *x, long n, fp_dec *out);
/* Compare |a| with |b|: -1, 0 or 1. */
int fp_dec_cmp_abs(const fp_dec *a, const fp_dec *b);
/* The nearest long double (strtold rounds correctly), for ratios shown to a few digits. */
long double fp_dec_to_ld(const fp_dec *x);
/* |a / b| to three significant digits ("0.2", "1.49e-08"), whatever the exponents; b != 0. */
void fp_dec_ratio_text(const fp_dec *a, const fp_dec *b, char *buf, size_t cap);
/* Text: positional ("0.100000001490116119384765625") while the leading digit is from 10^-7
 * to 10^20, else scientific ("1.490116119384765625e-9"). At most max_sig significant digits:
 * when there are more, the digits shown are the first ones (not rounded) followed by "...".
 * `plus` writes "+" before a positive value (not before 0). Returns true when every digit is shown. A
 * buffer of FP_DEC_DIGITS + 32 bytes always holds the whole text. */
bool fp_dec_text(const fp_dec *x, int max_sig, bool plus, char *buf, size_t cap);

/* Round an exact decimal to the format directly, to nearest with ties to even. Rounding it
 * to fp64 first and then to a narrower format can differ (a double rounding: the fp64 value
 * can land exactly on a tie of the narrower format); this never does. `error` is the stored
 * value minus x, rounded to fp64. */
fp_value fp_encode_dec(const fp_dec *x, fp_format f);

#endif
