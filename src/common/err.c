#include "err.h"

#include <stdarg.h>
#include <string.h>

static int err_vset(ds_error *e, ds_err_code code, const char *file, int line, const char *fmt, va_list ap)
    DS_PRINTF(5, 0);

static int err_vset(ds_error *e, ds_err_code code, const char *file, int line, const char *fmt, va_list ap)
{
    if (!e)
        return -1;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
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
