/* view_lab.c - the float lab: the bits of two numbers in every format, and what + or x keeps. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

/* A stored value with all its digits: integers in full, others to the format's precision. */
static const char *lab_num(char *buf, size_t cap, double v, fp_format f)
{
    if (isfinite(v) && fabs(v) < 1e16 && v == floor(v))
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, f == FP64 ? "%.17g" : "%.9g", v);
    return buf;
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
        fp_value e = fp_encode(v, (fp_format)fi);
        const fp_spec *s = fp_spec_of((fp_format)fi);
        bool on = l->field == which && l->format == (fp_format)fi;
        frame_put(f, 1, y, on ? ROLE_SELECTED : ROLE_DIM, s->name, 5);
        bits_row(f, 7, y, &e, on ? l->bit : -1);
        int x = 7 + 1 + s->exp_bits + s->frac_bits + 3;
        char info[200], b1[24], b2[24], b3[24];
        if (e.cls == FPC_INF || e.cls == FPC_NAN)
            snprintf(info, sizeof info, "%s%s", e.cls == FPC_NAN ? "NaN" : (e.sign ? "-Inf" : "+Inf"),
                     e.cls == FPC_INF && isfinite(v) ? " (overflow)" : "");
        else {
            lab_num(b1, sizeof b1, e.value, (fp_format)fi); /* the digits are the point here */
            snprintf(info, sizeof info, "= %s  err %s  ulp %s  %s", b1, fmt_compact(b2, sizeof b2, e.error),
                     fmt_compact(b3, sizeof b3, e.ulp), fp_class_name(e.cls));
        }
        frame_put(f, x, y, ROLE_NORMAL, info, f->w - x - 1);
        y++;
    }
    return y + 1;
}

void draw_lab(const app *a, frame *f)
{
    const float_lab *l = &a->lab;
    frame_fill(f, 0, 0, f->w, ' ', ROLE_TITLE);
    frame_put(f, 1, 0, ROLE_TITLE, "deepstep \xE2\x80\x94 float lab: see the bits, see what arithmetic keeps", f->w - 2);
    int y = 2;
    y = operand_block(a, f, y, 0);
    y = operand_block(a, f, y, 1);
    double va = lab_value(l, 0), vb = lab_value(l, 1);
    char head[120];
    snprintf(head, sizeof head, "A %s B in each format (operands and result rounded to it):", l->op == '+' ? "+" : "x");
    frame_put(f, 1, y++, ROLE_HEADING, head, f->w - 2);
    for (int fi = 0; fi < FP_COUNT && y < f->h - 1 && !isnan(va + vb); fi++) {
        fp_format fm = (fp_format)fi;
        double r = l->op == '+' ? fp_add(va, vb, fm) : fp_mul(va, vb, fm);
        double ra = fp_round(va, fm), rb = fp_round(vb, fm);
        char line[240], b1[24];
        lab_num(b1, sizeof b1, r, fm);
        snprintf(line, sizeof line, "%-5s %s", fp_spec_of(fm)->name, b1);
        if (l->op == '+' && rb != 0 && r == ra)
            strncat(line, "   = A: B was absorbed (too far below A's last kept bit)", sizeof line - strlen(line) - 1);
        else if (l->op == '+' && ra != 0 && r == rb)
            strncat(line, "   = B: A was absorbed", sizeof line - strlen(line) - 1);
        else if (isinf(r) && isfinite(ra) && isfinite(rb))
            strncat(line, "   overflow", sizeof line - strlen(line) - 1);
        else if (r == 0 && ra * rb != 0)
            strncat(line, "   underflow", sizeof line - strlen(line) - 1);
        frame_put(f, 3, y++, isinf(r) || isnan(r) ? ROLE_WARN : ROLE_NORMAL, line, f->w - 4);
    }
    const char *keys = "type a number  x clear  Tab A/B  o + or x  \xE2\x86\x91\xE2\x86\x93 format  \xE2\x86\x90\xE2\x86\x92 bit  "
                       "Space flip it  F or Esc back  q quit";
    frame_fill(f, 0, f->h - 1, f->w, ' ', ROLE_STATUS);
    frame_put(f, 1, f->h - 1, ROLE_STATUS, l->message[0] ? l->message : keys, f->w - 2);
}
