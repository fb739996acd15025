/* samples.c - the model side of the Data panel's image views: which dataset row a batch row
 * is, the net's prediction for it, the validation confusion matrix and worst examples taken
 * at each epoch's end, and the first-layer weights. */
#include "samples.h"

#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../engine/act.h"
#include "../engine/loss.h"

/* What one epoch's end measured: kept for every finished epoch (K*K counts and the wrong
 * rows), so a step back shows the matrix of the last epoch that ended before it, as going
 * forwards to the same point does. */
typedef struct epoch_record {
    bool has;            /* taken (false: no validation rows, or the net does not classify) */
    long micro;          /* the trainer's micro-step count when it was */
    int epoch;           /* 1-based epoch it belongs to */
    int classes;
    long *counts;        /* (classes, classes) */
    long n, correct;
    double val_acc;
    bool restored;
    int best_epoch;
    worst_example *worst;
    int n_worst;
} epoch_record;

struct sample_cache {
    epoch_record *rec;   /* [epoch - 1] */
    int cap_rec;
    float *probs;        /* (eval cap, K) scratch */
    size_t cap_probs;
};

int samples_classes(const session *s)
{
    const net *n = &s->t.net;
    int K = n->layers[n->n_layers - 1].n_out;
    return K == 1 && n->loss == LOSS_BCE ? 2 : K;
}

/* ---- the training batch ------------------------------------------------------------ */

int samples_batch_rows(const session *s)
{
    return s->t.state.micro > 0 ? s->t.net.train.rows : 0;
}

/* The batch in the workspace, 0-based within the order of its epoch. The cursor names the
 * next micro-step: after a batch's end it already points at the next batch (not loaded
 * yet), and after an epoch's end at batch 0 of the next epoch, whose order is shuffled only
 * when that batch loads, so t->order still holds the finished epoch's. */
static int loaded_batch(const trainer *t)
{
    const trainer_state *st = &t->state;
    if (st->next_phase == PHASE_LOAD_BATCH)
        return st->batch == 0 ? t->batches_per_epoch - 1 : st->batch - 1;
    /* finished: after an epoch's end (every update of the finished epochs done, the batch
     * reset to 0) or after a batch's end when a step budget ran out, or a divergence mid-batch */
    if (st->next_phase == PHASE_DONE && !st->div.happened && st->batch == 0 &&
        st->step == (long)st->epoch * t->batches_per_epoch && st->epoch > 0)
        return t->batches_per_epoch - 1;
    return st->batch;
}

int samples_batch_data_row(const session *s, int r)
{
    const trainer *t = &s->t;
    return t->order[loaded_batch(t) * t->batch_size + r];
}

/* Has the last layer's forward run on the batch in the workspace? The cursor is past it
 * everywhere except at the load (before any forward) and among the forward passes. */
static bool output_ready(const trainer *t)
{
    trainer_phase p = t->state.next_phase;
    if (t->state.micro == 0 || t->net.train.rows == 0)
        return false;
    if (p == PHASE_FORWARD)
        return false;
    if (p == PHASE_DONE && t->state.div.happened) /* diverged mid-forward: the output is not there */
        return t->state.div.phase != PHASE_LOAD_BATCH && t->state.div.phase != PHASE_FORWARD;
    return true;
}

/* Probabilities from the last layer's z and a, by the same calls as trainer_predict, so the
 * numbers equal what the evaluation computes from the same logits. */
static void row_probs(const net *n, const float *z, const float *a, float *probs)
{
    int last = n->n_layers - 1, K = n->layers[last].n_out;
    if (n->loss == LOSS_CROSS_ENTROPY)
        act_forward(ACT_SOFTMAX, probs, z, 1, K);
    else if (n->loss == LOSS_BCE)
        act_forward(ACT_SIGMOID, probs, z, 1, K);
    else
        memcpy(probs, a, (size_t)K * sizeof(float));
    if (K == 1 && n->loss == LOSS_BCE) /* one output: the two classes' probabilities */
        probs[1] = probs[0], probs[0] = 1.0f - probs[1];
}

bool samples_batch_probs(const session *s, int r, float *probs, int *pred)
{
    const trainer *t = &s->t;
    const net *n = &t->net;
    if (!output_ready(t) || r < 0 || r >= n->train.rows)
        return false;
    int last = n->n_layers - 1, K = n->layers[last].n_out;
    const float *z = n->train.z[last] + (size_t)r * K, *a = n->train.a[last] + (size_t)r * K;
    row_probs(n, z, a, probs);
    *pred = loss_predict(n->loss, n->layers[last].act, z, a, K);
    return true;
}

void samples_row_values(const session *s, int row, float *out)
{
    const dataset *d = s->t.data;
    size_t off = (size_t)row * d->d;
    for (int j = 0; j < d->d; j++)
        out[j] = d->raw_u8 ? (float)d->raw_u8[off + j] : d->raw_f32[off + j];
}

/* ---- the confusion matrix and the worst examples ------------------------------------ */

static int worst_cmp(const void *pa, const void *pb)
{
    const worst_example *a = pa, *b = pb;
    if (a->p_pred != b->p_pred)
        return a->p_pred > b->p_pred ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

static sample_cache *cache_of(session *s)
{
    if (!s->samples)
        s->samples = xcalloc(1, sizeof(sample_cache));
    return s->samples;
}

/* The record for epoch e (1-based), grown on demand. */
static epoch_record *record_of(sample_cache *c, int e)
{
    if (e > c->cap_rec) {
        int cap = c->cap_rec ? c->cap_rec : 16;
        while (cap < e)
            cap *= 2;
        c->rec = xrealloc(c->rec, (size_t)cap, sizeof *c->rec);
        memset(c->rec + c->cap_rec, 0, (size_t)(cap - c->cap_rec) * sizeof *c->rec);
        c->cap_rec = cap;
    }
    return &c->rec[e - 1];
}

void samples_epoch_end(session *s)
{
    trainer *t = &s->t;
    net *n = &t->net;
    const split *sp = t->split;
    if (s->n_epochs == 0)
        return;
    sample_cache *c = cache_of(s);
    /* the epoch that just ended; a replay after a step back overwrites it with the same */
    epoch_record *rec = record_of(c, s->n_epochs);
    rec->has = false;
    if (!data_classifies(s) || sp->n_val == 0)
        return;
    int last = n->n_layers - 1, K = n->layers[last].n_out, C = samples_classes(s);
    if (rec->classes != C || !rec->counts)
        rec->counts = xrealloc(rec->counts, (size_t)C * C, sizeof(long));
    rec->classes = C;
    memset(rec->counts, 0, (size_t)C * C * sizeof(long));
    int cap = n->eval.cap, wrong_cap = 0;
    if (c->cap_probs < (size_t)cap * K) {
        c->cap_probs = (size_t)cap * K;
        c->probs = xrealloc(c->probs, c->cap_probs, sizeof(float));
    }
    rec->n = sp->n_val;
    rec->correct = 0;
    rec->n_worst = 0;
    free(rec->worst); /* sized to this epoch's mistakes below */
    rec->worst = NULL;
    /* In chunks the eval workspace holds whole, so after trainer_predict its z and a are these
     * rows' and the class is the engine's own rule (loss_predict), as the accuracy counts it. */
    for (int start = 0; start < sp->n_val; start += cap) {
        int m = sp->n_val - start < cap ? sp->n_val - start : cap;
        trainer_predict(t, sp->val + start, m, c->probs);
        for (int r = 0; r < m; r++) {
            const float *z = n->eval.z[last] + (size_t)r * K, *a = n->eval.a[last] + (size_t)r * K;
            const float *p = c->probs + (size_t)r * K;
            int row = sp->val[start + r], truth = t->data->labels[row];
            int pred = loss_predict(n->loss, n->layers[last].act, z, a, K);
            if (truth < 0 || truth >= C || pred < 0 || pred >= C)
                continue;
            rec->counts[(size_t)truth * C + pred]++;
            if (pred == truth) {
                rec->correct++;
                continue;
            }
            if (rec->n_worst == wrong_cap) {
                wrong_cap = wrong_cap ? 2 * wrong_cap : 64;
                rec->worst = xrealloc(rec->worst, (size_t)wrong_cap, sizeof(worst_example));
            }
            worst_example *w = &rec->worst[rec->n_worst++];
            w->row = row, w->truth = truth, w->pred = pred;
            if (C == 2 && K == 1) /* p is the probability of class 1 */
                w->p_pred = pred ? p[0] : 1.0f - p[0], w->p_truth = truth ? p[0] : 1.0f - p[0];
            else
                w->p_pred = p[pred], w->p_truth = p[truth];
        }
    }
    if (rec->n_worst)
        qsort(rec->worst, (size_t)rec->n_worst, sizeof *rec->worst, worst_cmp);
    const epoch_metrics *em = &s->epochs[s->n_epochs - 1];
    const early_stop_state *es = &t->state.early;
    rec->epoch = em->epoch;
    /* early stopping that stops at this epoch's end has put the best epoch's weights back and
     * measured them again: those are the weights predicted with, so that is the accuracy */
    rec->restored = es->stopped;
    rec->best_epoch = es->best_epoch;
    rec->val_acc = es->stopped ? es->restored_val_acc : em->val_acc;
    rec->micro = t->state.micro;
    rec->has = true;
}

/* The record of the last epoch that ended on this run's timeline (s->n_epochs counts them; a
 * step back truncates it and the replay retakes each end it passes), never one taken after
 * where the run now is. */
static const epoch_record *current_record(const session *s)
{
    const sample_cache *c = s->samples;
    int e = s->n_epochs;
    if (!c || e < 1 || e > c->cap_rec)
        return NULL;
    const epoch_record *rec = &c->rec[e - 1];
    if (!rec->has || rec->epoch != e || rec->micro > s->t.state.micro || s->epochs[e - 1].epoch != e)
        return NULL;
    return rec;
}

void samples_update(session *s)
{
    /* Every epoch's end is taken as it happens (samples_epoch_end); which one is shown follows
     * from where the run is, so there is nothing to recompute here. Records past the run's
     * epochs (after a step back or a reset) are kept until their epoch ends again and
     * overwrites them; current_record never reads them. */
    (void)s;
}

bool samples_confusion(const session *s, confusion *out)
{
    memset(out, 0, sizeof *out);
    const epoch_record *c = current_record(s);
    if (!c)
        return false;
    *out = (confusion){c->epoch, c->classes, c->counts, c->n, c->correct, c->val_acc, c->restored,
                       c->best_epoch, c->worst, c->n_worst};
    return true;
}

/* ---- first-layer weights ------------------------------------------------------------ */

int samples_weight_layer(const session *s)
{
    const net *n = &s->t.net;
    for (int i = 0; i < n->n_layers; i++) {
        if (n->layers[i].kind == LAYER_DENSE)
            return n->layers[i].n_in == n->n_in ? i : -1;
        if (n->layers[i].kind != LAYER_DROPOUT) /* a norm in between: W does not see pixels */
            return -1;
    }
    return -1;
}

const float *samples_unit_weights(const session *s, int unit, int *n_in)
{
    int i = samples_weight_layer(s);
    if (i < 0)
        return NULL;
    const layer *L = &s->t.net.layers[i];
    if (unit < 0 || unit >= L->n_out)
        return NULL;
    *n_in = L->n_in;
    return L->W + (size_t)unit * L->n_in;
}

int samples_count(const session *s, data_view v)
{
    confusion cm;
    switch (v) {
    case DV_SAMPLE: return samples_batch_rows(s);
    case DV_CONFUSION: return samples_confusion(s, &cm) ? cm.classes : 0;
    case DV_WORST: return samples_confusion(s, &cm) ? cm.n_worst : 0;
    case DV_WEIGHTS: {
        int i = samples_weight_layer(s);
        return i < 0 ? 0 : s->t.net.layers[i].n_out;
    }
    default: return 0;
    }
}

void samples_free(sample_cache *c)
{
    if (!c)
        return;
    for (int e = 0; e < c->cap_rec; e++)
        free(c->rec[e].counts), free(c->rec[e].worst);
    free(c->rec);
    free(c->probs);
    free(c);
}
