/* csv.c - CSV datasets: a header line, numeric feature columns, last column `label`. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fileio.h"
#include "../common/xalloc.h"
#include "dataset.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Split line in place at commas; returns the field count (fields beyond cap are counted, not stored). */
static int split_fields(char *line, char **fields, int cap)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (n < cap)
            fields[n] = trim(p);
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return n;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

typedef struct csv_reader {
    FILE *f;
    const char *path;
    char *line;  /* the current line without its newline, NUL-terminated */
    size_t cap;  /* bytes allocated for line, at most DATA_MAX_LINE + 2 */
    int lineno;
} csv_reader;

/* Grows r->line so it holds len + 2 bytes (a character and the terminator). */
static void grow_line(csv_reader *r, size_t len)
{
    if (len + 2 <= r->cap)
        return;
    size_t cap = r->cap ? 2 * r->cap : 256;
    if (cap > (size_t)DATA_MAX_LINE + 2)
        cap = (size_t)DATA_MAX_LINE + 2;
    r->line = xrealloc(r->line, cap, 1);
    r->cap = cap;
}

/* One line into r->line: 1, or 0 at end of file, or -1 with err filled. getline would read
 * a file without newlines whole; this stops at DATA_MAX_LINE bytes, and at a NUL byte,
 * which no CSV text has and which would silently cut the line short for strtof.
 * getc_unlocked (POSIX): only this thread reads r->f, and it keeps parity with getline's speed. */
static int read_line(csv_reader *r, ds_error *err)
{
    size_t len = 0;
    int c;
    /* Blank lines count too and a CSV has no size cap: stop before the counter overflows. */
    if (r->lineno == INT_MAX)
        return err_set(err, r->path, r->lineno, "more than %d lines", INT_MAX - 1);
    r->lineno++;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
        if (c == '\0')
            return err_set(err, r->path, r->lineno, "a NUL byte at column %zu: binary data, not CSV text", len + 1);
        if (len == DATA_MAX_LINE)
            return err_set(err, r->path, r->lineno, "line longer than %d bytes", DATA_MAX_LINE);
        grow_line(r, len);
        r->line[len++] = (char)c;
    }
    if (c == EOF && ferror(r->f))
        return err_set(err, r->path, r->lineno, "read error: %s", strerror(errno));
    if (c == EOF && len == 0) {
        r->lineno--;
        return 0;
    }
    grow_line(r, len);
    r->line[len] = '\0';
    return 1;
}

/* Next non-blank line: 1, or 0 at end of file, or -1 with err filled. */
static int next_line(csv_reader *r, ds_error *err)
{
    int rc;
    while ((rc = read_line(r, err)) == 1 && is_blank(r->line))
        ;
    return rc;
}

static int parse_label(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < 0 || v >= DATA_MAX_CLASSES)
        return -1;
    *out = (int)v;
    return 0;
}

static void free_names(char **names, int d)
{
    if (!names)
        return;
    for (int j = 0; j < d; j++)
        free(names[j]);
    free(names);
}

static int read_header(csv_reader *r, char ***names_out, int *d_out, ds_error *err)
{
    int got = next_line(r, err);
    if (got < 0)
        return -1;
    if (got == 0)
        return err_set(err, r->path, 1, "empty file (expected a header line ending in 'label')");
    char *line = r->line;
    int cols = split_fields(line, NULL, 0);
    if (cols < 2)
        return err_set(err, r->path, r->lineno, "header has %d column%s; need at least one feature and 'label'",
                       cols, cols == 1 ? "" : "s");
    if (dataset_check_shape(0, (uint64_t)cols - 1, "rows", "features", r->path, r->lineno, err) != 0)
        return -1;
    char **fields = xcalloc((size_t)cols, sizeof(char *));
    /* split_fields with cap 0 cut the line at every comma already; walk the pieces. */
    char *p = line;
    for (int j = 0; j < cols; j++) {
        char *next = p + strlen(p) + 1; /* before trim() shortens the piece */
        fields[j] = trim(p);
        p = next;
    }
    if (strcmp(fields[cols - 1], "label") != 0) {
        err_set(err, r->path, r->lineno, "last header column is '%.60s'; expected 'label'", fields[cols - 1]);
        free(fields);
        return -1;
    }
    char **names = xcalloc((size_t)cols - 1, sizeof(char *));
    for (int j = 0; j < cols - 1; j++)
        names[j] = xstrdup(fields[j]);
    free(fields);
    *names_out = names;
    *d_out = cols - 1;
    return 0;
}

/* Rows read so far; grown by doubling, never past what the limits allow. */
typedef struct csv_rows {
    float *x; /* (cap, d) */
    int *y;   /* (cap) */
    int n, cap, d;
} csv_rows;

/* Room for row n, checked against the limits before anything grows. */
static int rows_reserve(csv_rows *t, const csv_reader *r, ds_error *err)
{
    if (dataset_check_shape((uint64_t)t->n + 1, (uint64_t)t->d, "rows", "features", r->path, r->lineno, err) != 0)
        return -1;
    if (t->n < t->cap)
        return 0;
    int most = DATA_MAX_VALUES / t->d < DATA_MAX_ROWS ? DATA_MAX_VALUES / t->d : DATA_MAX_ROWS;
    int cap = t->cap ? (t->cap > most / 2 ? most : 2 * t->cap) : (most < 256 ? most : 256);
    t->x = xrealloc(t->x, (size_t)cap * t->d, sizeof(float));
    t->y = xrealloc(t->y, (size_t)cap, sizeof(int));
    t->cap = cap;
    return 0;
}

/* Parses the d features and the label of fields into row t->n. */
static int parse_row(csv_rows *t, char **fields, char **names, const csv_reader *r, ds_error *err)
{
    int d = t->d;
    float *xr = t->x + (size_t)t->n * d;
    for (int j = 0; j < d; j++) {
        char *end;
        float v = strtof(fields[j], &end);
        if (fields[j][0] == '\0' || *end != '\0')
            return err_set(err, r->path, r->lineno, "column %d ('%.60s'): '%.60s' is not a number", j + 1, names[j],
                           fields[j]);
        if (!isfinite(v))
            return err_set(err, r->path, r->lineno, "column %d ('%.60s'): '%.60s' is not a finite number", j + 1,
                           names[j], fields[j]);
        xr[j] = v;
    }
    if (parse_label(fields[d], &t->y[t->n]) != 0)
        return err_set(err, r->path, r->lineno, "label '%.60s' is not a class index (a whole number 0..%d)",
                       fields[d], DATA_MAX_CLASSES - 1);
    t->n++;
    return 0;
}

static int read_rows(csv_reader *r, csv_rows *t, char **names, ds_error *err)
{
    int d = t->d, got;
    char **fields = xcalloc((size_t)d + 1, sizeof(char *));
    while ((got = next_line(r, err)) == 1) {
        int cols = split_fields(r->line, fields, d + 1);
        if (cols != d + 1) {
            got = err_set(err, r->path, r->lineno, "row has %d field%s, the header has %d", cols, cols == 1 ? "" : "s",
                          d + 1);
            break;
        }
        if (rows_reserve(t, r, err) != 0 || parse_row(t, fields, names, r, err) != 0) {
            got = -1;
            break;
        }
    }
    free(fields);
    if (got == 0 && t->n == 0)
        got = err_set(err, r->path, r->lineno + 1, "no data rows after the header");
    return got;
}

int dataset_load_csv(dataset *ds, const char *path, ds_error *err)
{
    dataset_count_load();
    memset(ds, 0, sizeof *ds);
    csv_reader r = {.path = path};
    r.f = file_open_regular(path, "r", NULL, err);
    if (!r.f)
        return -1;
    char **names = NULL;
    csv_rows t = {0};
    int rc = read_header(&r, &names, &t.d, err);
    if (rc == 0)
        rc = read_rows(&r, &t, names, err);
    if (rc == 0) {
        dataset_adopt(ds, t.n, t.d, t.x, false, t.y);
        ds->feature_names = names;
        for (int i = 0; i < t.n; i++)
            ds->n_classes = ds->labels[i] + 1 > ds->n_classes ? ds->labels[i] + 1 : ds->n_classes;
    } else {
        free_names(names, t.d);
        free(t.x);
        free(t.y);
    }
    free(r.line);
    fclose(r.f);
    return rc;
}
