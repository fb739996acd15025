/* err.h - the one error record library code fills; only main and the UI decide to exit. */
#ifndef DS_ERR_H
#define DS_ERR_H

#include <stdio.h>

#if defined(__GNUC__)
#define DS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DS_PRINTF(fmt, args)
#endif

typedef struct ds_error {
    char file[512]; /* the file the problem is in, "" when none */
    int line;       /* 1-based line, 0 when the file has no lines (binary) */
    char msg[512];  /* what is wrong, in words */
} ds_error;

/* Fill *e (when e is non-NULL) and return -1, so callers can `return err_set(...)`. */
int err_set(ds_error *e, const char *file, int line, const char *fmt, ...) DS_PRINTF(4, 5);

/* Print "file:line: msg" (or "file: msg", or "msg") and a newline. */
void err_print(FILE *out, const ds_error *e);

/* The same text into buf. */
void err_format(const ds_error *e, char *buf, size_t cap);

#endif
