/* view_lab.c - the float lab: the bits of two numbers in every format, and what + or x keeps.
 * A value is shown after "=" only when every digit is there; a rounded one follows "≈", and a
 * cut one ends in "...". The row under the cursor is written out exactly at the bottom. Nothing
 * is clipped from 80x24 up: what does not fit beside the bits goes on the line below, or is
 * left to that exact line. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

#define BITS_X 7          /* where the bits start, after the format's name */
#define APPROX "\xE2\x89\x88" /* ≈ (drawn as ~ without UTF-8) */

/* Columns of UTF-8 text: every character the lab draws is one column wide. */
static int text_cols(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A stored value: whole when its exact decimal is short ("= 10000000000"), else the format's
 * round-trip digits after "≈" ("≈ 1.00000001e-10"). Returns the sign to write before it. */
static const char *lab_num(char *buf, size_t cap, double v, fp_format f)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "%s", isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"));
        return "=";
    }
    fp_dec d;
    fp_dec_of_double(v, &d);
    if (fp_dec_text(&d, 20, false, buf, cap) && text_cols(buf) <= 20)
        return "=";
    snprintf(buf, cap, f == FP64 ? "%.17g" : "%.9g", v);
    return APPROX;
}

/* stored - reference, exactly; false when it does not fit (it always does for the lab's
 * 39-character numbers). */
static bool lab_error(const float_lab *l, int which, double stored, fp_dec *err, fp_dec *ref)
{
    fp_dec s;
    lab_reference(l, which, ref);
    fp_dec_of_double(stored, &s);
    return fp_dec_sub(&s, ref, err) == 0;
}

/* An error to three digits: a long double holds any the lab can make except past 10^+-4900
 * (a typed 1e-9999), where the first digits are shown, cut. */
static void err_text(const fp_dec *e, char *buf, size_t cap)
{
    long lead = (long)e->exp + e->n - 1;
    if (e->n == 0)
        snprintf(buf, cap, "0");
    else if (lead > -4900 && lead < 4900)
        snprintf(buf, cap, "%+.3Lg", fp_dec_to_ld(e));
    else
        fp_dec_text(e, 3, true, buf, cap);
}

static void bits_row(frame *f, int x, int y, const fp_value *v, int cursor)
{
    const fp_spec *s = fp_spec_of(v->format);
    int total = 1 + s->exp_bits + s->frac_bits;
    for (int i = 0; i < total; i++) {
        int bit = (int)((v->bits >> (total - 1 - i)) & 1);
        role r = i == 0 ? ROLE_BAD : (i <= s->exp_bits ? ROLE_WARN : ROLE_GOOD);
        if (i == cursor)
            r = ROLE_SELECTED;
        char c[2] = {(char)('0' + bit), 0};
        int col = x + i + (i >= 1) + (i > s->exp_bits); /* gaps after sign and exponent */
        frame_put(f, col, y, r, c, 1);
    }
}

/* What a row says about a stored value, as long as fits in `room` columns: the value and its
 * error always (the caller gives them a line of their own when they do not fit beside the
 * bits), then the ulp and the class while they fit. */
static void row_info(const float_lab *l, int which, const fp_value *e, double v, int room, char *info, size_t cap)
{
    char num[48], err[48], ulp[24], part[64];
    if (e->cls == FPC_INF || e->cls == FPC_NAN) {
        snprintf(info, cap, "%s%s", e->cls == FPC_NAN ? "NaN" : (e->sign ? "-Inf" : "+Inf"),
                 e->cls == FPC_INF && isfinite(v) ? " (overflow)" : "");
        return;
    }
    const char *eq = lab_num(num, sizeof num, e->value, e->format);
    fp_dec d, ref;
    if (lab_error(l, which, e->value, &d, &ref))
        err_text(&d, err, sizeof err);
    else
        snprintf(err, sizeof err, "?");
    snprintf(info, cap, "%s %s  err %s", eq, num, err);
    snprintf(part, sizeof part, "  ulp %s", fmt_compact(ulp, sizeof ulp, e->ulp));
    if (text_cols(info) + text_cols(part) <= room)
        strncat(info, part, cap - strlen(info) - 1);
    if (e->cls != FPC_NORMAL) {
        snprintf(part, sizeof part, "  %s%s", fp_class_name(e->cls),
                 e->cls == FPC_ZERO && ref.n != 0 ? " (underflow)" : "");
        if (text_cols(info) + text_cols(part) <= room)
            strncat(info, part, cap - strlen(info) - 1);
    }
}

static int operand_block(const app *a, frame *f, int y, int which)
{
    const float_lab *l = &a->lab;
    double v = lab_value(l, which);
    char head[120];
    snprintf(head, sizeof head, "%s = %s%s", which ? "B" : "A", l->text[which], l->field == which ? "_" : "");
    frame_put(f, 1, y++, l->field == which ? ROLE_SELECTED : ROLE_STRONG, head, f->w - 2);
    if (isnan(v) && strcmp(l->text[which], "nan") != 0) {
        frame_put(f, 3, y++, ROLE_BAD, "not a number yet", f->w - 4);
        return y + 1;
    }
    for (int fi = 0; fi < FP_COUNT && y < f->h - 2; fi++) {
        fp_value e = lab_stored(l, which, (fp_format)fi);
        const fp_spec *s = fp_spec_of((fp_format)fi);
        bool on = l->field == which && l->format == (fp_format)fi;
        frame_put(f, 1, y, on ? ROLE_SELECTED : ROLE_DIM, s->name, 5);
        bits_row(f, BITS_X, y, &e, on ? l->bit : -1);
        int x = BITS_X + 1 + s->exp_bits + s->frac_bits + 3;
        char info[200];
        row_info(l, which, &e, v, f->w - x - 1, info, sizeof info);
        char need[200];
        row_info(l, which, &e, v, 0, need, sizeof need); /* the least a row shows */
        if (text_cols(need) > f->w - x - 1) { /* not beside the bits: on a line of its own */
            x = BITS_X;
            row_info(l, which, &e, v, f->w - x - 1, info, sizeof info);
            y++;
        }
        frame_put(f, x, y, ROLE_NORMAL, info, f->w - x - 1);
        y++;
    }
    return y + 1;
}

/* The result rows: A + B (or A x B) in each format, with what happened when it says more. */
static int result_rows(const float_lab *l, frame *f, int y)
{
    double va = lab_value(l, 0), vb = lab_value(l, 1);
    for (int fi = 0; fi < FP_COUNT && y < f->h - 1 && !isnan(va + vb); fi++) {
        fp_format fm = (fp_format)fi;
        double ra = lab_stored(l, 0, fm).value, rb = lab_stored(l, 1, fm).value;
        double r = l->op == '+' ? fp_add(ra, rb, fm) : fp_mul(ra, rb, fm);
        char line[240], num[48];
        const char *eq = lab_num(num, sizeof num, r, fm);
        snprintf(line, sizeof line, "%-5s %s%s", fp_spec_of(fm)->name, strcmp(eq, "=") ? APPROX : "", num);
        const char *note = NULL, *brief = NULL;
        if (isinf(ra) && isfinite(va))
            note = brief = "   A overflows the format";
        else if (isinf(rb) && isfinite(vb))
            note = brief = "   B overflows the format";
        else if (ra == 0 && va != 0)
            note = brief = "   A underflows to 0 in the format";
        else if (rb == 0 && vb != 0)
            note = brief = "   B underflows to 0 in the format";
        else if (l->op == '+' && rb != 0 && r == ra)
            note = "   = A: B was absorbed (too far below A's last kept bit)", brief = "   = A: B was absorbed";
        else if (l->op == '+' && ra != 0 && r == rb)
            note = brief = "   = B: A was absorbed";
        else if (isinf(r) && isfinite(ra) && isfinite(rb))
            note = brief = "   overflow";
        else if (r == 0 && ra * rb != 0)
            note = brief = "   underflow";
        if (note) /* the long note while it fits, else the short one */
            strncat(line, text_cols(line) + text_cols(note) <= f->w - 4 ? note : brief, sizeof line - strlen(line) - 1);
        frame_put(f, 3, y++, isinf(r) || isnan(r) ? ROLE_WARN : ROLE_NORMAL, line, f->w - 4);
    }
    return y;
}

/* Text of at most `cols` columns: the exact value with as many digits as fit, cut with "...". */
static void fit_dec(const fp_dec *d, bool plus, const char *before, const char *after, int cols, char *buf,
                    size_t cap)
{
    char num[FP_DEC_DIGITS + 32];
    for (int sig = d->n; sig >= 1; sig--) {
        fp_dec_text(d, sig, plus, num, sizeof num);
        snprintf(buf, cap, "%s%s%s", before, num, after);
        if (text_cols(buf) <= cols)
            return;
        int over = text_cols(buf) - cols; /* skip ahead: each digit dropped saves a column */
        sig -= over > 2 ? over - 2 : 0;
    }
}

/* The row under the cursor, exactly: its value on the first lines (as many digits as fit,
 * wrapped), and its error against the number typed on the last. */
static void exact_lines(const float_lab *l, frame *f, int y, int rows)
{
    int w = f->w - 2;
    if (rows < 2 || w < 20 || isnan(lab_value(l, l->field)))
        return;
    fp_value e = lab_stored(l, l->field, l->format);
    const char *name = l->field ? "B" : "A", *fmt = fp_spec_of(l->format)->name;
    char text[FP_DEC_DIGITS + 160], head[64];
    if (!isfinite(e.value)) {
        snprintf(text, sizeof text, "%s in %s: %s", name, fmt, e.cls == FPC_NAN ? "NaN" : "Inf: past the largest value");
        frame_put(f, 1, y, ROLE_DIM, text, w);
        return;
    }
    fp_dec d, err, ref;
    fp_dec_of_double(e.value, &d);
    snprintf(head, sizeof head, "%s in %s is exactly ", name, fmt);
    fit_dec(&d, false, head, "", w * (rows - 1), text, sizeof text);
    int n = (int)strlen(text), line = 0; /* ASCII only: a byte is a column */
    for (int pos = 0; pos < n && line < rows - 1; line++) {
        char part[512];
        int take = n - pos < w ? n - pos : w;
        snprintf(part, sizeof part, "%.*s", take, text + pos);
        frame_put(f, 1, y + line, ROLE_DIM, part, w);
        pos += take;
    }
    if (!lab_error(l, l->field, e.value, &err, &ref))
        return;
    if (err.n == 0) {
        snprintf(text, sizeof text, "error = stored - %s = 0: %s holds %s exactly", name, fmt, name);
    } else {
        fp_dec ulp;
        fp_dec_of_double(e.ulp, &ulp);
        char r1[32], r2[32], rel[80];
        fp_dec_ratio_text(&err, &ref, r1, sizeof r1);
        fp_dec_ratio_text(&err, &ulp, r2, sizeof r2);
        snprintf(rel, sizeof rel, " (%s relative, %s ulp)", r1, r2);
        snprintf(head, sizeof head, "error = stored - %s = ", name);
        fit_dec(&err, true, head, rel, w, text, sizeof text);
    }
    frame_put(f, 1, y + line, ROLE_DIM, text, w);
}

void draw_lab(const app *a, frame *f)
{
    const float_lab *l = &a->lab;
    frame_fill(f, 0, 0, f->w, ' ', ROLE_TITLE);
    frame_put(f, 1, 0, ROLE_TITLE, "deepstep \xE2\x80\x94 float lab: see the bits, see what arithmetic keeps", f->w - 2);
    int y = 2;
    y = operand_block(a, f, y, 0);
    y = operand_block(a, f, y, 1);
    char head[120];
    snprintf(head, sizeof head, "A %s B in each format (operands and result rounded to it):", l->op == '+' ? "+" : "x");
    frame_put(f, 1, y++, ROLE_HEADING, head, f->w - 2);
    y = result_rows(l, f, y);
    exact_lines(l, f, y, f->h - 1 - y);
    /* the longest list of keys that fits; ? lists them all */
    static const char *const keys[] = {
        "type a number  x clear  Tab A/B  o + or x  \xE2\x86\x91\xE2\x86\x93 format  \xE2\x86\x90\xE2\x86\x92 bit  "
        "Space flip it  F or Esc back  q quit",
        "0-9 e . - type  x clear  Tab A/B  o +/x  \xE2\x86\x91\xE2\x86\x93 format  \xE2\x86\x90\xE2\x86\x92 bit  "
        "Space flip  ? help",
        "Tab A/B  o +/x  \xE2\x86\x91\xE2\x86\x93 format  \xE2\x86\x90\xE2\x86\x92 bit  Space flip  ? help",
    };
    int k = 0;
    while (k + 1 < (int)(sizeof keys / sizeof *keys) && text_cols(keys[k]) > f->w - 2)
        k++;
    frame_fill(f, 0, f->h - 1, f->w, ' ', ROLE_STATUS);
    frame_put(f, 1, f->h - 1, ROLE_STATUS, l->message[0] ? l->message : keys[k], f->w - 2);
}
