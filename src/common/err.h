/* err.h - the one error record library code fills; only main and the UI decide to exit. */
#ifndef DS_ERR_H
#define DS_ERR_H

#include <stdio.h>

#if defined(__GNUC__)
#define DS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DS_PRINTF(fmt, args)
#endif

/* What kind of problem, for callers that react to one kind (a lesson points a missing data
 * file at its own `data =` line) without reading the words of msg. */
typedef enum ds_err_code {
    DS_ERR_OTHER = 0,    /* anything else: msg says what */
    DS_ERR_CANNOT_OPEN,  /* the path could not be opened (missing, no permission): msg is
                            ERR_CANNOT_OPEN followed by the system's reason */
    DS_ERR_NOT_A_FILE    /* the path is a directory, device, pipe or socket */
} ds_err_code;

/* The words every DS_ERR_CANNOT_OPEN message starts with. */
#define ERR_CANNOT_OPEN "cannot open: "

typedef struct ds_error {
    char file[512]; /* the file the problem is in, "" when none */
    int line;       /* 1-based line, 0 when the file has no lines (binary) */
    char msg[512];  /* what is wrong, in words */
    ds_err_code code;
} ds_error;

/* Fill *e (when e is non-NULL, code DS_ERR_OTHER) and return -1, so callers can
 * `return err_set(...)`. */
int err_set(ds_error *e, const char *file, int line, const char *fmt, ...) DS_PRINTF(4, 5);
/* The same with a code. */
int err_set_code(ds_error *e, ds_err_code code, const char *file, int line, const char *fmt, ...) DS_PRINTF(5, 6);

/* Print "file:line: msg" (or "file: msg", or "msg") and a newline. */
void err_print(FILE *out, const ds_error *e);

/* The same text into buf. */
void err_format(const ds_error *e, char *buf, size_t cap);

#endif
