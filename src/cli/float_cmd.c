/* float_cmd.c - `deepstep float VALUE | add A B | mul A B | sum SMALL N [LARGE] | softmax X...` */
#include "float_cmd.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/fp.h"

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
            "Every format rounds to nearest, ties to even. Values are read as fp64 first.\n");
}

static int parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0') {
        fprintf(stderr, "deepstep float: '%s' is not a number\n", s);
        return -1;
    }
    *out = v;
    return 0;
}

/* The exact decimal value of a double (glibc prints every digit when asked for enough). */
static void exact_text(double v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.70g", v);
    if (strchr(buf, '.') && !strchr(buf, 'e')) {
        size_t n = strlen(buf);
        while (n > 1 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (buf[n - 1] == '.')
            buf[n - 1] = '\0';
    }
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

static void anatomy(const char *label, double x, fp_format f)
{
    fp_value v = fp_encode(x, f);
    const fp_spec *s = fp_spec_of(f);
    char bits[96], sig[80], exact[96];
    fp_bits_text(&v, bits, sizeof bits);
    printf("%s%-5s sign %d | exponent %d bits | fraction %d bits:  %s\n", label, s->name, v.sign, s->exp_bits,
           s->frac_bits, bits);
    if (v.cls == FPC_INF || v.cls == FPC_NAN) {
        printf("%s      = %s%s (exponent field all ones%s)\n", label, v.cls == FPC_NAN ? "" : (v.sign ? "-" : "+"),
               v.cls == FPC_NAN ? "NaN" : "Inf", v.cls == FPC_NAN ? ", fraction not zero" : "");
        if (v.cls == FPC_INF && isfinite(x))
            printf("%s      overflow: %.17g is larger than the largest %s, %.17g\n", label, x, s->name, fp_max(f));
        return;
    }
    significand_text(&v, sig, sizeof sig);
    exact_text(v.value, exact, sizeof exact);
    printf("%s      = (-1)^%d x %s x 2^%d = %s\n", label, v.sign, sig, v.exponent, exact);
    printf("%s      %s; rounding error %+.3g (%.3g relative); ulp %.3g\n", label, fp_class_name(v.cls), v.error,
           x != 0 ? fabs(v.error / x) : 0.0, v.ulp);
}

static int cmd_value(const char *typed, double x)
{
    printf("%s in each format (round to nearest, ties to even):\n\n", typed);
    for (int f = 0; f < FP_COUNT; f++) {
        anatomy("", x, (fp_format)f);
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
static void operand_line(const char *role_name, const fp_value *v, double typed, fp_format f)
{
    char sig[80];
    if (v->cls == FPC_INF)
        printf("      %-7s Inf: %.6g overflows %s (largest %.6g)\n", role_name, typed, fp_spec_of(f)->name, fp_max(f));
    else if (v->cls == FPC_ZERO && typed != 0)
        printf("      %-7s 0: %.6g underflows %s (smallest subnormal %.3g)\n", role_name, typed, fp_spec_of(f)->name,
               fp_min_subnormal(f));
    else {
        significand_text(v, sig, sizeof sig);
        printf("      %-7s %s x 2^%d%s\n", role_name, sig, v->exponent, v->cls == FPC_SUBNORMAL ? " (subnormal)" : "");
    }
}

static int cmd_add(const char *ta, const char *tb, double a, double b)
{
    printf("%s + %s\n", ta, tb);
    printf("Adding aligns the smaller operand to the larger one's exponent: its bits shift right,\n"
           "and the ones that fall below the larger operand's last fraction bit are lost.\n\n");
    for (int fi = 0; fi < FP_COUNT; fi++) {
        fp_format f = (fp_format)fi;
        const fp_spec *s = fp_spec_of(f);
        fp_value va = fp_encode(a, f), vb = fp_encode(b, f);
        const fp_value *big = fabs(va.value) >= fabs(vb.value) ? &va : &vb, *small = big == &va ? &vb : &va;
        double r = fp_add(a, b, f);
        printf("%s\n", s->name);
        operand_line("larger", big, big == &va ? a : b, f);
        operand_line("smaller", small, small == &va ? a : b, f);
        if (big->cls == FPC_NORMAL && small->cls != FPC_ZERO) {
            int shift = big->exponent - small->exponent, keep = surviving_bits(big, small, s->frac_bits);
            printf("      aligned: shifted right by %d places; %d of its %d significant bits stay inside the %d-bit "
                   "fraction%s\n", shift, keep, s->frac_bits + 1, s->frac_bits,
                   keep == 0 ? " (all shifted out)" : "");
        }
        char ex[96];
        exact_text(r, ex, sizeof ex);
        bool absorbed = r == big->value && small->value != 0;
        printf("      result  %s%s\n\n", ex, absorbed ? "   = the larger operand: the smaller one was absorbed" : "");
    }
    return 0;
}

static int cmd_mul(const char *ta, const char *tb, double a, double b)
{
    printf("%s x %s\n\n", ta, tb);
    for (int fi = 0; fi < FP_COUNT; fi++) {
        fp_format f = (fp_format)fi;
        double ra = fp_round(a, f), rb = fp_round(b, f), r = fp_mul(a, b, f);
        /* the exact product of the rounded operands: fma gives the error of the fp64 product */
        double err = f == FP64 ? -fma(ra, rb, -r) : r - ra * rb;
        char ex[96];
        exact_text(r, ex, sizeof ex);
        printf("%-5s %s", fp_spec_of(f)->name, ex);
        if (isinf(r) && isfinite(ra * rb))
            printf("   overflow: the product exceeds %.6g", fp_max(f));
        else if (r == 0 && ra * rb != 0)
            printf("   underflow: the product is below the smallest subnormal %.3g", fp_min_subnormal(f));
        else
            printf("   rounding error %+.3g", err);
        printf("\n");
    }
    return 0;
}

static int cmd_sum(double small, long n, double large)
{
    printf("%ld copies of %.17g added onto %.17g\n", n, small, large);
    printf("naive: one at a time; pairwise: halves summed separately, then added; Kahan: each addition's\n"
           "lost low bits are carried into the next one.\n\n");
    printf("%-5s %-24s %-24s %-24s %-24s\n", "", "exact", "naive (error)", "pairwise (error)", "Kahan (error)");
    for (int fi = 0; fi < FP_COUNT; fi++) {
        fp_format f = (fp_format)fi;
        fp_sums r = fp_sum_copies(large, small, n, f);
        char cells[3][64];
        double v[3] = {r.naive, r.pairwise, r.kahan};
        for (int k = 0; k < 3; k++)
            snprintf(cells[k], sizeof cells[k], "%.9g (%+.2g)", v[k], v[k] - r.exact);
        printf("%-5s %-24.12g %-24s %-24s %-24s\n", fp_spec_of(f)->name, r.exact, cells[0], cells[1], cells[2]);
    }
    return 0;
}

static int cmd_softmax(const double *x, int n)
{
    printf("softmax of [");
    for (int i = 0; i < n; i++)
        printf("%s%g", i ? ", " : "", x[i]);
    printf("]\n\n");
    double m = x[0];
    for (int i = 1; i < n; i++)
        m = x[i] > m ? x[i] : m;
    for (int fi = 1; fi < FP_COUNT; fi++) { /* fp32, bf16, fp16: where overflow comes soonest */
        fp_format f = (fp_format)fi;
        const char *name = fp_spec_of(f)->name;
        double sum = 0, sum_s = 0;
        double e[64], es[64];
        for (int i = 0; i < n; i++) {
            e[i] = fp_round(exp(fp_round(x[i], f)), f);
            sum = fp_add(sum, e[i], f);
            es[i] = fp_round(exp(fp_round(fp_round(x[i], f) - fp_round(m, f), f)), f);
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
            changed |= fp_round(x[i], f) != x[i];
        if (changed) {
            printf("      the logits as %s stores them: [", name);
            for (int i = 0; i < n; i++)
                printf("%s%.6g", i ? ", " : "", fp_round(x[i], f));
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
    double a, b;
    if (strcmp(op, "add") == 0 || strcmp(op, "mul") == 0) {
        if (argc != 4) {
            fprintf(stderr, "deepstep float %s: needs two numbers, e.g. deepstep float %s 1e10 1e-10\n", op, op);
            return 1;
        }
        if (parse_num(argv[2], &a) || parse_num(argv[3], &b))
            return 1;
        return op[0] == 'a' ? cmd_add(argv[2], argv[3], a, b) : cmd_mul(argv[2], argv[3], a, b);
    }
    if (strcmp(op, "sum") == 0) {
        double large = 1.0;
        char *end;
        long n = argc >= 4 ? strtol(argv[3], &end, 10) : 0;
        if (argc < 4 || argc > 5 || parse_num(argv[2], &a) || *end || n < 1 || n > 100000000 ||
            (argc == 5 && parse_num(argv[4], &large))) {
            fprintf(stderr, "deepstep float sum: needs SMALL N [LARGE], N from 1 to 100000000, e.g. "
                            "deepstep float sum 1e-4 100000 1\n");
            return 1;
        }
        return cmd_sum(a, n, large);
    }
    if (strcmp(op, "softmax") == 0) {
        int n = argc - 2;
        if (n < 1 || n > 64) {
            fprintf(stderr, "deepstep float softmax: needs 1 to 64 logits, e.g. deepstep float softmax 1000 1001\n");
            return 1;
        }
        double x[64];
        for (int i = 0; i < n; i++)
            if (parse_num(argv[2 + i], &x[i]))
                return 1;
        return cmd_softmax(x, n);
    }
    if (argc == 2 && parse_num(op, &a) == 0)
        return cmd_value(op, a);
    if (argc != 2)
        fprintf(stderr, "deepstep float: unknown operation '%s' (see deepstep float --help)\n", op);
    return 1;
}
