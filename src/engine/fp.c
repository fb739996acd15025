#include "fp.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const fp_spec specs[FP_COUNT] = {{"fp64", 11, 52}, {"fp32", 8, 23}, {"bf16", 8, 7}, {"fp16", 5, 10}};

const fp_spec *fp_spec_of(fp_format f) { return &specs[f]; }

int fp_parse(const char *name, fp_format *out)
{
    for (int i = 0; i < FP_COUNT; i++)
        if (strcmp(name, specs[i].name) == 0) {
            *out = (fp_format)i;
            return 0;
        }
    return -1;
}

static int bias(const fp_spec *s) { return (1 << (s->exp_bits - 1)) - 1; }

double fp_max(fp_format f)
{
    const fp_spec *s = &specs[f];
    return ldexp(2.0 - ldexp(1.0, -s->frac_bits), bias(s));
}

double fp_min_subnormal(fp_format f)
{
    const fp_spec *s = &specs[f];
    return ldexp(1.0, 1 - bias(s) - s->frac_bits);
}

fp_value fp_decode(uint64_t bits, fp_format f)
{
    const fp_spec *s = &specs[f];
    fp_value v;
    memset(&v, 0, sizeof v);
    v.format = f;
    v.bits = bits;
    uint64_t emax = (1ull << s->exp_bits) - 1;
    v.sign = (int)((bits >> (s->exp_bits + s->frac_bits)) & 1);
    v.exp_field = (bits >> s->frac_bits) & emax;
    v.frac_field = bits & ((1ull << s->frac_bits) - 1);
    int b = bias(s), emin = 1 - b;
    double sign = v.sign ? -1.0 : 1.0;
    if (v.exp_field == emax) {
        v.cls = v.frac_field ? FPC_NAN : FPC_INF;
        v.value = v.frac_field ? NAN : sign * INFINITY;
        v.exponent = b + 1;
        v.ulp = NAN;
        return v;
    }
    if (v.exp_field == 0) {
        v.cls = v.frac_field ? FPC_SUBNORMAL : FPC_ZERO;
        v.exponent = emin;
        v.value = sign * ldexp((double)v.frac_field, emin - s->frac_bits);
    } else {
        v.cls = FPC_NORMAL;
        v.exponent = (int)v.exp_field - b;
        v.value = sign * ldexp((double)(v.frac_field | (1ull << s->frac_bits)), v.exponent - s->frac_bits);
    }
    v.ulp = ldexp(1.0, v.exponent - s->frac_bits);
    return v;
}

fp_value fp_encode(double x, fp_format f)
{
    const fp_spec *s = &specs[f];
    uint64_t emax = (1ull << s->exp_bits) - 1;
    int shift = s->exp_bits + s->frac_bits;
    if (f == FP64) {
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        fp_value v = fp_decode(bits, f);
        v.error = 0.0;
        return v;
    }
    uint64_t sign = signbit(x) ? 1ull << shift : 0;
    if (isnan(x)) {
        fp_value v = fp_decode(sign | (emax << s->frac_bits) | (1ull << (s->frac_bits - 1)), f); /* quiet NaN */
        v.error = NAN;
        return v;
    }
    double a = fabs(x);
    uint64_t bits;
    if (isinf(a))
        bits = sign | (emax << s->frac_bits);
    else if (a == 0.0)
        bits = sign;
    else {
        int b = bias(s), emin = 1 - b, e;
        frexp(a, &e);
        e -= 1; /* a = 1.m x 2^e */
        if (e < emin)
            e = emin; /* subnormal range: fixed quantum */
        /* a / quantum is exact (a power-of-two scaling); nearbyint rounds half to even */
        double q = nearbyint(ldexp(a, s->frac_bits - e));
        double mant_limit = ldexp(1.0, s->frac_bits + 1);
        if (q >= mant_limit) { /* rounded up into the next binade */
            q /= 2;
            e += 1;
        }
        if (e > b) /* past the largest finite value: RNE overflows to Inf */
            bits = sign | (emax << s->frac_bits);
        else if (q < ldexp(1.0, s->frac_bits)) /* subnormal (or rounded down to 0) */
            bits = sign | (uint64_t)q;
        else
            bits = sign | ((uint64_t)(e + b) << s->frac_bits) | ((uint64_t)q - (1ull << s->frac_bits));
    }
    fp_value v = fp_decode(bits, f);
    v.error = isfinite(v.value) ? v.value - x : (isinf(v.value) && !isinf(x) ? INFINITY : 0.0);
    return v;
}

double fp_round(double x, fp_format f) { return f == FP64 ? x : fp_encode(x, f).value; }

float fp_round_f(float x, fp_format f)
{
    if (f == FP32 || f == FP64)
        return x;
    return (float)fp_encode(x, f).value;
}

void fp_round_array(float *v, size_t n, fp_format f)
{
    if (f == FP32 || f == FP64)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = (float)fp_encode(v[i], f).value;
}

const char *fp_class_name(fp_class c)
{
    static const char *const n[] = {"zero", "subnormal", "normal", "infinity", "NaN"};
    return n[c];
}

void fp_bits_text(const fp_value *v, char *buf, size_t cap)
{
    const fp_spec *s = &specs[v->format];
    size_t k = 0;
    int total = 1 + s->exp_bits + s->frac_bits;
    for (int i = total - 1; i >= 0 && k + 2 < cap; i--) {
        buf[k++] = (char)('0' + ((v->bits >> i) & 1));
        if ((i == total - 1 || i == s->frac_bits) && k + 2 < cap)
            buf[k++] = ' ';
    }
    buf[k] = '\0';
}

double fp_add(double a, double b, fp_format f) { return fp_round(fp_round(a, f) + fp_round(b, f), f); }
double fp_mul(double a, double b, fp_format f) { return fp_round(fp_round(a, f) * fp_round(b, f), f); }

/* Pairwise sum of n copies of x in format f: the halves are identical, so a sum of 2k copies
 * is one sum of k copies added to itself (plus one copy for odd n). */
static double pairwise_copies(double x, long n, fp_format f)
{
    if (n == 1)
        return x;
    double half = pairwise_copies(x, n / 2, f);
    double s = fp_add(half, half, f);
    return n % 2 ? fp_add(s, x, f) : s;
}

fp_sums fp_sum_copies(double onto, double x, long n, fp_format f)
{
    fp_sums r;
    double o = fp_round(onto, f), v = fp_round(x, f);
    double acc = o;
    for (long i = 0; i < n; i++)
        acc = fp_add(acc, v, f);
    r.naive = acc;
    r.pairwise = n > 0 ? fp_add(o, pairwise_copies(v, n, f), f) : o;
    double sum = o, c = 0.0; /* Kahan: c carries what the last addition lost */
    for (long i = 0; i < n; i++) {
        double y = fp_round(v - c, f);
        double t = fp_add(sum, y, f);
        c = fp_round(fp_round(t - sum, f) - y, f);
        sum = t;
    }
    r.kahan = sum;
    r.exact = (double)((long double)o + (long double)n * (long double)v);
    return r;
}
