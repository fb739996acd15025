#include "err.h"

#include <stdarg.h>
#include <string.h>

int err_set(ds_error *e, const char *file, int line, const char *fmt, ...)
{
    if (!e)
        return -1;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
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
