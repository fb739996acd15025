#include "err.h"

#include <stdarg.h>
#include <string.h>

static int err_vset(ds_error *e, ds_err_code code, const char *file, int line, const char *fmt, va_list ap)
    DS_PRINTF(5, 0);

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 when it is not one (a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, or cut short). */
static int utf8_len(const unsigned char *p)
{
    unsigned char b = p[0];
    int n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
    if (n == 0 || b > 0xF4)
        return 0;
    unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range (RFC 3629, table 3-7) */
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* Messages quote what users and files wrote, and they end up on a terminal: a control byte
 * or broken UTF-8 in them would garble it. Such bytes become '?' (a tab a space); valid
 * UTF-8, as in a lesson's own words, stays. In place. */
static void make_printable(char *text)
{
    unsigned char *p = (unsigned char *)text;
    while (*p) {
        if (*p == '\t') {
            *p++ = ' ';
        } else if (*p < 0x20 || *p == 0x7F) {
            *p++ = '?';
        } else if (*p < 0x80) {
            p++;
        } else {
            int n = utf8_len(p);
            if (n == 0)
                *p++ = '?';
            else
                p += n;
        }
    }
}

static int err_vset(ds_error *e, ds_err_code code, const char *file, int line, const char *fmt, va_list ap)
{
    if (!e)
        return -1;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    make_printable(e->file);
    make_printable(e->msg);
    return -1;
}

int err_set(ds_error *e, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, DS_ERR_OTHER, file, line, fmt, ap);
    va_end(ap);
    return -1;
}

int err_set_code(ds_error *e, ds_err_code code, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, file, line, fmt, ap);
    va_end(ap);
    return -1;
}

void err_format(const ds_error *e, char *buf, size_t cap)
{
    if (e->file[0] && e->line > 0)
        snprintf(buf, cap, "%s:%d: %s", e->file, e->line, e->msg);
    else if (e->file[0])
        snprintf(buf, cap, "%s: %s", e->file, e->msg);
    else
        snprintf(buf, cap, "%s", e->msg);
}

void err_print(FILE *out, const ds_error *e)
{
    char buf[1100];
    err_format(e, buf, sizeof buf);
    fprintf(out, "%s\n", buf);
}
