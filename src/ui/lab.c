#include "lab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

void lab_init(float_lab *l)
{
    memset(l, 0, sizeof *l);
    snprintf(l->text[0], sizeof l->text[0], "1e10");
    snprintf(l->text[1], sizeof l->text[1], "1e-10");
    l->op = '+';
    l->format = FP32;
}

double lab_value(const float_lab *l, int i)
{
    char *end;
    const char *t = l->text[i];
    if (strcmp(t, "inf") == 0 || strcmp(t, "-inf") == 0 || strcmp(t, "nan") == 0)
        return strtod(t, NULL);
    double v = strtod(t, &end);
    return *t && *end == '\0' ? v : NAN;
}

int lab_reference(const float_lab *l, int i, fp_dec *out)
{
    double v = lab_value(l, i);
    int rc = l->from_bits[i] ? -1 : fp_dec_parse(l->text[i], out);
    if (rc != 0)
        fp_dec_of_double(isfinite(v) ? v : 0.0, out);
    return rc;
}

fp_value lab_stored(const float_lab *l, int i, fp_format f)
{
    fp_dec d;
    if (lab_reference(l, i, &d) == 0)
        return fp_encode_dec(&d, f);
    return fp_encode(lab_value(l, i), f); /* from bits: an fp64 value, so rounding it once is direct */
}

void lab_flip(float_lab *l)
{
    const fp_spec *s = fp_spec_of(l->format);
    int total = 1 + s->exp_bits + s->frac_bits;
    double v = lab_value(l, l->field);
    if (isnan(v) && strcmp(l->text[l->field], "nan") != 0) {
        snprintf(l->message, sizeof l->message, "'%s' is not a number", l->text[l->field]);
        return;
    }
    fp_value e = lab_stored(l, l->field, l->format);
    uint64_t bits = e.bits ^ (1ull << (total - 1 - l->bit));
    fp_value f = fp_decode(bits, l->format);
    const char *part = l->bit == 0 ? "sign" : (l->bit <= s->exp_bits ? "exponent" : "fraction");
    if (f.cls == FPC_NAN)
        snprintf(l->text[l->field], sizeof l->text[l->field], "nan");
    else if (f.cls == FPC_INF)
        snprintf(l->text[l->field], sizeof l->text[l->field], "%sinf", f.sign ? "-" : "");
    else
        snprintf(l->text[l->field], sizeof l->text[l->field], "%.17g", f.value);
    l->from_bits[l->field] = true;
    snprintf(l->message, sizeof l->message, "flipped %s bit %d of %s: now %s", part, l->bit, s->name,
             l->text[l->field]);
}

bool lab_key(float_lab *l, int key)
{
    char *t = l->text[l->field];
    size_t n = strlen(t);
    const fp_spec *s = fp_spec_of(l->format);
    int total = 1 + s->exp_bits + s->frac_bits;
    l->message[0] = '\0';
    switch (key) {
    case K_TAB: case K_BTAB: l->field = !l->field; return true;
    case 'o': l->op = l->op == '+' ? '*' : '+'; return true;
    case K_UP: l->format = (fp_format)((l->format + FP_COUNT - 1) % FP_COUNT); break;
    case K_DOWN: l->format = (fp_format)((l->format + 1) % FP_COUNT); break;
    case K_LEFT: if (l->bit > 0) l->bit--; return true;
    case K_RIGHT: if (l->bit + 1 < total) l->bit++; return true;
    case ' ': case 'f': lab_flip(l); return true;
    case 'x': t[0] = '\0'; l->from_bits[l->field] = false; return true;
    case K_BACKSPACE:
        if (n > 0)
            t[n - 1] = '\0';
        l->from_bits[l->field] = false;
        return true;
    default:
        if (key < 0x80 && key > 0 && strchr("0123456789.-+eE", key)) {
            if (n + 1 < sizeof l->text[0])
                t[n] = (char)key, t[n + 1] = '\0';
            l->from_bits[l->field] = false;
            return true;
        }
        return false;
    }
    /* the cursor stays inside the new format */
    s = fp_spec_of(l->format);
    total = 1 + s->exp_bits + s->frac_bits;
    if (l->bit >= total)
        l->bit = total - 1;
    return true;
}
