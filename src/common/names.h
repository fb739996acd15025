/* names.h - one table of names per enum, and the "expected one of" list made from it.
 *
 * Each module lists its names once, as an X-macro of (enum value, "name") pairs, e.g.
 *     #define ACT_NAMES(X) X(ACT_LINEAR, "linear") X(ACT_SIGMOID, "sigmoid") ...
 * and expands it twice: NAME_AT gives the lookup array, indexed by the enum itself (a
 * designated initializer, so a reordered enum cannot shift the names), NAME_JOINED gives the
 * comma-separated list for error messages at compile time (no buffer, no global state):
 *     static const char *const names[ACT_COUNT] = {ACT_NAMES(NAME_AT)};
 *     static const char list[] = ACT_NAMES(NAME_JOINED);   ", linear, sigmoid, ..."
 *     ... return list + NAME_LIST_SKIP;                      "linear, sigmoid, ..."
 * Before this, each set had its array and a hand-written list beside it (or in the parser),
 * and they could drift apart. */
#ifndef DS_NAMES_H
#define DS_NAMES_H

#include <string.h>

#define NAME_AT(e, s) [e] = s,
#define NAME_JOINED(e, s) ", " s
#define NAME_LIST_SKIP 2 /* the leading ", " of a NAME_JOINED list */

/* Index of name in names[0..n), -1 when absent. */
static inline int names_find(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

#endif
