/* test_narration.h - the narration of a session as one string, for the tests that search it. */
#ifndef DS_TEST_NARRATION_H
#define DS_TEST_NARRATION_H

#include <stdbool.h>
#include <string.h>

#include "ui/narrate.h"

/* All narration lines joined, each ended by a newline. */
static inline void narration(const session *s, char *buf, size_t cap)
{
    char lines[NARRATE_LINES][NARRATE_COLS];
    int n = narrate(s, lines);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        strncat(buf, lines[i], cap - strlen(buf) - 1);
        strncat(buf, "\n", cap - strlen(buf) - 1);
    }
}

static inline bool narration_contains(const session *s, const char *needle)
{
    static char buf[NARRATE_LINES * (NARRATE_COLS + 1) + 1];
    narration(s, buf, sizeof buf);
    return strstr(buf, needle) != NULL;
}

#endif
