/* dist.c - distributions over time: the model behind the Distributions panel (dist.h). */
#include "dist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "session.h"

struct dist_history {
    int n_layers;
    long step[DIST_STEPS]; /* the step each slot holds; 0: none */
    dist_summary *sum;     /* (DIST_STEPS, n_layers, DIST_KINDS) */
    float *ratio;          /* (DIST_STEPS, n_layers) */
};

static int slot_of(long step) { return (int)((step - 1) % DIST_STEPS); }

/* Two passes: the finite range, then the counts. The range is the step's own, so no value
 * falls outside the bins and no earlier step decides the resolution. */
static void summarise(dist_summary *o, const float *v, size_t len, float unscale)
{
    memset(o, 0, sizeof *o);
    float lo = INFINITY, hi = -INFINITY;
    uint32_t bad = 0;
    for (size_t k = 0; k < len; k++) {
        float x = v[k];
        if (!isfinite(x)) {
            bad++;
            continue;
        }
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    o->nonfinite = bad;
    o->n = (uint32_t)(len - bad);
    if (o->n == 0)
        return;
    /* in double: a range near FLT_MAX must not overflow, and the bin of max must be exact */
    double scale = hi > lo ? DIST_BINS / ((double)hi - (double)lo) : 0.0;
    for (size_t k = 0; k < len; k++) {
        float x = v[k];
        if (!isfinite(x))
            continue;
        int b = (int)(((double)x - lo) * scale);
        o->count[b >= DIST_BINS ? DIST_BINS - 1 : b]++;
    }
    /* the loss scale is a positive factor: dividing the edges out divides every value out,
     * and each value stays in its bin */
    o->min = lo / unscale;
    o->max = hi / unscale;
}

void dist_record(session *s)
{
    const trainer *t = &s->t;
    const net *n = &t->net;
    long step = t->state.step;
    if (step < 1)
        return;
    dist_history *d = s->dist;
    if (!d || d->n_layers != n->n_layers) { /* lazily: a run that never steps costs nothing */
        dist_free(d);
        d = s->dist = xcalloc(1, sizeof *d);
        d->n_layers = n->n_layers;
        d->sum = xcalloc((size_t)DIST_STEPS * n->n_layers * DIST_KINDS, sizeof *d->sum);
        d->ratio = xcalloc((size_t)DIST_STEPS * n->n_layers, sizeof *d->ratio);
    }
    int slot = slot_of(step);
    d->step[slot] = step;
    const workspace *ws = &n->train;
    float S = t->cfg.loss_scale > 0 ? t->cfg.loss_scale : 1.0f;
    for (int i = 0; i < n->n_layers; i++) {
        size_t len = (size_t)ws->rows * (size_t)n->layers[i].n_out;
        dist_summary *o = &d->sum[((size_t)slot * n->n_layers + i) * DIST_KINDS];
        summarise(&o[DIST_A], ws->a[i], len, 1.0f);
        summarise(&o[DIST_DZ], ws->dz[i], len, S); /* dz holds loss_scale times dL/dz */
        d->ratio[(size_t)slot * n->n_layers + i] = t->stats[i].update_ratio;
    }
}

void dist_free(dist_history *d)
{
    if (!d)
        return;
    free(d->sum);
    free(d->ratio);
    free(d);
}

/* The slot holding step, or -1: held only while within the last DIST_STEPS up to now. */
static int held(const session *s, int i, long step)
{
    const dist_history *d = s->dist;
    long cur = s->t.state.step;
    if (!d || i < 0 || i >= d->n_layers || step < 1 || step > cur || step <= cur - DIST_STEPS)
        return -1;
    int slot = slot_of(step);
    return d->step[slot] == step ? slot : -1;
}

const dist_summary *dist_at(const session *s, int i, dist_kind k, long step)
{
    int slot = held(s, i, step);
    if (slot < 0 || k < 0 || k >= DIST_KINDS)
        return NULL;
    return &s->dist->sum[((size_t)slot * s->dist->n_layers + i) * DIST_KINDS + k];
}

float dist_ratio(const session *s, int i, long step)
{
    int slot = held(s, i, step);
    return slot < 0 ? NAN : s->dist->ratio[(size_t)slot * s->dist->n_layers + i];
}

int dist_steps(const session *s, long *first)
{
    long cur = s->t.state.step;
    *first = cur + 1;
    for (long st = cur - DIST_STEPS + 1; st <= cur; st++)
        if (held(s, 0, st) >= 0) {
            *first = st;
            break;
        }
    return (int)(cur + 1 - *first);
}

bool dist_range(const session *s, int i, dist_kind k, long first, long last, double *lo, double *hi)
{
    double l = INFINITY, h = -INFINITY;
    for (long st = first; st <= last; st++) {
        const dist_summary *o = dist_at(s, i, k, st);
        if (!o || o->n == 0)
            continue;
        l = o->min < l ? o->min : l;
        h = o->max > h ? o->max : h;
    }
    if (!(h >= l))
        return false;
    *lo = l, *hi = h;
    return true;
}

bool dist_rebin(const session *s, int i, dist_kind k, long step, double lo, double hi, int nb, double *out)
{
    const dist_summary *o = dist_at(s, i, k, step);
    if (!o || nb < 1)
        return false;
    double W = hi > lo ? (hi - lo) / nb : 1.0, w = ((double)o->max - o->min) / DIST_BINS;
    for (int j = 0; j < DIST_BINS; j++) {
        double c = o->count[j];
        if (c == 0)
            continue;
        double t0 = ((double)o->min + j * w - lo) / W, t1 = ((double)o->min + (j + 1) * w - lo) / W;
        double f0 = floor(t0), f1 = ceil(t1) - 1;
        int qa = f0 < 0 ? 0 : (f0 > nb - 1 ? nb - 1 : (int)f0);
        int qb = f1 < 0 ? 0 : (f1 > nb - 1 ? nb - 1 : (int)f1);
        if (!(t1 > t0)) { /* all values equal: one point, in the bin that holds it */
            out[qa] += c;
            continue;
        }
        for (int q = qa; q <= qb; q++) {
            /* the end bins reach to infinity: values beyond the axis land in them */
            double a = q == 0 ? -INFINITY : q, b = q == nb - 1 ? INFINITY : q + 1;
            double ov = (t1 < b ? t1 : b) - (t0 > a ? t0 : a);
            if (ov > 0)
                out[q] += c * ov / (t1 - t0);
        }
    }
    return true;
}
