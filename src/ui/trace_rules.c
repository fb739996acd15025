/* trace_rules.c - the trace's rules: a node's children from the engine's buffers. A sum
 * (dL/dW, dL/db, dL/da, z) shows its largest terms, the rest summed in one line, and its sum
 * recomputed in double with what the engine did to it; the other rules (an activation, its
 * derivative, the loss, a normalisation) show their formula with the numbers put in. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "trace_rules.h"

/* ---- sums ------------------------------------------------------------------------ */

typedef struct ref {
    trace_what w;
    int l, r, k;
} ref;

typedef struct term {
    int idx;       /* r, j or k: which row, input or unit */
    double p;      /* the product (or the single value) */
    ref f[2];      /* its factors; f[1].w < 0 when it is one value */
} term;

static int by_size(const void *pa, const void *pb)
{
    const term *a = pa, *b = pb;
    double x = fabs(a->p), y = fabs(b->p);
    return x < y ? 1 : x > y ? -1 : a->idx - b->idx;
}

/* What the engine did to a value it computed: rounding to the precision it stores. */
static double post_round(const trace_ctx *c, double v, char *txt, size_t cap)
{
    if (c->n->precision != BF16 && c->n->precision != FP16)
        return v;
    double r = fp_round_f((float)v, c->n->precision);
    size_t at = strlen(txt);
    snprintf(txt + at, cap - at, "; rounds to %s %.7g", fp_spec_of(c->n->precision)->name, r);
    return r;
}

/* Gradients of W and b after the backward pass: rounded, then (once clipping or the first
 * update has run) the loss scale divided out, then clipped. */
static double post_grad(const trace_ctx *c, double v, char *txt, size_t cap)
{
    const trainer *t = c->t;
    v = post_round(c, v, txt, cap);
    size_t at = strlen(txt);
    if (!t->state.unscaled)
        return v;
    float g = (float)v;
    if (t->cfg.loss_scale != 1.0f) {
        g /= t->cfg.loss_scale;
        at = strlen(txt);
        snprintf(txt + at, cap - at, "; %s %g (the loss scale) = %.7g", U(c, "\xC3\xB7", "/"), (double)t->cfg.loss_scale, (double)g);
    }
    at = strlen(txt);
    if (t->cfg.clip == CLIP_NORM && t->state.clip.factor < 1.0) {
        g = (float)(g * t->state.clip.factor);
        snprintf(txt + at, cap - at, "; %s %.4g (clipping) = %.7g", U(c, "\xC3\x97", "x"), t->state.clip.factor, (double)g);
    } else if (t->cfg.clip == CLIP_VALUE && (g > t->cfg.clip_value || g < -t->cfg.clip_value)) {
        g = g > 0 ? t->cfg.clip_value : -t->cfg.clip_value;
        snprintf(txt + at, cap - at, "; clipped to %.7g", (double)g);
    }
    return g;
}

typedef double (*post_fn)(const trace_ctx *c, double v, char *txt, size_t cap);

/* The sum's last line: base + the terms, what the engine did to it, and (when the buffer
 * disagrees beyond the fp32 rounding of the engine's own order of adding) that it does. */
static void add_sum_line(trace_state *s, const trace_ctx *c, int parent, const char *what, double v, double mag, post_fn post)
{
    char txt[TRACE_TEXT];
    snprintf(txt, sizeof txt, "%s = %.7g", what, (double)(float)v); /* as fp32 holds it: the engine computes in fp32 */
    double got = post ? post(c, v, txt, sizeof txt) : v;
    double buf = s->nodes[parent].value;
    double tol = 1e-5 * mag + 1e-30 + (c->n->precision == BF16 ? 8e-3 : c->n->precision == FP16 ? 1e-3 : 0) * fabs(buf);
    if (fabs(got - buf) > tol) {
        size_t at = strlen(txt);
        snprintf(txt + at, sizeof txt - at, "; the buffer holds %.7g: what it was computed from changed since (an edit with x?)", buf);
    } else {
        char mine[32], its[32];
        snprintf(mine, sizeof mine, "%.7g", (double)(float)got);
        snprintf(its, sizeof its, "%.7g", buf);
        if (strcmp(mine, its) != 0) { /* within the rounding of the engine's fp32 arithmetic */
            size_t at = strlen(txt);
            snprintf(txt + at, sizeof txt - at, " (the engine computes in fp32, in its own order: %s)", its);
        }
    }
    int i = trace_add_text(s, parent, TW_SUM, got, txt); /* may move s->nodes */
    s->nodes[i].sum = v;
}

/* Children of a sum: base (a bias node, or none), the largest terms with their factors, the
 * rest summed in one line, then the sum. Terms are added in their own order (r, j or k) in
 * double, the way a reader would check them. */
static void add_sum(trace_state *s, const trace_ctx *c, int parent, term *tm, int n, char idx, const ref *base,
                    post_fn post)
{
    double total = 0, mag = 0;
    if (base) {
        trace_add_value(s, c, parent, base->w, base->l, base->r, base->k);
        total = *trace_elem(c, base->w, base->l, base->r, base->k);
        mag = fabs(total);
    }
    for (int i = 0; i < n; i++)
        total += tm[i].p, mag += fabs(tm[i].p);
    qsort(tm, (size_t)n, sizeof *tm, by_size);
    int shown = n <= TRACE_TERMS + 2 ? n : TRACE_TERMS;
    const char *x = U(c, "\xC3\x97", "*");
    for (int i = 0; i < shown; i++) {
        const term *t = &tm[i];
        char txt[TRACE_TEXT], b1[32], b2[32], b3[32];
        double f0 = *trace_elem(c, t->f[0].w, t->f[0].l, t->f[0].r, t->f[0].k);
        if ((int)t->f[1].w >= 0) {
            double f1 = *trace_elem(c, t->f[1].w, t->f[1].l, t->f[1].r, t->f[1].k);
            snprintf(txt, sizeof txt, "%c=%d: %s %s %s = %s", idx, t->idx, trace_num(b1, sizeof b1, f0), x, trace_num(b2, sizeof b2, f1),
                     trace_num(b3, sizeof b3, t->p));
        } else
            snprintf(txt, sizeof txt, "%c=%d: %s", idx, t->idx, trace_num(b1, sizeof b1, t->p));
        int k = trace_add_text(s, parent, TW_TERM, t->p, txt);
        s->nodes[k].expandable = true;
        s->nodes[k].row = i; /* which term: its factors are made when it is opened */
    }
    if (shown < n) {
        double rest = 0;
        for (int i = shown; i < n; i++)
            rest += tm[i].p;
        char txt[TRACE_TEXT], b1[32], b2[32];
        snprintf(txt, sizeof txt, "+ %d more terms, each |term| %s %s, = %s", n - shown, U(c, "\xE2\x89\xA4", "<="),
                 trace_num(b1, sizeof b1, fabs(tm[shown].p)), trace_num(b2, sizeof b2, rest));
        trace_add_text(s, parent, TW_REST, rest, txt);
    }
    char what[64];
    snprintf(what, sizeof what, "%s%s of %d term%s", base ? "b + " : "", U(c, "\xCE\xA3", "sum"), n, n == 1 ? "" : "s");
    add_sum_line(s, c, parent, what, total, mag, post);
}

static double product(const trace_ctx *c, const ref *f)
{
    double v = *trace_elem(c, f[0].w, f[0].l, f[0].r, f[0].k);
    return (int)f[1].w >= 0 ? v * *trace_elem(c, f[1].w, f[1].l, f[1].r, f[1].k) : v;
}

static term make_term(const trace_ctx *c, int idx, ref a, ref b)
{
    term t = {idx, 0, {a, b}};
    t.p = product(c, t.f);
    return t;
}

#define NONE ((ref){(trace_what)-1, 0, 0, 0})
#define IN(l, r, j) ((ref){(l) == 0 ? TW_X : TW_A, (l) - 1, (r), (j)})

/* The terms a node is the sum of (xrealloc'd into *out); returns how many, -1 when the node
 * is not a sum. *base: the node added before them (a bias), if any; *post: what follows. */
static int terms_of(const trace_ctx *c, const trace_node *nd, term **out, ref *base, bool *has_base, post_fn *post)
{
    int l = nd->layer, r = nd->row, k = nd->col, B = c->ws->rows, n = 0, cap;
    const layer *L = &c->n->layers[l];
    *has_base = false;
    *post = post_round;
    switch (nd->what) {
    case TW_DW: case TW_DB: {
        int i = L->kind == LAYER_DENSE && nd->what == TW_DW ? r : k;
        *out = xcalloc((size_t)B, sizeof **out);
        for (int q = 0; q < B; q++) {
            ref dz = {TW_DZ, l, q, i};
            ref x = nd->what == TW_DB ? NONE : L->kind == LAYER_DENSE ? IN(l, q, k) : (ref){TW_XHAT, l, q, k};
            (*out)[n++] = make_term(c, q, dz, x);
        }
        *post = post_grad;
        return n;
    }
    case TW_DA: {
        if (l == c->n->n_layers - 1)
            return -1;
        const layer *M = &c->n->layers[l + 1];
        cap = (M->kind == LAYER_DENSE ? M->n_out : 1) + c->n->n_layers;
        *out = xcalloc((size_t)cap, sizeof **out);
        if (M->kind == LAYER_DENSE)
            for (int q = 0; q < M->n_out; q++)
                (*out)[n++] = make_term(c, q, (ref){TW_DZ, l + 1, r, q}, (ref){TW_W, l + 1, q, k});
        else
            (*out)[n++] = make_term(c, k, (ref){TW_DZ, l + 1, r, k}, M->kind == LAYER_DROPOUT ? (ref){TW_XHAT, l + 1, r, k} : NONE);
        for (int q = l + 2; q < c->n->n_layers; q++) /* a residual block that began here adds its dL/dz */
            if (c->n->layers[q].kind == LAYER_RESIDUAL_END && c->n->layers[q].partner == l)
                (*out)[n++] = make_term(c, k, (ref){TW_DZ, q, r, k}, NONE);
        if (l >= c->bwd) /* layer l's backward rounds its dL/da once every part has arrived */
            *post = post_round;
        else
            *post = NULL;
        return n;
    }
    case TW_Z:
        *out = xcalloc((size_t)L->n_in + 2, sizeof **out);
        switch (L->kind) {
        case LAYER_DENSE:
            for (int j = 0; j < L->n_in; j++)
                (*out)[n++] = make_term(c, j, (ref){TW_W, l, k, j}, IN(l, r, j));
            *base = (ref){TW_B, l, 0, k}, *has_base = true;
            break;
        case LAYER_BATCHNORM: case LAYER_LAYERNORM:
            (*out)[n++] = make_term(c, k, (ref){TW_W, l, 0, k}, (ref){TW_XHAT, l, r, k});
            *base = (ref){TW_B, l, 0, k}, *has_base = true;
            break;
        case LAYER_DROPOUT:
            (*out)[n++] = make_term(c, k, IN(l, r, k), (ref){TW_XHAT, l, r, k});
            break;
        case LAYER_RESIDUAL_END:
            (*out)[n++] = make_term(c, k, (ref){TW_A, L->partner, r, k}, NONE);
            (*out)[n++] = make_term(c, k, IN(l, r, k), NONE);
            break;
        default:
            (*out)[n++] = make_term(c, k, IN(l, r, k), NONE);
            break;
        }
        return n;
    default:
        return -1;
    }
}

/* Sums over q of one kind: the term's index letter shown. */
static char index_letter(const trace_node *nd, const trace_ctx *c)
{
    if (nd->what == TW_DW || nd->what == TW_DB)
        return 'r';
    if (nd->what == TW_Z)
        return c->n->layers[nd->layer].kind == LAYER_DENSE ? 'j' : 'i';
    return 'k';
}

/* ---- the other rules: an activation, its derivative, the loss, a normalisation ------ */

/* The loss scale, then the rounding: what do_loss does to the loss's gradient. */
static double post_loss(const trace_ctx *c, double v, char *txt, size_t cap)
{
    float S = c->t->cfg.loss_scale, g = (float)v;
    if (S != 1.0f) {
        g *= S;
        size_t at = strlen(txt);
        snprintf(txt + at, cap - at, "; %s %g (the loss scale) = %.7g", U(c, "\xC3\x97", "x"), (double)S, (double)g);
    }
    return post_round(c, g, txt, cap);
}

/* dL/dz (fused) or dL/da of the last layer as the loss computes it, in words and numbers. */
static double loss_grad(const trace_ctx *c, trace_what w, int r, int k, char *txt, size_t cap)
{
    int l = c->n->n_layers - 1, K = trace_width(c, l), B = c->ws->rows;
    double z = *trace_elem(c, TW_Z, l, r, k), a = *trace_elem(c, TW_A, l, r, k), y = trace_target(c, r, k), n = (double)B * K;
    activation f = c->n->layers[l].act;
    bool via_z = w == TW_DZ || f == ACT_LINEAR; /* linear output: dL/da is dL/dz */
    if (c->n->loss == LOSS_CROSS_ENTROPY && via_z) {
        const float *zr = trace_elem(c, TW_Z, l, r, 0);
        double m = zr[0], sum = 0;
        for (int j = 1; j < K; j++)
            m = zr[j] > m ? zr[j] : m;
        for (int j = 0; j < K; j++)
            sum += exp(zr[j] - m);
        double p = exp(z - m) / sum;
        snprintf(txt, cap, "p = softmax(row %d's z)[%d] = %.7g, y = %g (label %d), B = %d: (p - y)/B", r, k, p, y,
                 c->t->labels[r], B);
        return (p - y) / B;
    }
    if (c->n->loss == LOSS_CROSS_ENTROPY) {
        snprintf(txt, cap, "-y/(B a) with a = %.7g, y = %g, B = %d", a, y, B);
        return -y / (B * fmax(a, 1.17549435e-38));
    }
    if (c->n->loss == LOSS_BCE && via_z) {
        double p = 1.0 / (1.0 + exp(-z));
        snprintf(txt, cap, "p = sigmoid(z) = %.7g, y = %g, n = B*K = %g: (p - y)/n", p, y, n);
        return (p - y) / n;
    }
    if (c->n->loss == LOSS_BCE) {
        double q = fmax(a * (1 - a), 1.17549435e-38);
        snprintf(txt, cap, "(a - y)/(a(1-a) n) with a = %.7g, y = %g, n = %g", a, y, n);
        return (a - y) / (q * n);
    }
    snprintf(txt, cap, "mse: 2(a - y)/n with a = %.7g, y = %g, n = B*K = %g", a, y, n);
    return 2 * (a - y) / n;
}

/* f(z) in double, as act.c computes it (up to its final rounding to float). */
static double act_value(const trace_ctx *c, int l, int r, int k)
{
    const layer *L = &c->n->layers[l];
    double z = *trace_elem(c, TW_Z, l, r, k);
    switch (L->act) {
    case ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case ACT_TANH: return tanh(z);
    case ACT_RELU: return z > 0 ? z : 0;
    case ACT_LEAKY_RELU: return z > 0 ? z : LEAKY_RELU_SLOPE * z;
    case ACT_SOFTMAX: {
        const float *zr = trace_elem(c, TW_Z, l, r, 0);
        double m = zr[0], sum = 0;
        for (int j = 1; j < L->n_out; j++)
            m = zr[j] > m ? zr[j] : m;
        for (int j = 0; j < L->n_out; j++)
            sum += exp(zr[j] - m);
        return exp(z - m) / sum;
    }
    default: return z;
    }
}

static void expand_rule(trace_state *s, const trace_ctx *c, int k)
{
    trace_node nd = s->nodes[k];
    int l = nd.layer, r = nd.row, i = nd.col;
    const layer *L = l >= 0 ? &c->n->layers[l] : NULL;
    char txt[TRACE_TEXT];
    double v;
    switch (nd.what) {
    case TW_A:
        trace_add_value(s, c, k, TW_Z, l, r, i);
        snprintf(txt, sizeof txt, "%s(z)", L->act == ACT_LINEAR ? "" : trace_act_fn(L->act));
        add_sum_line(s, c, k, txt, act_value(c, l, r, i), fabs(nd.value), post_round);
        return;
    case TW_XHAT: {
        trace_add_value(s, c, k, l == 0 ? TW_X : TW_A, l - 1, r, i);
        double x = *trace_elem(c, l == 0 ? TW_X : TW_A, l - 1, r, i), mean, var;
        if (L->kind == LAYER_LAYERNORM)
            layernorm_row_stats(trace_elem(c, l == 0 ? TW_X : TW_A, l - 1, r, 0), L->n_out, &mean, &var);
        else
            mean = L->batch_mean[i], var = L->batch_var[i];
        snprintf(txt, sizeof txt, "(x - mean)/sqrt(var + eps), mean %.7g, var %.7g of the %s", mean, var,
                 L->kind == LAYER_LAYERNORM ? "row" : "batch");
        add_sum_line(s, c, k, txt, (x - (float)mean) * (float)(1.0 / sqrt(var + (L->kind == LAYER_LAYERNORM ? LN_EPS : BN_EPS))),
                     fabs(nd.value), post_round);
        return;
    }
    case TW_DZ:
        if (trace_last_fused(c, l)) {
            trace_add_value(s, c, k, TW_Z, l, r, i);
            v = loss_grad(c, TW_DZ, r, i, txt, sizeof txt);
            add_sum_line(s, c, k, txt, v, fabs(v), post_loss);
            return;
        }
        trace_add_value(s, c, k, TW_DA, l, r, i);
        trace_add_value(s, c, k, TW_A, l, r, i);
        double da = *trace_elem(c, TW_DA, l, r, i), a = *trace_elem(c, TW_A, l, r, i), fz;
        if (L->act == ACT_SOFTMAX) {
            double dot = 0;
            for (int q = 0; q < L->n_out; q++)
                dot += (double)*trace_elem(c, TW_DA, l, r, q) * *trace_elem(c, TW_A, l, r, q);
            snprintf(txt, sizeof txt, "a (dL/da - %s_m dL/da[m] a[m]) = %.7g (%.7g - %.7g)", U(c, "\xCE\xA3", "sum"), a, da, dot);
            add_sum_line(s, c, k, txt, a * (da - dot), fabs(nd.value), post_round);
            return;
        }
        fz = act_derivative(L->act, *trace_elem(c, TW_Z, l, r, i), a);
        if (L->act == ACT_LINEAR)
            snprintf(txt, sizeof txt, "f'(z) = 1 (linear): dL/dz = dL/da");
        else
            snprintf(txt, sizeof txt, "f'(z) = %s = %.7g; dL/da %s f'(z) = %.7g %s %.7g",
                     L->act == ACT_TANH ? "1 - a^2" : L->act == ACT_SIGMOID ? "a(1 - a)"
                     : L->act == ACT_RELU ? "1 if z > 0, else 0" : "1 if z > 0, else 0.01", fz, U(c, "\xC3\x97", "*"), da,
                     U(c, "\xC3\x97", "*"), fz);
        add_sum_line(s, c, k, txt, da * fz, fabs(nd.value), post_round);
        return;
    case TW_DA: /* the last layer's: from the loss */
        trace_add_value(s, c, k, TW_A, l, r, i);
        v = loss_grad(c, TW_DA, r, i, txt, sizeof txt);
        add_sum_line(s, c, k, txt, v, fabs(v), post_loss);
        return;
    default:
        return;
    }
}


void trace_build(trace_state *s, const trace_ctx *c, int k)
{
    trace_node nd = s->nodes[k];
    term *tm = NULL;
    ref base;
    bool has_base;
    post_fn post;
    const trace_node *sum = nd.what == TW_TERM ? &s->nodes[nd.parent] : &nd;
    int n = terms_of(c, sum, &tm, &base, &has_base, &post);
    if (nd.what == TW_TERM && n > nd.row) { /* the factors of term nd.row, in the order add_sum showed them */
        qsort(tm, (size_t)n, sizeof *tm, by_size);
        const term *t = &tm[nd.row];
        for (int f = 0; f < 2; f++)
            if ((int)t->f[f].w >= 0)
                trace_add_value(s, c, k, t->f[f].w, t->f[f].l, t->f[f].r, t->f[f].k);
    } else if (nd.what != TW_TERM && n >= 0)
        add_sum(s, c, k, tm, n, index_letter(&nd, c), has_base ? &base : NULL, post);
    else if (nd.what != TW_TERM)
        expand_rule(s, c, k);
    free(tm);
}
