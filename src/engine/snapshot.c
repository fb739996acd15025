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
        {t->clip.layer_share, (size_t)n->n_layers},
        {t->early.best_params, t->early.best_params ? n->n_params : 0},
        {t->early.best_buffers, t->early.best_buffers ? n->n_buffers : 0},
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
    return floats * sizeof(float) + ((size_t)t->split.n_train + (size_t)t->batch_size) * sizeof(int) + sizeof(trainer);
}

void trainer_snapshot_save(const trainer *t, trainer_snapshot *s)
{
    span sp[12];
    int k = float_spans(t, sp);
    size_t floats = 0;
    for (int i = 0; i < k; i++)
        floats += sp[i].n;
    size_t ints = (size_t)t->split.n_train + (size_t)t->batch_size;
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
    memcpy(s->ints, t->order, (size_t)t->split.n_train * sizeof(int));
    memcpy(s->ints + t->split.n_train, t->labels, (size_t)t->batch_size * sizeof(int));
    s->scalars = *t;
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
    memcpy(t->order, s->ints, (size_t)t->split.n_train * sizeof(int));
    memcpy(t->labels, s->ints + t->split.n_train, (size_t)t->batch_size * sizeof(int));
    const trainer *c = &s->scalars;
    /* The scalar state; every pointer in t stays t's own. */
    t->shuffle_rng = c->shuffle_rng;
    t->net.dropout_rng = c->net.dropout_rng;
    t->net.train.rows = c->net.train.rows;
    t->opt.t = c->opt.t;
    t->opt.gnorm = c->opt.gnorm;
    t->next_phase = c->next_phase;
    t->next_layer = c->next_layer;
    t->epoch = c->epoch;
    t->batch = c->batch;
    t->step = c->step;
    t->micro = c->micro;
    t->loss = c->loss;
    t->lr = c->lr;
    t->epoch_loss_sum = c->epoch_loss_sum;
    t->epoch_seen = c->epoch_seen;
    t->epoch_correct = c->epoch_correct;
    t->last_epoch = c->last_epoch;
    t->clip.norm_before = c->clip.norm_before;
    t->clip.norm_after = c->clip.norm_after;
    t->clip.factor = c->clip.factor;
    t->clip.clipped = c->clip.clipped;
    t->div = c->div;
    t->early.best_val_loss = c->early.best_val_loss;
    t->early.best_epoch = c->early.best_epoch;
    t->early.epochs_since_best = c->early.epochs_since_best;
    t->early.stopped = c->early.stopped;
    t->early.restored_val_loss = c->early.restored_val_loss;
    t->early.restored_val_acc = c->early.restored_val_acc;
    /* Not restored: settings the learner may change while stepping (the learning rate,
     * clipping on or off, epochs): stepping back keeps the learner's current choices. */
}

void trainer_snapshot_free(trainer_snapshot *s)
{
    free(s->floats);
    free(s->ints);
    memset(s, 0, sizeof *s);
}
