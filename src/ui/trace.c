/* trace.c - the computation trace's model: what the buffers hold at the stepper's cursor, the
 * tree built from the engine's buffers node by node as the learner opens it, and its keys.
 * Every number a node shows is read from a buffer or computed here, in double, from numbers
 * read from buffers; a sum's line then says what the engine did to it (rounding, the loss
 * scale, clipping), so the learner can add the shown terms up and get the shown value. */
#include "trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "keys.h"
#include "trace_rules.h"

/* ---- what the buffers hold ------------------------------------------------------- */

trace_ctx trace_ctx_of(const session *s, bool ascii)
{
    const trainer *t = &s->t;
    int L = t->net.n_layers, ph = t->state.next_phase, at = t->state.next_layer;
    trace_ctx c = {t, &t->net, &t->net.train, L, 0, L, true, ascii};
    if (t->state.micro == 0)
        c.fwd = 0, c.loss = false, c.bwd = L, c.upd = 0;
    else if (ph == PHASE_FORWARD || ph == PHASE_LOSS)
        c.fwd = ph == PHASE_FORWARD ? at : L, c.loss = false, c.bwd = L, c.upd = 0;
    else if (ph == PHASE_BACKWARD)
        c.bwd = at + 1, c.upd = 0;
    else if (ph == PHASE_CLIP)
        c.upd = 0;
    else if (ph == PHASE_UPDATE)
        c.upd = at;
    return c; /* LOAD_BATCH after a batch, END_*, DONE: the last batch is complete */
}

int trace_width(const trace_ctx *c, int l) { return l < 0 ? c->n->n_in : c->n->layers[l].n_out; }
bool trace_last_fused(const trace_ctx *c, int l)
{
    return l == c->n->n_layers - 1 && loss_is_fused(c->n->loss, c->n->layers[l].act);
}

/* The element a buffer node shows. W and b: as this batch's passes used them. */
const float *trace_elem(const trace_ctx *c, trace_what w, int l, int r, int k)
{
    const layer *L = l >= 0 ? &c->n->layers[l] : NULL;
    size_t at = (size_t)r * trace_width(c, l) + k, wat = L && L->kind == LAYER_DENSE ? (size_t)r * L->n_in + k : (size_t)k;
    switch (w) {
    case TW_X: return c->ws->x + at;
    case TW_Z: return c->ws->z[l] + at;
    case TW_A: return c->ws->a[l] + at;
    case TW_DA: return c->ws->da[l] + at;
    case TW_DZ: return c->ws->dz[l] + at;
    case TW_XHAT: return c->ws->aux[l] + at;
    case TW_DW: return L->dW + wat;
    case TW_DB: return L->db + k;
    case TW_W: return (l < c->upd ? L->W_prev : L->W) + wat;
    case TW_B: return (l < c->upd ? L->b_prev : L->b) + k;
    default: return NULL;
    }
}

static void name_of(const trace_ctx *c, char *buf, size_t cap, trace_what w, int l, int r, int k)
{
    static const char *const names[] = {"x", "z", "a", "dL/da", "dL/dz", "dL/dW", "dL/db", "", "W", "b"};
    if (w > TW_B) {
        buf[0] = '\0';
        return;
    }
    const char *nm = names[w];
    if (w == TW_XHAT)
        nm = c->n->layers[l].kind == LAYER_DROPOUT ? "mask" : U(c, "x\xCC\x82", "xhat");
    if (w == TW_X)
        snprintf(buf, cap, "x[%d][%d]", r, k);
    else if (w == TW_DB || w == TW_B)
        snprintf(buf, cap, "L%d %s[%d]", l, nm, k);
    else
        snprintf(buf, cap, "L%d %s[%d][%d]", l, nm, r, k);
}

const char *trace_act_fn(activation f)
{
    switch (f) {
    case ACT_SIGMOID: return "sigmoid";
    case ACT_TANH: return "tanh";
    case ACT_RELU: return "relu";
    case ACT_LEAKY_RELU: return "leaky_relu";
    case ACT_SOFTMAX: return "softmax";
    default: return "";
    }
}

/* The loss's target for row r, output k: one-hot for K > 1, the label itself for K = 1. */
double trace_target(const trace_ctx *c, int r, int k)
{
    int K = trace_width(c, c->n->n_layers - 1);
    return K == 1 ? (double)c->t->labels[r] : (c->t->labels[r] == k ? 1.0 : 0.0);
}

/* ---- the tree -------------------------------------------------------------------- */

static int add_node(trace_state *s, int parent, trace_what w, int l, int r, int k)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->nodes = xrealloc(s->nodes, (size_t)s->cap, sizeof *s->nodes);
    }
    trace_node *nd = &s->nodes[s->n];
    memset(nd, 0, sizeof *nd);
    nd->what = w, nd->layer = l, nd->row = r, nd->col = k;
    nd->parent = parent;
    nd->depth = parent < 0 ? 0 : s->nodes[parent].depth + 1;
    nd->first = -1;
    if (parent >= 0) {
        trace_node *p = &s->nodes[parent];
        if (p->first < 0)
            p->first = s->n;
        p->n_kids++;
    }
    return s->n++;
}

const char *trace_num(char *b, size_t cap, double v) /* compact, as the inspector's cells */
{
    if (v == 0)
        v = 0.0;
    if (v != 0 && (fabs(v) < 1e-3 || fabs(v) >= 1e5))
        snprintf(b, cap, "%.3e", v);
    else
        snprintf(b, cap, "%.4g", v);
    return b;
}

/* The rule a buffer node is computed by, in words, and whether the trace goes on from it. */
static bool rule_of(const trace_ctx *c, trace_what w, int l, int r, int k, char *rule, size_t cap)
{
    const layer *L = l >= 0 ? &c->n->layers[l] : NULL;
    char in[16];
    snprintf(in, sizeof in, l > 0 ? "L%d a" : "x", l - 1);
    const char *S = U(c, "\xCE\xA3", "sum"), *dot = U(c, "\xC2\xB7", "*");
    int last = c->n->n_layers - 1;
    rule[0] = '\0';
    switch (w) {
    case TW_X:
        snprintf(rule, cap, "the batch's input (normalised, as the net reads it)");
        return false;
    case TW_W: case TW_B:
        snprintf(rule, cap, "a parameter, as this batch's passes used it");
        return false;
    case TW_XHAT:
        if (L->kind == LAYER_DROPOUT) {
            snprintf(rule, cap, "0 (dropped) or 1/(1-p) (kept), drawn at random in the forward pass");
            return false;
        }
        snprintf(rule, cap, "= (x - mean)/sqrt(var + eps) over the %s", L->kind == LAYER_BATCHNORM ? "batch's column" : "row's features");
        return true;
    case TW_Z:
        switch (L->kind) {
        case LAYER_DENSE: snprintf(rule, cap, "= b[%d] + %s_j W[%d][j]%s%s[%d][j]", k, S, k, dot, in, r); break;
        case LAYER_BATCHNORM: case LAYER_LAYERNORM: snprintf(rule, cap, "= gamma%s%s + beta (%s)", dot, U(c, "x\xCC\x82", "xhat"), layer_kind_name(L->kind)); break;
        case LAYER_DROPOUT: snprintf(rule, cap, "= %s %s mask (dropout)", in, dot); break;
        case LAYER_RESIDUAL_BEGIN: snprintf(rule, cap, "= %s (the residual block's input, passed on)", in); break;
        default: snprintf(rule, cap, "= %s + L%d a (the block's input added back)", in, L->partner); break;
        }
        return true;
    case TW_A:
        if (L->act == ACT_LINEAR)
            snprintf(rule, cap, "= z (linear)");
        else
            snprintf(rule, cap, "= %s(z)%s", trace_act_fn(L->act), L->act == ACT_SOFTMAX ? " over the row" : "");
        return true;
    case TW_DZ:
        if (trace_last_fused(c, l))
            snprintf(rule, cap, "= (p - y)/%s from the loss (%s)", c->n->loss == LOSS_BCE ? "n" : "B",
                     c->n->loss == LOSS_BCE ? "sigmoid + binary cross-entropy, mean over n = B*K" : "softmax + cross-entropy, mean over B rows");
        else
            snprintf(rule, cap, "= dL/da %s f'(z)%s", dot, L->act == ACT_SOFTMAX ? " (softmax: a Jacobian per row)" : "");
        return true;
    case TW_DA:
        if (l == last) {
            snprintf(rule, cap, "from the loss (%s)", loss_name(c->n->loss));
            return true;
        }
        switch (c->n->layers[l + 1].kind) {
        case LAYER_DENSE: snprintf(rule, cap, "= %s_k L%d dL/dz[%d][k]%sW[k][%d]", S, l + 1, r, dot, k); break;
        case LAYER_BATCHNORM: case LAYER_LAYERNORM:
            snprintf(rule, cap, "from L%d's %s backward, which mixes the whole %s: the trace stops here",
                     l + 1, layer_kind_name(c->n->layers[l + 1].kind), c->n->layers[l + 1].kind == LAYER_BATCHNORM ? "batch" : "row");
            return false;
        default: snprintf(rule, cap, "= L%d dL/dz%s (%s)", l + 1, c->n->layers[l + 1].kind == LAYER_DROPOUT ? " * mask" : "",
                          layer_kind_name(c->n->layers[l + 1].kind)); break;
        }
        return true;
    case TW_DW:
        if (L->kind == LAYER_DENSE)
            snprintf(rule, cap, "= %s_r L%d dL/dz[r][%d]%s%s[r][%d] over the batch's %d rows", S, l, r, dot, in, k, c->ws->rows);
        else
            snprintf(rule, cap, "= %s_r dL/dz[r][%d]%s%s[r][%d] (dgamma)", S, k, dot, U(c, "x\xCC\x82", "xhat"), k);
        return true;
    case TW_DB:
        snprintf(rule, cap, "= %s_r L%d dL/dz[r][%d] over the batch's %d rows", S, l, k, c->ws->rows);
        return true;
    default:
        return false;
    }
}

int trace_add_value(trace_state *s, const trace_ctx *c, int parent, trace_what w, int l, int r, int k)
{
    int i = add_node(s, parent, w, l, r, k);
    trace_node *nd = &s->nodes[i];
    char name[64], rule[220];
    nd->value = *trace_elem(c, w, l, r, k);
    nd->expandable = rule_of(c, w, l, r, k, rule, sizeof rule);
    name_of(c, name, sizeof name, w, l, r, k);
    snprintf(nd->text, sizeof nd->text, "%s = %.7g  %s", name, nd->value == 0 ? 0.0 : nd->value, rule);
    return i;
}

int trace_add_text(trace_state *s, int parent, trace_what w, double v, const char *text)
{
    int i = add_node(s, parent, w, -1, 0, 0);
    s->nodes[i].value = v;
    snprintf(s->nodes[i].text, TRACE_TEXT, "%s", text);
    return i;
}

/* ---- opening nodes and the trace ------------------------------------------------- */

bool trace_expand(app *a, int k)
{
    trace_state *s = a->les->trace;
    if (!s || k < 0 || k >= s->n || !s->nodes[k].expandable)
        return false;
    if (!s->nodes[k].built) {
        trace_ctx c = trace_ctx_of(app_run(a), s->ascii);
        trace_build(s, &c, k);
        s->nodes[k].built = true;
    }
    s->nodes[k].open = s->nodes[k].n_kids > 0;
    return s->nodes[k].open;
}

int trace_find(const trace_state *t, trace_what what, int l, int row, int col)
{
    for (int i = 0; t && i < t->n; i++)
        if (t->nodes[i].what == what && t->nodes[i].layer == l && t->nodes[i].row == row && t->nodes[i].col == col)
            return i;
    return -1;
}

/* Why the selected value cannot be traced now (NULL: it can). */
static const char *not_yet(const session *s, const trace_ctx *c, trace_what w, int l, char *buf, size_t cap)
{
    int last = c->n->n_layers - 1;
    if (s->t.state.div.happened)
        return "the run diverged, so the buffers are partly from before the NaN: step back (b) to trace a value";
    if (c->ws->rows == 0 || s->t.state.micro == 0)
        return "no batch loaded yet: press n to load one, then step through the forward pass";
    bool fwd = w == TW_X || l < c->fwd;
    if ((w == TW_Z || w == TW_A || w == TW_X) && !fwd)
        snprintf(buf, cap, "L%d's %s comes from the forward pass of layer %d, not run for this batch yet: step on (n)",
                 l, w == TW_Z ? "z" : "a", l);
    else if (w == TW_DA && (l == last ? !c->loss : l + 1 < c->bwd))
        snprintf(buf, cap, "L%d's dL/da comes from the %s, not run for this batch yet: step on (n) past it", l,
                 l == last ? "loss" : "backward pass of the layer above");
    else if ((w == TW_DZ && trace_last_fused(c, l) && !c->loss) ||
             (((w == TW_DZ && !trace_last_fused(c, l)) || w == TW_DW || w == TW_DB) && l < c->bwd))
        snprintf(buf, cap, "L%d's %s comes from the backward pass of layer %d, not run for this batch yet: step on (n)",
                 l, w == TW_DZ ? "dL/dz" : w == TW_DW ? "dL/dW" : "dL/db", l);
    else
        return NULL;
    return buf;
}

static void close_trace(app *a)
{
    trace_free(a->les->trace);
    a->les->trace = NULL;
}

int trace_open_key(app *a, int key)
{
    (void)key;
    session *s = app_run(a);
    static const trace_what of[BUF_COUNT] = {TW_A, TW_Z, TW_A, TW_DA, TW_DZ, TW_W, TW_DW, TW_B, TW_DB, TW_W};
    if (s->buf == BUF_W || s->buf == BUF_B || s->buf == BUF_STATE) {
        snprintf(a->message, sizeof a->message, "%s is set by the initialisation and the updates, not computed from other "
                 "values: t traces z, a, dL/da, dL/dz, dL/dW and dL/db (g switches)", buffer_name(s->buf));
        return KEY_DONE;
    }
    int rows, cols;
    if (!session_buffer(s, s->buf, &rows, &cols)) {
        snprintf(a->message, sizeof a->message, "this layer has no %s to trace", buffer_name(s->buf));
        return KEY_DONE;
    }
    trace_ctx c = trace_ctx_of(s, a->ascii);
    trace_what w = of[s->buf];
    int l = s->layer;
    if (s->buf == BUF_INPUT) /* layer l's input: the batch, or the layer below's a */
        w = l == 0 ? TW_X : TW_A, l = l - 1;
    char why[300];
    const char *no = not_yet(s, &c, w, l, why, sizeof why);
    if (no) {
        snprintf(a->message, sizeof a->message, "%s", no);
        return KEY_DONE;
    }
    s->running = false; /* the numbers stay still while the trace is read */
    trace_state *t = xcalloc(1, sizeof *t);
    t->ascii = a->ascii;
    a->les->trace = t;
    int r = s->buf == BUF_DB ? 0 : s->row;
    trace_add_value(t, &c, -1, w, l, r, s->col);
    char name[64];
    name_of(&c, name, sizeof name, w, l, r, s->col);
    snprintf(t->title, sizeof t->title, "Where %s came from", name);
    char scale[64] = "";
    if (s->t.cfg.loss_scale != 1.0f)
        snprintf(scale, sizeof scale, "; dL/da, dL/dz hold %g x the gradient (loss scale)", (double)s->t.cfg.loss_scale);
    /* the batch whose buffers these are: the last micro-step's (once a batch has ended the
     * cursor already names the next one), as the narration numbers it */
    int epoch = s->has_last ? s->last.epoch : s->t.state.epoch + 1, batch = s->has_last ? s->last.batch : s->t.state.batch + 1;
    snprintf(t->header, sizeof t->header, "epoch %d, batch %d (%d rows), %s%s; %s", epoch, batch, c.ws->rows, c.n->precision == FP32 ? "fp32" : fp_spec_of(c.n->precision)->name, scale,
             "every number is the engine's");
    trace_expand(a, 0);
    a->message[0] = '\0';
    return KEY_DONE;
}

/* The open nodes in the order they are drawn (depth first). */
static int visible(const trace_state *t, int k, int *out, int n)
{
    out[n++] = k;
    if (t->nodes[k].open)
        for (int i = 0; i < t->nodes[k].n_kids; i++)
            n = visible(t, t->nodes[k].first + i, out, n);
    return n;
}

/* Scroll so the selected node's rows are in the box. */
static void keep_in_view(app *a)
{
    trace_state *t = a->les->trace;
    rect b = trace_box(a->cols, a->rows);
    trace_row *rows;
    int n = trace_layout(t, b.w, &rows), room = trace_room(b.h), lo = -1, hi = -1;
    for (int i = 0; i < n; i++)
        if (rows[i].node == t->sel)
            hi = i, lo = lo < 0 ? i : lo;
    free(rows);
    if (hi >= t->top + room)
        t->top = hi - room + 1;
    if (lo >= 0 && lo < t->top)
        t->top = lo;
    t->top = t->top > n - room ? n - room : t->top;
    t->top = t->top < 0 ? 0 : t->top;
}

int trace_on_key(app *a, int key)
{
    trace_state *t = a->les->trace;
    if (key == K_ESC || key == 't') {
        close_trace(a);
        return KEY_DONE;
    }
    if (key == 'q') {
        close_trace(a);
        return key_quit(a, key);
    }
    if (key == 'S')
        return key_save_screen(a, key);
    int *vis = xcalloc((size_t)t->n, sizeof *vis), nv = visible(t, 0, vis, 0), at = 0;
    for (int i = 0; i < nv; i++)
        at = vis[i] == t->sel ? i : at;
    trace_node *nd = &t->nodes[t->sel];
    int page = trace_room(trace_box(a->cols, a->rows).h) / 2;
    bool follow = true; /* the selection follows `at` */
    switch (key) {
    case K_UP: case 'k': at--; break;
    case K_DOWN: case 'j': at++; break;
    case K_PGUP: at -= page; break;
    case K_PGDN: at += page; break;
    case K_HOME: at = 0; break;
    case K_END: at = nv - 1; break;
    case K_RIGHT: case 'l':
        if (nd->open)
            at++; /* to its first child */
        else
            trace_expand(a, t->sel); /* may move t->nodes: nd is not used after it */
        break;
    case K_ENTER: case ' ':
        if (nd->open)
            nd->open = false;
        else
            trace_expand(a, t->sel);
        break;
    case K_LEFT: case 'h':
        if (nd->open)
            nd->open = false;
        else if (nd->parent >= 0)
            t->sel = nd->parent, follow = false;
        break;
    default: break;
    }
    if (follow) { /* a move past either end stops at it (PgUp near the top goes to the top) */
        at = at < 0 ? 0 : at >= nv ? nv - 1 : at;
        t->sel = vis[at];
    }
    free(vis);
    keep_in_view(a);
    return KEY_DONE;
}

void trace_free(trace_state *t)
{
    if (t)
        free(t->nodes);
    free(t);
}
