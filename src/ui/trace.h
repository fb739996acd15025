/* trace.h - where a number came from: the computation trace of the inspector's selected value,
 * from the loss back through every layer (gradients) or from the inputs (forward values), with
 * the engine's numbers at each node (t), micrograd-style.
 *
 * The trace is a tree built node by node as the learner opens it: a value's children are what
 * it was computed from (the terms of a sum and their factors, the activation's derivative, the
 * loss's formula). A node that shows a buffer's element holds that element exactly; a sum's
 * note holds the sum of its terms recomputed in double, then what the engine did to it
 * (rounding to the precision, the loss scale, clipping), so every number can be checked. */
#ifndef DS_TRACE_H
#define DS_TRACE_H

#include "app.h"

typedef enum trace_what {
    TW_X,    /* the batch's input x[r][j] (as the net reads it: normalised, rounded) */
    TW_Z, TW_A, TW_DA, TW_DZ, TW_DW, TW_DB,
    TW_XHAT, /* batchnorm / layernorm x_hat, dropout's mask: the layer's aux buffer */
    TW_W, TW_B, /* a parameter as this batch's passes used it (before this step's update) */
    TW_TERM, /* one product of a sum: value = the product of its two children */
    TW_REST, /* the terms not shown, summed: "+ N more terms" */
    TW_SUM,  /* the sum of the terms, and what the engine did to it: value = the result */
    TW_NOTE  /* a line of explanation: why the trace stops, where a label comes from */
} trace_what;

#define TRACE_TEXT 320
#define TRACE_TERMS 8 /* a sum shows its largest terms; the rest are summed into one line */

typedef struct trace_node {
    trace_what what;
    int layer, row, col;  /* the element, for buffer nodes (TW_X: layer -1) */
    int parent, depth;    /* parent -1 for the root */
    int first, n_kids;    /* children are nodes[first .. first + n_kids) once built */
    bool expandable, built, open;
    double value;         /* buffer nodes: the buffer's entry; TERM: the product of its two
                           * factors; REST: the sum of the terms left out; SUM: see above */
    double sum;           /* SUM: the base and terms added in double, before what the engine
                           * did to them (rounding, loss scale, clipping) */
    char text[TRACE_TEXT];
} trace_node;

struct trace_state {
    trace_node *nodes;
    int n, cap;
    int sel;              /* the selected node */
    int top;              /* the first row of the layout shown (kept so the selection is in view) */
    bool ascii;
    char title[96];       /* in the box's top edge */
    char header[200];     /* the first line: which batch, which step */
};
typedef struct trace_state trace_state;

/* t: open the trace of the inspector's selected element (a message says why not, when it
 * cannot be traced). Returns KEY_* flags. */
int trace_open_key(app *a, int key);
/* Every key while the trace is open (Esc or t closes it). Returns KEY_* flags. */
int trace_on_key(app *a, int key);
void trace_free(trace_state *t);
/* Build the children of node k (once) and open it; false when it has none. */
bool trace_expand(app *a, int k);
/* The node showing (what, layer, row, col) among those built, or -1. */
int trace_find(const trace_state *t, trace_what what, int l, int row, int col);

/* ---- the layout (view_trace.c), shared by the keys (to keep the selection in view) and the
 * view: each open node's text wrapped beside its tree marks. */
typedef struct trace_row {
    int node;
    int start, len;       /* bytes of the node's text on this row */
    bool first;           /* the node's first row (its marks), or a continuation */
} trace_row;
/* Where the box goes on a cols x rows screen. */
rect trace_box(int cols, int rows);
/* Rows of the tree inside a box w wide (*out malloc'd, the caller frees); returns the count. */
int trace_layout(const trace_state *t, int box_w, trace_row **out);
/* Rows of tree a box h high shows. */
int trace_room(int box_h);
/* Columns of the tree marks before node k's text in a box w wide. */
int trace_indent(const trace_state *t, int k, int box_w);
/* Draw the trace over the lesson screen. */
void draw_trace(const app *a, frame *f);

#endif
