/* xalloc.h - checked allocation. Sizes are checked for overflow; running out of memory
 * is the one failure that ends the program from library code (after the UI's atexit
 * hook restores the terminal), because every caller would only do the same. */
#ifndef DS_XALLOC_H
#define DS_XALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *xcalloc(size_t count, size_t size);   /* zeroed; never NULL */
void *xrealloc(void *p, size_t count, size_t size);
char *xstrdup(const char *s);

/* *out = a * b; false when it would overflow. */
bool size_mul(size_t a, size_t b, size_t *out);

#endif
