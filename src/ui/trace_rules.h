/* trace_rules.h - inside the computation trace (trace.c, trace_rules.c): where the stepper
 * is in the batch, the buffer element a node shows, and how nodes are added. Not for views. */
#ifndef DS_TRACE_RULES_H
#define DS_TRACE_RULES_H

#include "trace.h"

/* How far this batch has got: layers < fwd have run forward, layers >= bwd backward, layers
 * < upd have been updated (their W_prev is the W this batch's passes used). */
typedef struct trace_ctx {
    const trainer *t;
    const net *n;
    const workspace *ws;
    int fwd, bwd, upd;
    bool loss, ascii;
} trace_ctx;

#define U(c, utf, asc) ((c)->ascii ? (asc) : (utf))

trace_ctx trace_ctx_of(const session *s, bool ascii);
int trace_width(const trace_ctx *c, int l);
bool trace_last_fused(const trace_ctx *c, int l);
/* The element a buffer node shows (W and b: as this batch's passes used them). */
const float *trace_elem(const trace_ctx *c, trace_what w, int l, int r, int k);
const char *trace_act_fn(activation f);
/* The loss's target for row r, output k: one-hot for K > 1, the label itself for K = 1. */
double trace_target(const trace_ctx *c, int r, int k);
/* A buffer node (its value, name and rule) or a line of text, as the last child of parent. */
int trace_add_value(trace_state *s, const trace_ctx *c, int parent, trace_what w, int l, int r, int k);
int trace_add_text(trace_state *s, int parent, trace_what w, double v, const char *text);
/* A number as the inspector's cells show it. */
const char *trace_num(char *b, size_t cap, double v);
/* Make node k's children (trace_rules.c). */
void trace_build(trace_state *s, const trace_ctx *c, int k);

#endif
