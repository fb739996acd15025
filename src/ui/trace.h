/* trace.h - where a number came from: the computation trace of the inspector's selected value,
 * from the loss back through every layer, with the engine's numbers at each node (t). */
#ifndef DS_TRACE_H
#define DS_TRACE_H

#include "app.h"

typedef struct trace_state trace_state;

/* t: open the trace of the inspector's selected element (a message says why not, when it
 * cannot be traced). Returns KEY_* flags. */
int trace_open_key(app *a, int key);
/* Every key while the trace is open (Esc or t closes it). Returns KEY_* flags. */
int trace_on_key(app *a, int key);
void trace_free(trace_state *t);
/* Draw the trace over the lesson screen (view_trace.c). */
void draw_trace(const app *a, frame *f);

#endif
