/* trace.c - (scaffold, to be written) */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>

#include "keys.h"

struct trace_state {
    int unused;
};

int trace_open_key(app *a, int key)
{
    (void)key;
    snprintf(a->message, sizeof a->message, "the computation trace is not built yet");
    return KEY_DONE;
}

int trace_on_key(app *a, int key)
{
    (void)key;
    trace_free(a->les->trace);
    a->les->trace = NULL;
    return KEY_DONE;
}

void trace_free(trace_state *t) { free(t); }
