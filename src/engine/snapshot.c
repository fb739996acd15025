/* snapshot.c - save and restore a trainer's changing state, for stepping back. */
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "trainer.h"

/* The float arrays of a trainer, in a fixed order; NULL entries are skipped. */
typedef struct span {
    float *p;
    size_t n;
} span;

static int float_spans(const trainer *t, span out[12])
{
    const net *n = &t->net;
    size_t stats_floats = (size_t)n->n_layers * sizeof(layer_stats) / sizeof(float);
    span all[] = {
        {n->params, n->n_params},
        {n->params_prev, n->n_params},
        {n->grads, n->n_params},
        {t->opt.s1, t->opt.s1 ? t->opt.n : 0},
        {t->opt.s2, t->opt.s2 ? t->opt.n : 0},
        {n->buffers, n->n_buffers},
        {n->train.block, n->train.block_floats},
        {(float *)t->stats, stats_floats},
        {t->clip_share, (size_t)n->n_layers},
        {t->best_params, t->best_params ? n->n_params : 0},
        {t->best_buffers, t->best_buffers ? n->n_buffers : 0},
        {t->master, t->master ? 2 * n->n_params : 0}, /* master=fp32: fp32 copy + previous */
    };
    int k = 0;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i].p && all[i].n)
            out[k++] = all[i];
    return k;
}

size_t trainer_snapshot_bytes(const trainer *t)
{
    span sp[12];
    int k = float_spans(t, sp);
    size_t floats = 0;
    for (int i = 0; i < k; i++)
        floats += sp[i].n;
    size_t ints = (size_t)t->split->n_train + (size_t)t->batch_size;
    return floats * sizeof(float) + ints * sizeof(int) + sizeof(trainer_snapshot);
}

void trainer_snapshot_save(const trainer *t, trainer_snapshot *s)
{
    span sp[12];
    int k = float_spans(t, sp);
    size_t floats = 0;
    for (int i = 0; i < k; i++)
        floats += sp[i].n;
    size_t ints = (size_t)t->split->n_train + (size_t)t->batch_size;
    if (s->n_floats != floats || s->n_ints != ints) {
        free(s->floats);
        free(s->ints);
        s->floats = xcalloc(floats, sizeof(float));
        s->ints = xcalloc(ints, sizeof(int));
        s->n_floats = floats;
        s->n_ints = ints;
    }
    float *p = s->floats;
    for (int i = 0; i < k; i++) {
        memcpy(p, sp[i].p, sp[i].n * sizeof(float));
        p += sp[i].n;
    }
    memcpy(s->ints, t->order, (size_t)t->split->n_train * sizeof(int));
    memcpy(s->ints + t->split->n_train, t->labels, (size_t)t->batch_size * sizeof(int));
    s->state = t->state;
    s->dropout_rng = t->net.dropout_rng;
    s->rows = t->net.train.rows;
    s->opt_t = t->opt.t;
    s->opt_gnorm = t->opt.gnorm;
}

void trainer_snapshot_restore(trainer *t, const trainer_snapshot *s)
{
    span sp[12];
    int k = float_spans(t, sp);
    const float *p = s->floats;
    for (int i = 0; i < k; i++) {
        memcpy(sp[i].p, p, sp[i].n * sizeof(float));
        p += sp[i].n;
    }
    memcpy(t->order, s->ints, (size_t)t->split->n_train * sizeof(int));
    memcpy(t->labels, s->ints + t->split->n_train, (size_t)t->batch_size * sizeof(int));
    t->state = s->state;
    /* The scalars that change while training but belong to the net and the optimizer. */
    t->net.dropout_rng = s->dropout_rng;
    t->net.train.rows = s->rows;
    t->opt.t = s->opt_t;
    t->opt.gnorm = s->opt_gnorm;
    /* Not restored: settings the learner may change while stepping (the learning rate,
     * clipping on or off, epochs): stepping back keeps the learner's current choices. */
}

void trainer_snapshot_free(trainer_snapshot *s)
{
    free(s->floats);
    free(s->ints);
    memset(s, 0, sizeof *s);
}
