#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t count, size_t size)
{
    fprintf(stderr, "deepstep: out of memory (asked for %zu x %zu bytes)\n", count, size);
    exit(2);
}

bool size_mul(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return false;
    *out = a * b;
    return true;
}

void *xcalloc(size_t count, size_t size)
{
    size_t total;
    if (!size_mul(count, size, &total))
        out_of_memory(count, size);
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count, size);
    return p;
}

void *xrealloc(void *p, size_t count, size_t size)
{
    size_t total;
    if (!size_mul(count, size, &total))
        out_of_memory(count, size);
    void *q = realloc(p, total ? total : 1);
    if (!q)
        out_of_memory(count, size);
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xcalloc(n, 1);
    memcpy(d, s, n);
    return d;
}
