#include "fp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    memset(&r, 0, sizeof r);
    double o = fp_round(onto, f), v = fp_round(x, f);
    /* Each loop is a fixed function of its state: once a step leaves the state as it was,
     * every later step does too, and the loop can stop there. */
    double acc = o;
    for (long i = 0; i < n; i++) {
        double next = fp_add(acc, v, f);
        if (next == acc)
            break;
        acc = next;
    }
    r.naive = acc;
    r.pairwise = n > 0 ? fp_add(o, pairwise_copies(v, n, f), f) : o;
    double sum = o, c = 0.0; /* Kahan: c carries what the last addition lost */
    for (long i = 0; i < n; i++) {
        double y = fp_round(v - c, f);
        double t = fp_add(sum, y, f);
        double c2 = fp_round(fp_round(t - sum, f) - y, f);
        if (t == sum && c2 == c) {
            r.kahan_stuck = i + 1;
            break;
        }
        c = c2;
        sum = t;
    }
    r.kahan = sum;
    r.kahan_c = c;
    fp_dec a, b, e;
    fp_dec_of_double(o, &a);
    fp_dec_of_double(v, &b);
    /* finite fp64 values and n < 2^32: the exact sum always fits, and is then rounded once */
    r.exact = isfinite(o) && isfinite(v) && fp_dec_copies(&a, &b, n, &e) == 0 ? fp_encode_dec(&e, FP64).value
                                                                              : o + (double)n * v;
    return r;
}

/* ---- exact decimals ------------------------------------------------------------------------ */

static void dec_zero(fp_dec *x, int sign)
{
    x->sign = sign;
    x->n = 0;
    x->exp = 0;
}

/* Drop trailing zero digits into the exponent (leading zeros never get in: see the callers). */
static void dec_trim(fp_dec *x)
{
    while (x->n > 0 && x->d[x->n - 1] == 0) {
        x->n--;
        x->exp++;
    }
    if (x->n == 0)
        x->exp = 0;
}

int fp_dec_parse(const char *s, fp_dec *out)
{
    const char *p = s;
    dec_zero(out, 0);
    if (*p == '+' || *p == '-')
        out->sign = *p++ == '-';
    long frac = 0, digits = 0;
    bool point = false;
    int too_long = 0;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            digits++;
            if (point)
                frac++;
            if (out->n == 0 && *p == '0')
                continue; /* a leading zero */
            if (out->n < FP_DEC_DIGITS)
                out->d[out->n++] = (unsigned char)(*p - '0');
            else
                too_long = 1;
        } else if (*p == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (digits == 0)
        return -1;
    long e = 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        int neg = *p == '-';
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return -1;
        for (; *p >= '0' && *p <= '9'; p++)
            if (e < 1000000000L)
                e = e * 10 + (*p - '0');
        e = neg ? -e : e;
    }
    if (*p)
        return -1;
    if (too_long)
        return -2;
    long x = e - frac;
    if (x < -100000000L || x > 100000000L)
        return -2;
    out->exp = (int)x;
    dec_trim(out);
    return out->n > FP_DEC_TYPED_DIGITS ? -2 : 0;
}

/* x = x * m (m < 2^32), digit by digit from the lowest; -1 when it would not fit. */
static int dec_mul_small(fp_dec *x, uint64_t m)
{
    uint64_t carry = 0;
    for (int i = x->n - 1; i >= 0; i--) {
        uint64_t cur = (uint64_t)x->d[i] * m + carry;
        x->d[i] = (unsigned char)(cur % 10);
        carry = cur / 10;
    }
    int extra = 0;
    unsigned char head[24];
    for (; carry; carry /= 10)
        head[extra++] = (unsigned char)(carry % 10);
    if (x->n + extra > FP_DEC_DIGITS)
        return -1;
    memmove(x->d + extra, x->d, (size_t)x->n);
    for (int i = 0; i < extra; i++)
        x->d[i] = head[extra - 1 - i];
    x->n += extra;
    dec_trim(x);
    return 0;
}

void fp_dec_of_double(double v, fp_dec *out)
{
    dec_zero(out, signbit(v) != 0);
    if (v == 0 || !isfinite(v))
        return;
    int e;
    double m = frexp(fabs(v), &e);
    uint64_t mant = (uint64_t)ldexp(m, 53); /* v = mant x 2^(e - 53), exactly */
    e -= 53;
    while (!(mant & 1)) {
        mant >>= 1;
        e++;
    }
    char digits[24];
    int k = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mant);
    for (int i = 0; i < k; i++)
        out->d[i] = (unsigned char)(digits[i] - '0');
    out->n = k;
    dec_trim(out);
    /* a power of two at most 2^971 times a 53-bit integer fits (308 digits); 2^-k is
     * 5^k x 10^-k, 751 digits at most: neither can fail */
    for (int step; e > 0; e -= step) {
        step = e > 28 ? 28 : e;
        dec_mul_small(out, 1ull << step);
    }
    for (int step; e < 0; e += step) { /* x 2^-step = x 5^step / 10^step; 5^13 < 2^31 */
        step = -e > 13 ? 13 : -e;
        uint64_t p = 1;
        for (int i = 0; i < step; i++)
            p *= 5;
        dec_mul_small(out, p);
        out->exp -= step;
    }
}

/* The digit of x at the place 10^place. */
static int dec_digit(const fp_dec *x, long place)
{
    long i = x->n - 1 - (place - x->exp);
    return i >= 0 && i < x->n ? x->d[i] : 0;
}

int fp_dec_cmp_abs(const fp_dec *a, const fp_dec *b)
{
    if (a->n == 0 || b->n == 0)
        return (a->n > 0) - (b->n > 0);
    long ta = (long)a->exp + a->n, tb = (long)b->exp + b->n; /* one above the leading digit */
    if (ta != tb)
        return ta > tb ? 1 : -1;
    for (int i = 0; i < a->n || i < b->n; i++) {
        int da = i < a->n ? a->d[i] : 0, db = i < b->n ? b->d[i] : 0;
        if (da != db)
            return da > db ? 1 : -1;
    }
    return 0;
}

/* out = sign x (|a| + |b|) or, with `subtract` and |a| >= |b|, sign x (|a| - |b|). */
static int dec_combine(const fp_dec *a, const fp_dec *b, bool subtract, int sign, fp_dec *out)
{
    long lo = a->exp < b->exp ? a->exp : b->exp;
    long hi = (long)a->exp + a->n > (long)b->exp + b->n ? (long)a->exp + a->n : (long)b->exp + b->n;
    long len = hi - lo + 1; /* one more place for a carry */
    if (len > FP_DEC_DIGITS)
        return -1;
    unsigned char t[FP_DEC_DIGITS]; /* lowest place first */
    int carry = 0;
    for (long i = 0; i < len; i++) {
        int d = dec_digit(a, lo + i) + (subtract ? -dec_digit(b, lo + i) : dec_digit(b, lo + i)) + carry;
        carry = d < 0 ? -1 : d / 10;
        t[i] = (unsigned char)(d - carry * 10);
    }
    while (len > 0 && t[len - 1] == 0)
        len--;
    out->sign = sign;
    out->n = (int)len;
    out->exp = (int)lo;
    for (long i = 0; i < len; i++)
        out->d[i] = t[len - 1 - i];
    dec_trim(out);
    return 0;
}

static int dec_add_signed(const fp_dec *a, const fp_dec *b, int b_sign, fp_dec *out)
{
    if (b->n == 0) {
        if (out != a)
            *out = *a;
        return 0;
    }
    if (a->n == 0) {
        if (out != b)
            *out = *b;
        out->sign = b_sign;
        return 0;
    }
    if (a->sign == b_sign)
        return dec_combine(a, b, false, a->sign, out);
    int c = fp_dec_cmp_abs(a, b);
    if (c == 0) {
        dec_zero(out, 0);
        return 0;
    }
    return c > 0 ? dec_combine(a, b, true, a->sign, out) : dec_combine(b, a, true, b_sign, out);
}

int fp_dec_add(const fp_dec *a, const fp_dec *b, fp_dec *out) { return dec_add_signed(a, b, b->sign, out); }
int fp_dec_sub(const fp_dec *a, const fp_dec *b, fp_dec *out) { return dec_add_signed(a, b, !b->sign, out); }

int fp_dec_copies(const fp_dec *onto, const fp_dec *x, long n, fp_dec *out)
{
    fp_dec nx = *x;
    if (n < 0 || n > 4000000000L || dec_mul_small(&nx, (uint64_t)n))
        return -1;
    return fp_dec_add(onto, &nx, out);
}

/* Appends to a text buffer, keeping it terminated and never past its end. */
typedef struct dec_out {
    char *buf;
    size_t cap, k;
} dec_out;

static void put_c(dec_out *o, char c)
{
    if (o->k + 1 < o->cap)
        o->buf[o->k++] = c;
    o->buf[o->k < o->cap ? o->k : o->cap - 1] = '\0';
}

static void put_s(dec_out *o, const char *s)
{
    while (*s)
        put_c(o, *s++);
}

bool fp_dec_text(const fp_dec *x, int max_sig, bool plus, char *buf, size_t cap)
{
    dec_out o = {buf, cap, 0};
    if (cap == 0)
        return false;
    buf[0] = '\0';
    if (x->sign)
        put_c(&o, '-');
    else if (plus && x->n > 0) /* zero gets no sign but its own (-0) */
        put_c(&o, '+');
    if (x->n == 0) {
        put_c(&o, '0');
        return true;
    }
    int shown = x->n <= max_sig ? x->n : (max_sig < 1 ? 1 : max_sig);
    bool all = shown == x->n;
    long lead = (long)x->exp + x->n - 1; /* the place of the leading digit */
    /* positional only where a cut (if any) falls after the decimal point */
    if (lead >= -7 && lead <= 20 && (all || shown > lead + 1)) {
        if (lead < 0) {
            put_s(&o, "0.");
            for (long i = 0; i < -lead - 1; i++)
                put_c(&o, '0');
            for (int i = 0; i < shown; i++)
                put_c(&o, (char)('0' + x->d[i]));
        } else {
            for (long p = lead; p >= 0; p--)
                put_c(&o, (char)('0' + dec_digit(x, p)));
            if (shown > lead + 1)
                put_c(&o, '.');
            for (long i = lead + 1; i < shown; i++)
                put_c(&o, (char)('0' + x->d[i]));
        }
        if (!all)
            put_s(&o, "...");
        return all;
    }
    put_c(&o, (char)('0' + x->d[0]));
    if (shown > 1)
        put_c(&o, '.');
    for (int i = 1; i < shown; i++)
        put_c(&o, (char)('0' + x->d[i]));
    if (!all)
        put_s(&o, "...");
    char e[24];
    snprintf(e, sizeof e, "e%+ld", lead);
    put_s(&o, e);
    return all;
}

long double fp_dec_to_ld(const fp_dec *x)
{
    char s[FP_DEC_DIGITS + 32];
    fp_dec_text(x, FP_DEC_DIGITS, false, s, sizeof s);
    return strtold(s, NULL);
}

/* The leading digits of each as a long double, the powers of ten apart: a long double alone
 * would underflow for a typed 1e-5000. */
void fp_dec_ratio_text(const fp_dec *a, const fp_dec *b, char *buf, size_t cap)
{
    if (a->n == 0) {
        snprintf(buf, cap, "0");
        return;
    }
    char sa[48], sb[48];
    fp_dec ma = *a, mb = *b; /* the leading digits as 0.ddd..., the rest of the scale in e10 */
    ma.sign = mb.sign = 0;
    ma.exp = -ma.n;
    mb.exp = -mb.n;
    fp_dec_text(&ma, 30, false, sa, sizeof sa);
    fp_dec_text(&mb, 30, false, sb, sizeof sb);
    long double r = strtold(sa, NULL) / strtold(sb, NULL); /* "..." ends the parse: a 30-digit prefix */
    long e10 = ((long)a->exp + a->n) - ((long)b->exp + b->n);
    while (r >= 10) {
        r /= 10;
        e10++;
    }
    while (r < 1) {
        r *= 10;
        e10--;
    }
    char m[16];
    snprintf(m, sizeof m, "%.2Lf", r);
    if (strcmp(m, "10.00") == 0) { /* 9.996 rounds up to the next power of ten */
        snprintf(m, sizeof m, "1.00");
        e10++;
    }
    if (e10 >= -4 && e10 <= 5)
        snprintf(buf, cap, "%.3Lg", strtold(m, NULL) * powl(10, e10));
    else {
        /* m is "d.dd": %g-like, its trailing zeros (and then the point) are dropped */
        if (m[3] == '0')
            m[3] = '\0';
        if (m[3] == '\0' && m[2] == '0')
            m[1] = '\0';
        snprintf(buf, cap, "%se%+03ld", m, e10);
    }
}

fp_value fp_encode_dec(const fp_dec *x, fp_format f)
{
    char s[FP_DEC_DIGITS + 32];
    fp_dec_text(x, FP_DEC_DIGITS, false, s, sizeof s);
    double x64 = strtod(s, NULL); /* glibc rounds correctly: this is RNE to fp64 */
    fp_value v = fp_encode(x64, f);
    const fp_spec *sp = &specs[f];
    if (f != FP64 && x->n > 0) {
        /* The fp64 value lies within half an fp64 ulp of x, and every tie of the narrower
         * format is an fp64 number, so the two roundings differ by one step at most: the
         * nearest of the three neighbours, measured exactly, is the right one. */
        uint64_t sign = v.bits & (1ull << (sp->exp_bits + sp->frac_bits));
        uint64_t inf = ((1ull << sp->exp_bits) - 1) << sp->frac_bits;
        fp_dec t;
        fp_dec_of_double(fp_max(f) + ldexp(1.0, bias(sp) - sp->frac_bits - 1), &t);
        if (fp_dec_cmp_abs(x, &t) >= 0) { /* at or past max + ulp/2: RNE overflows */
            v = fp_decode(sign | inf, f);
        } else {
            uint64_t mag = v.cls == FPC_INF ? inf - 1 : v.bits & ~sign, best = mag;
            fp_dec c, d, best_d;
            bool have = false;
            for (uint64_t cand = mag > 0 ? mag - 1 : 0; cand <= mag + 1 && cand < inf; cand++) {
                fp_dec_of_double(fp_decode(cand, f).value, &c);
                c.sign = x->sign;
                if (fp_dec_sub(x, &c, &d) != 0)
                    continue; /* x is then far below this candidate's places: 0 is the nearer */
                int cmp = have ? fp_dec_cmp_abs(&d, &best_d) : -1;
                if (cmp < 0 || (cmp == 0 && !(cand & 1))) { /* nearer, or a tie and even */
                    best = cand;
                    best_d = d;
                    have = true;
                }
            }
            v = fp_decode(sign | best, f);
        }
    }
    fp_dec sv, e;
    if (isfinite(v.value)) {
        fp_dec_of_double(v.value, &sv);
        v.error = fp_dec_sub(&sv, x, &e) == 0 ? (double)fp_dec_to_ld(&e) : v.value - x64;
    } else {
        v.error = v.cls == FPC_INF ? INFINITY : NAN;
    }
    return v;
}
