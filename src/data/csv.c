/* csv.c - CSV datasets: a header line, numeric feature columns, last column `label`. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    char *line;
    size_t cap;
    int lineno;
} csv_reader;

/* Next non-blank line, or NULL at end of file. */
static char *next_line(csv_reader *r)
{
    for (;;) {
        ssize_t got = getline(&r->line, &r->cap, r->f);
        if (got < 0)
            return NULL;
        r->lineno++;
        if (!is_blank(r->line))
            return r->line;
    }
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

static int read_header(csv_reader *r, char ***names_out, int *d_out, ds_error *err)
{
    char *line = next_line(r);
    if (!line)
        return err_set(err, r->path, 1, "empty file (expected a header line ending in 'label')");
    int cols = split_fields(line, NULL, 0);
    if (cols < 2)
        return err_set(err, r->path, r->lineno, "header has %d column%s; need at least one feature and 'label'",
                       cols, cols == 1 ? "" : "s");
    if (cols - 1 > DATA_MAX_FEATURES)
        return err_set(err, r->path, r->lineno, "%d features is more than the %d allowed", cols - 1, DATA_MAX_FEATURES);
    char **fields = xcalloc((size_t)cols, sizeof(char *));
    /* split_fields with cap 0 cut the line at every comma already; walk the pieces. */
    char *p = line;
    for (int j = 0; j < cols; j++) {
        char *next = p + strlen(p) + 1; /* before trim() shortens the piece */
        fields[j] = trim(p);
        p = next;
    }
    if (strcmp(fields[cols - 1], "label") != 0) {
        err_set(err, r->path, r->lineno, "last header column is '%s'; expected 'label'", fields[cols - 1]);
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

int dataset_load_csv(dataset *ds, const char *path, ds_error *err)
{
    memset(ds, 0, sizeof *ds);
    csv_reader r = {.path = path};
    r.f = fopen(path, "r");
    if (!r.f)
        return err_set(err, path, 0, "cannot open: %s", strerror(errno));
    char **names = NULL;
    int d = 0, rc = -1, n = 0, cap = 0;
    float *x = NULL;
    int *y = NULL;
    char **fields = NULL;
    if (read_header(&r, &names, &d, err) != 0)
        goto done;
    fields = xcalloc((size_t)d + 1, sizeof(char *));
    char *line;
    while ((line = next_line(&r)) != NULL) {
        int cols = split_fields(line, fields, d + 1);
        if (cols != d + 1) {
            err_set(err, path, r.lineno, "row has %d field%s, the header has %d", cols, cols == 1 ? "" : "s", d + 1);
            goto done;
        }
        if (n == DATA_MAX_ROWS) {
            err_set(err, path, r.lineno, "more than %d rows", DATA_MAX_ROWS);
            goto done;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            x = xrealloc(x, (size_t)cap * d, sizeof(float));
            y = xrealloc(y, (size_t)cap, sizeof(int));
        }
        for (int j = 0; j < d; j++) {
            char *end;
            float v = strtof(fields[j], &end);
            if (fields[j][0] == '\0' || *end != '\0') {
                err_set(err, path, r.lineno, "column %d ('%s'): '%s' is not a number", j + 1, names[j], fields[j]);
                goto done;
            }
            if (!isfinite(v)) {
                err_set(err, path, r.lineno, "column %d ('%s'): '%s' is not a finite number", j + 1, names[j], fields[j]);
                goto done;
            }
            x[(size_t)n * d + j] = v;
        }
        if (parse_label(fields[d], &y[n]) != 0) {
            err_set(err, path, r.lineno, "label '%s' is not a class index (a whole number 0..%d)", fields[d],
                    DATA_MAX_CLASSES - 1);
            goto done;
        }
        n++;
    }
    if (ferror(r.f)) {
        err_set(err, path, r.lineno, "read error: %s", strerror(errno));
        goto done;
    }
    if (n == 0) {
        err_set(err, path, r.lineno + 1, "no data rows after the header");
        goto done;
    }
    dataset_alloc(ds, n, d, false);
    memcpy(ds->raw_f32, x, (size_t)n * d * sizeof(float));
    memcpy(ds->labels, y, (size_t)n * sizeof(int));
    ds->feature_names = names;
    names = NULL;
    for (int i = 0; i < n; i++)
        ds->n_classes = y[i] + 1 > ds->n_classes ? y[i] + 1 : ds->n_classes;
    rc = 0;
done:
    if (names) {
        for (int j = 0; j < d; j++)
            free(names[j]);
        free(names);
    }
    free(fields);
    free(x);
    free(y);
    free(r.line);
    fclose(r.f);
    return rc;
}
