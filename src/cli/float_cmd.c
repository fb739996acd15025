/* float_cmd.c - `deepstep float VALUE | add A B | mul A B | sum SMALL N [LARGE] | softmax X...`
 * Typed numbers are kept as exact decimals (fp.h), so what storing them costs is measured
 * from the number the learner typed, not from its fp64 approximation. */
#include "float_cmd.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/fp.h"

/* Up to this many significant digits an exact value is printed whole; past it (fp64
 * subnormals have hundreds) the first SHOWN_DIGITS are, followed by "..." and the count. */
#define FULL_DIGITS 120
#define SHOWN_DIGITS 60
#define DEC_TEXT (FP_DEC_DIGITS + 32)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: deepstep float VALUE            the value in fp64, fp32, bf16 and fp16, bit by bit\n"
            "       deepstep float add A B          A + B in each format: what the smaller one loses\n"
            "       deepstep float mul A B          A x B in each format, with the rounding error\n"
            "       deepstep float sum SMALL N [LARGE]\n"
            "                                       N copies of SMALL added onto LARGE (default 1):\n"
            "                                       naive, pairwise and Kahan summation vs the exact sum\n"
            "       deepstep float softmax X1 X2 ...\n"
            "                                       softmax of logits: exp overflowing, and the max-subtraction fix\n"
            "\n"
            "Every format rounds to nearest, ties to even, straight from the decimal typed (never\n"
            "through fp64 first), and the errors shown are measured from that decimal, exactly.\n");
}

/* A number as typed: its fp64 value, and its exact decimal when it is a plain decimal. */
typedef struct typed_num {
    const char *text;
    double x;
    int exact;  /* 0 when dec holds the typed value exactly, else fp_dec_parse's code */
    fp_dec dec; /* the typed value (its fp64 value when `exact` is not 0) */
} typed_num;

static int parse_num(const char *s, typed_num *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0') {
        fprintf(stderr, "deepstep float: '%s' is not a number\n", s);
        return -1;
    }
    out->text = s;
    out->x = v;
    out->exact = fp_dec_parse(s, &out->dec);
    if (out->exact != 0)
        fp_dec_of_double(isfinite(v) ? v : 0.0, &out->dec);
    return 0;
}

/* Every decimal is finite, 1e400 too; only "inf" (and "nan") is not. */
static bool typed_finite(const typed_num *t) { return t->exact != -1 || isfinite(t->x); }

/* The typed number rounded to the format: from its exact decimal when there is one. */
static fp_value stored(const typed_num *t, fp_format f)
{
    return t->exact == 0 ? fp_encode_dec(&t->dec, f) : fp_encode(t->x, f);
}

/* An exact decimal, whole up to FULL_DIGITS significant digits, else clearly cut. */
static void dec_text(const fp_dec *d, bool plus, char *buf, size_t cap)
{
    if (d->n <= FULL_DIGITS) {
        fp_dec_text(d, FULL_DIGITS, plus, buf, cap);
        return;
    }
    fp_dec_text(d, SHOWN_DIGITS, plus, buf, cap);
    size_t k = strlen(buf);
    snprintf(buf + k, cap - k, " (the first %d of %d significant digits)", SHOWN_DIGITS, d->n);
}

/* The exact decimal value of a double, or Inf / NaN; false when it had to be cut. */
static bool exact_text(double v, char *buf, size_t cap)
{
    if (isnan(v) || isinf(v)) {
        snprintf(buf, cap, "%s", isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"));
        return true;
    }
    fp_dec d;
    fp_dec_of_double(v, &d);
    dec_text(&d, false, buf, cap);
    return d.n <= FULL_DIGITS;
}

/* 1.fff... (or 0.fff... for subnormals) in binary, the fraction field as stored. */
static void significand_text(const fp_value *v, char *buf, size_t cap)
{
    const fp_spec *s = fp_spec_of(v->format);
    size_t k = 0;
    buf[k++] = v->cls == FPC_SUBNORMAL || v->cls == FPC_ZERO ? '0' : '1';
    buf[k++] = '.';
    for (int i = s->frac_bits - 1; i >= 0 && k + 1 < cap; i--)
        buf[k++] = (char)('0' + ((v->frac_field >> i) & 1));
    buf[k] = '\0';
}

/* Why a result reads -0: said once, where one appears. */
static void signed_zero_note(bool shown)
{
    if (shown)
        printf("-0 is a float's negative zero: a result that rounds to 0 keeps the sign of the exact result "
               "(here negative); -0 == +0, yet 1/-0 is -Inf.\n");
}

/* The error lines of the anatomy: stored - typed, exactly, then relative and in ulps. */
static void error_line(const typed_num *t, const fp_value *v)
{
    fp_dec sv, err, ulp;
    fp_dec_of_double(v->value, &sv);
    fp_dec_of_double(v->ulp, &ulp);
    const char *name = fp_spec_of(v->format)->name;
    char e[DEC_TEXT], rel[32], ulps[32];
    if (fp_dec_sub(&sv, &t->dec, &err) != 0)
        printf("      error: too many digits to compute exactly\n");
    else if (err.n == 0)
        printf("      error 0: %s stores %s exactly\n", name, t->text);
    else {
        dec_text(&err, true, e, sizeof e);
        fp_dec_ratio_text(&err, &t->dec, rel, sizeof rel);
        fp_dec_ratio_text(&err, &ulp, ulps, sizeof ulps);
        printf("      error %s = stored - typed (%s relative, %s ulp)\n", e, rel, ulps);
    }
    printf("      %s%s; ulp 2^%d = %.*g\n", fp_class_name(v->cls),
           v->cls == FPC_ZERO && t->dec.n != 0 ? ": the typed number underflowed, all of it is lost" : "",
           ilogb(v->ulp), v->ulp >= 1 ? 17 : 3, v->ulp);
}

static void anatomy(const typed_num *t, fp_format f)
{
    fp_value v = stored(t, f);
    const fp_spec *s = fp_spec_of(f);
    char bits[96], sig[80], exact[DEC_TEXT];
    fp_bits_text(&v, bits, sizeof bits);
    printf("%-5s sign %d | exponent %d bits | fraction %d bits:  %s\n", s->name, v.sign, s->exp_bits, s->frac_bits, bits);
    if (v.cls == FPC_INF || v.cls == FPC_NAN) {
        printf("      = %s%s (exponent field all ones%s)\n", v.cls == FPC_NAN ? "" : (v.sign ? "-" : "+"),
               v.cls == FPC_NAN ? "NaN" : "Inf", v.cls == FPC_NAN ? ", fraction not zero" : "");
        if (v.cls == FPC_INF && typed_finite(t)) {
            /* max + half an ulp is the tie between the largest value and the next power of two,
             * which RNE sends to the even one, Inf: from there on everything overflows. Both
             * exactly, the first 17 digits (fp64's have 309). */
            fp_dec max, half, lim;
            char smax[64], slim[64];
            fp_dec_of_double(fp_max(f), &max);
            fp_dec_of_double(fp_encode(fp_max(f), f).ulp / 2, &half);
            fp_dec_add(&max, &half, &lim);
            fp_dec_text(&max, 17, false, smax, sizeof smax);
            fp_dec_text(&lim, 17, false, slim, sizeof slim);
            printf("      overflow: %s is past the largest %s, %s: from %s (half an ulp above it) up,\n"
                   "      values round to Inf\n", t->text, s->name, smax, slim);
        }
        return;
    }
    significand_text(&v, sig, sizeof sig);
    bool whole = exact_text(v.value, exact, sizeof exact);
    printf("      = (-1)^%d x %s x 2^%d\n", v.sign, sig, v.exponent);
    printf("      = %s%s\n", exact, whole && v.cls != FPC_ZERO ? " exactly" : "");
    error_line(t, &v);
}

static int cmd_value(const typed_num *t)
{
    printf("%s in each format (round to nearest, ties to even):\n", t->text);
    printf("Each format stores its nearest number, written out below in full (a binary fraction is\n"
           "always a finite decimal); the error is that stored value minus the number typed, exactly,\n"
           "and the ulp is the gap from the stored value to the next one away from 0.\n");
    if (t->exact == -1 && isfinite(t->x))
        printf("(%s is not a plain decimal: the errors are measured from its fp64 value.)\n", t->text);
    else if (t->exact == -2)
        printf("(%s has too many digits, or too large an exponent, to hold exactly: the errors are measured\n"
               "from its fp64 value.)\n", t->text);
    printf("\n");
    for (int f = 0; f < FP_COUNT; f++) {
        anatomy(t, (fp_format)f);
        printf("\n");
    }
    return 0;
}

/* How many of b's significant bits survive when b is added to a (|a| >= |b|) in format f. */
static int surviving_bits(const fp_value *a, const fp_value *b, int frac_bits)
{
    if (b->cls == FPC_ZERO)
        return 0;
    int shift = a->exponent - b->exponent; /* b's leading bit sits `shift` places below a's */
    int keep = frac_bits + 1 - shift;
    return keep < 0 ? 0 : (keep > frac_bits + 1 ? frac_bits + 1 : keep);
}

/* One operand, as the alignment display shows it. */
static void operand_line(const char *role_name, const fp_value *v, const typed_num *t, fp_format f)
{
    char sig[80];
    if (v->cls == FPC_INF && !typed_finite(t))
        printf("      %-7s %cInf\n", role_name, v->sign ? '-' : '+');
    else if (v->cls == FPC_INF)
        printf("      %-7s Inf: %s overflows %s (largest %.6g)\n", role_name, t->text, fp_spec_of(f)->name, fp_max(f));
    else if (v->cls == FPC_ZERO && t->x != 0)
        printf("      %-7s 0: %s underflows %s (smallest subnormal %.3g)\n", role_name, t->text, fp_spec_of(f)->name,
               fp_min_subnormal(f));
    else {
        significand_text(v, sig, sizeof sig);
        printf("      %-7s %s x 2^%d%s\n", role_name, sig, v->exponent, v->cls == FPC_SUBNORMAL ? " (subnormal)" : "");
    }
}

static int cmd_add(const typed_num *a, const typed_num *b)
{
    printf("%s + %s\n", a->text, b->text);
    printf("Adding aligns the smaller operand to the larger one's exponent: its bits shift right,\n"
           "and the ones that fall below the larger operand's last fraction bit are lost.\n\n");
    bool neg_zero = false;
    for (int fi = 0; fi < FP_COUNT; fi++) {
        fp_format f = (fp_format)fi;
        const fp_spec *s = fp_spec_of(f);
        fp_value va = stored(a, f), vb = stored(b, f);
        bool a_big = fabs(va.value) >= fabs(vb.value);
        const fp_value *big = a_big ? &va : &vb, *small = a_big ? &vb : &va;
        double r = fp_add(va.value, vb.value, f);
        printf("%s\n", s->name);
        operand_line("larger", big, a_big ? a : b, f);
        operand_line("smaller", small, a_big ? b : a, f);
        if (big->cls == FPC_NORMAL && small->cls != FPC_ZERO) {
            int shift = big->exponent - small->exponent, keep = surviving_bits(big, small, s->frac_bits);
            printf("      aligned: shifted right by %d places; %d of its %d significant bits stay inside the %d-bit "
                   "fraction%s\n", shift, keep, s->frac_bits + 1, s->frac_bits,
                   keep == 0 ? " (all shifted out)" : "");
        }
        char ex[DEC_TEXT];
        exact_text(r, ex, sizeof ex);
        bool absorbed = r == big->value && small->value != 0;
        neg_zero |= r == 0 && signbit(r);
        printf("      result  %s%s\n\n", ex, absorbed ? "   = the larger operand: the smaller one was absorbed" : "");
    }
    signed_zero_note(neg_zero);
    return 0;
}

static int cmd_mul(const typed_num *a, const typed_num *b)
{
    printf("%s x %s\n\n", a->text, b->text);
    bool neg_zero = false;
    for (int fi = 0; fi < FP_COUNT; fi++) {
        fp_format f = (fp_format)fi;
        const char *name = fp_spec_of(f)->name;
        double ra = stored(a, f).value, rb = stored(b, f).value, r = fp_mul(ra, rb, f);
        char ex[DEC_TEXT];
        exact_text(r, ex, sizeof ex);
        printf("%-5s %s", name, ex);
        const typed_num *gone = ra == 0 && a->x != 0 ? a : (rb == 0 && b->x != 0 ? b : NULL);
        const typed_num *huge = isinf(ra) && typed_finite(a) ? a : (isinf(rb) && typed_finite(b) ? b : NULL);
        if (huge)
            printf("   overflow: %s is already Inf in %s (largest %.6g)", huge->text, name, fp_max(f));
        else if (gone)
            printf("   underflow: %s is already 0 in %s (smallest subnormal %.3g)", gone->text, name,
                   fp_min_subnormal(f));
        else if (isinf(r) && isfinite(ra * rb))
            printf("   overflow: the product exceeds %.6g", fp_max(f));
        else if (r == 0 && ra * rb != 0)
            printf("   underflow: the product is below the smallest subnormal %.3g", fp_min_subnormal(f));
        else if (isfinite(r)) {
            /* the exact product of the stored operands: fma gives the error of the fp64 product,
             * and the narrower formats' products are exact in fp64 (24 + 24 bits <= 53) */
            double err = f == FP64 ? -fma(ra, rb, -r) : r - ra * rb;
            if (err == 0)
                printf("   exact: the product fits the format");
            else
                printf("   rounding error %+.3g (result - the exact product of the stored operands)", err);
        }
        neg_zero |= r == 0 && signbit(r);
        printf("\n");
    }
    signed_zero_note(neg_zero);
    return 0;
}

/* A sum in a table cell: its value, and its error against the exact sum. */
static void sum_cell(double v, const fp_dec *exact, char *buf, size_t cap)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "%s (overflow)", isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"));
        return;
    }
    fp_dec d, e;
    fp_dec_of_double(v, &d);
    if (fp_dec_sub(&d, exact, &e) != 0)
        snprintf(buf, cap, "%.9g (?)", v);
    else if (e.n == 0)
        snprintf(buf, cap, "%.9g (exact)", v);
    else
        snprintf(buf, cap, "%.9g (%+.2Lg)", v, fp_dec_to_ld(&e));
}

/* A stored input in a narrow column: whole when short, else its first digits and "...". */
static void short_text(double v, char *buf, size_t cap, int width)
{
    fp_dec d;
    fp_dec_of_double(v, &d);
    int sig = d.n;
    do
        fp_dec_text(&d, sig--, false, buf, cap);
    while ((int)strlen(buf) > width && sig > 0);
}

/* Why Kahan's compensated sum can end worse than pairwise: shown when the numbers say so. */
static void kahan_note(const fp_sums *r, const typed_num *small, fp_format f)
{
    double ek = fabs(r->kahan - r->exact), ep = fabs(r->pairwise - r->exact);
    if (!(ek > ep) || r->kahan_stuck == 0 || r->kahan_c == 0)
        return;
    const fp_spec *s = fp_spec_of(f);
    char c[64], ulp[64];
    short_text(r->kahan_c, c, sizeof c, 24);
    short_text(fp_encode(r->kahan_c, f).ulp, ulp, sizeof ulp, 24);
    printf("%s: Kahan ends worse than pairwise because its correction c is itself rounded to %s's %d-bit "
           "significand: from copy %ld on, c = %s, whose last bit is %s, so %s - c rounds back to -c and every "
           "further copy is lost in c, as naive summation loses it in the sum.\n",
           s->name, s->name, s->frac_bits + 1, r->kahan_stuck, c, ulp, small->text);
}

static int cmd_sum(const typed_num *small, long n, const typed_num *large)
{
    printf("%ld copies of %s added onto %s\n", n, small->text, large->text);
    fp_dec typed_sum;
    char tx[DEC_TEXT];
    if (small->exact == 0 && large->exact == 0 && fp_dec_copies(&large->dec, &small->dec, n, &typed_sum) == 0) {
        dec_text(&typed_sum, false, tx, sizeof tx);
        printf("exact sum of the numbers as typed: %s\n", tx);
    }
    printf("naive: one at a time; pairwise: halves summed separately, then added; Kahan: each addition's\n"
           "lost low bits are carried into the next one.\n\n"
           "Each format first rounds %s and %s to itself, so each sums slightly different numbers: \"exact\"\n"
           "is the exact sum of the format's stored inputs, and every error is measured from it, so it\n"
           "shows what the summation loses, not what storing the inputs did.\n\n",
           small->text, large->text);
    char col[32];
    snprintf(col, sizeof col, "%.16s stored as", small->text);
    printf("%-5s %-22s %-22s %-26s %-26s %s\n", "", col, "exact", "naive (error)", "pairwise (error)",
           "Kahan (error)");
    fp_sums rs[FP_COUNT];
    for (int fi = 0; fi < FP_COUNT; fi++) {
        fp_format f = (fp_format)fi;
        double v = stored(small, f).value, o = stored(large, f).value;
        fp_sums r = rs[fi] = fp_sum_copies(o, v, n, f);
        char in[64], ex[64], cells[3][64];
        short_text(v, in, sizeof in, 22);
        fp_dec dv, dox, exact;
        fp_dec_of_double(v, &dv);
        fp_dec_of_double(o, &dox);
        if (!isfinite(v) || !isfinite(o) || fp_dec_copies(&dox, &dv, n, &exact) != 0) {
            printf("%-5s %-22s %s overflows %s: no sum to take\n", fp_spec_of(f)->name, isfinite(v) ? in : "Inf",
                   isfinite(v) ? large->text : small->text, fp_spec_of(f)->name);
            continue;
        }
        fp_dec_text(&exact, 12, false, ex, sizeof ex);
        double vals[3] = {r.naive, r.pairwise, r.kahan};
        for (int k = 0; k < 3; k++)
            sum_cell(vals[k], &exact, cells[k], sizeof cells[k]);
        printf("%-5s %-22s %-22s %-26s %-26s %s\n", fp_spec_of(f)->name, in, ex, cells[0], cells[1], cells[2]);
    }
    printf("\n");
    for (int fi = 0; fi < FP_COUNT; fi++)
        kahan_note(&rs[fi], small, (fp_format)fi);
    return 0;
}

static int cmd_softmax(const typed_num *t, int n)
{
    printf("softmax of [");
    for (int i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "", t[i].text);
    printf("]\n\n");
    for (int fi = 1; fi < FP_COUNT; fi++) { /* fp32, bf16, fp16: where overflow comes soonest */
        fp_format f = (fp_format)fi;
        const char *name = fp_spec_of(f)->name;
        double x[64], e[64], es[64], sum = 0, sum_s = 0;
        for (int i = 0; i < n; i++)
            x[i] = stored(&t[i], f).value;
        double m = x[0];
        for (int i = 1; i < n; i++)
            m = x[i] > m ? x[i] : m;
        for (int i = 0; i < n; i++) {
            e[i] = fp_round(exp(x[i]), f);
            sum = fp_add(sum, e[i], f);
            es[i] = fp_round(exp(fp_round(x[i] - m, f)), f);
            sum_s = fp_add(sum_s, es[i], f);
        }
        printf("%-5s naive   e^x = [", name);
        for (int i = 0; i < n; i++)
            printf("%s%.6g", i ? ", " : "", e[i]);
        printf("], sum %.6g -> p = [", sum);
        for (int i = 0; i < n; i++)
            printf("%s%.6g", i ? ", " : "", fp_round(e[i] / sum, f));
        printf("]%s\n", isinf(sum) ? "   exp overflowed to Inf, and Inf/Inf is NaN" : "");
        printf("      stable  e^(x - max) = [");
        for (int i = 0; i < n; i++)
            printf("%s%.6g", i ? ", " : "", es[i]);
        printf("], sum %.6g -> p = [", sum_s);
        for (int i = 0; i < n; i++)
            printf("%s%.6g", i ? ", " : "", fp_round(es[i] / sum_s, f));
        printf("]\n");
        bool changed = false;
        for (int i = 0; i < n; i++)
            changed |= x[i] != t[i].x;
        if (changed) {
            printf("      the logits as %s stores them: [", name);
            for (int i = 0; i < n; i++)
                printf("%s%.6g", i ? ", " : "", x[i]);
            printf("]: rounding changed them before softmax saw them\n");
        }
        printf("\n");
    }
    printf("Subtracting the largest logit changes nothing mathematically (the factor e^-max cancels)\n"
           "but keeps every exponent <= 0, so nothing overflows. %s's largest value is %.6g: e^x\n"
           "overflows for x > %.4g.\n", "fp32", fp_max(FP32), log(fp_max(FP32)));
    return 0;
}

int cmd_float(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const char *op = argv[1];
    static typed_num nums[64]; /* 130 KB: static, not on the stack */
    if (strcmp(op, "add") == 0 || strcmp(op, "mul") == 0) {
        if (argc != 4) {
            fprintf(stderr, "deepstep float %s: needs two numbers, e.g. deepstep float %s 1e10 1e-10\n", op, op);
            return 1;
        }
        if (parse_num(argv[2], &nums[0]) || parse_num(argv[3], &nums[1]))
            return 1;
        return op[0] == 'a' ? cmd_add(&nums[0], &nums[1]) : cmd_mul(&nums[0], &nums[1]);
    }
    if (strcmp(op, "sum") == 0) {
        char *end = NULL;
        long n = argc >= 4 ? strtol(argv[3], &end, 10) : 0;
        if (argc < 4 || argc > 5 || parse_num(argv[2], &nums[0]) || *end || n < 1 || n > 100000000 ||
            parse_num(argc == 5 ? argv[4] : "1", &nums[1])) {
            fprintf(stderr, "deepstep float sum: needs SMALL N [LARGE], N from 1 to 100000000, e.g. "
                            "deepstep float sum 1e-4 100000 1\n");
            return 1;
        }
        return cmd_sum(&nums[0], n, &nums[1]);
    }
    if (strcmp(op, "softmax") == 0) {
        int n = argc - 2;
        if (n < 1 || n > 64) {
            fprintf(stderr, "deepstep float softmax: needs 1 to 64 logits, e.g. deepstep float softmax 1000 1001\n");
            return 1;
        }
        for (int i = 0; i < n; i++)
            if (parse_num(argv[2 + i], &nums[i]))
                return 1;
        return cmd_softmax(nums, n);
    }
    if (argc == 2 && parse_num(op, &nums[0]) == 0)
        return cmd_value(&nums[0]);
    if (argc != 2)
        fprintf(stderr, "deepstep float: unknown operation '%s' (see deepstep float --help)\n", op);
    return 1;
}
