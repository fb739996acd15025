#include "session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/xalloc.h"
#include "dist.h"
#include "plane.h"
#include "samples.h"

static const char *const buffer_names[BUF_COUNT] = {"input", "z", "a", "dL/da", "dL/dz", "W", "dL/dW", "b", "dL/db",
                                                    "optimizer state"};

const char *buffer_name(inspect_buffer b) { return (b >= 0 && b < BUF_COUNT) ? buffer_names[b] : "?"; }

static void histories_reset(session *s)
{
    s->n_steps = 0;
    s->n_epochs = 0;
    memset(s->grad_hist, 0, (size_t)s->t.net.n_layers * GRAD_HISTORY * sizeof(float));
}

int session_start(session *s, const experiment *x, ds_error *err)
{
    memset(s, 0, sizeof *s);
    s->cfg = *x;
    s->data = xcalloc(1, sizeof *s->data);
    if (experiment_data_load(&s->cfg, s->data, err) != 0) {
        free(s->data);
        s->data = NULL;
        return -1;
    }
    if (experiment_trainer_create(&s->t, &s->cfg, s->data, 0, 0, 0, err) != 0) {
        experiment_data_free(s->data);
        free(s->data);
        s->data = NULL;
        return -1;
    }
    s->active = true;
    trainer_snapshot_save(&s->t, &s->initial);
    trainer_snapshot_save(&s->t, &s->origin);
    s->origin_cfg = s->t.cfg;
    size_t bytes = trainer_snapshot_bytes(&s->t);
    s->ring_cap = (int)(SNAPSHOT_BUDGET / (bytes ? bytes : 1));
    s->ring_cap = s->ring_cap < 2 ? 2 : (s->ring_cap > 64 ? 64 : s->ring_cap);
    s->ring = xcalloc((size_t)s->ring_cap, sizeof *s->ring);
    s->grad_hist = xcalloc((size_t)s->t.net.n_layers * GRAD_HISTORY, sizeof(float));
    s->buf = BUF_A;
    s->speed = 2;
    s->edit_param = -1;
    s->ens_members = x->train.ensemble > 1 ? x->train.ensemble : 1;
    s->ens_acc = s->ens_test_acc = NAN;
    return 0;
}

void session_free(session *s)
{
    if (!s->active)
        return;
    trainer_destroy(&s->t);
    experiment_data_free(s->data);
    free(s->data);
    trainer_snapshot_free(&s->initial);
    trainer_snapshot_free(&s->origin);
    for (int i = 0; i < s->ring_cap; i++)
        trainer_snapshot_free(&s->ring[i]);
    free(s->ring);
    free(s->step_loss);
    free(s->epochs);
    free(s->grad_hist);
    plane_free(s->plane);
    samples_free(s->samples);
    dist_free(s->dist);
    memset(s, 0, sizeof *s);
}

void session_reset(session *s)
{
    /* the very start, with the lesson's settings: "back to the start" also undoes a weight
     * edit (it used to go back to the edit, with histories emptied as if at step 0) */
    trainer_snapshot_restore(&s->t, &s->origin);
    s->t.cfg = s->origin_cfg;
    trainer_snapshot_save(&s->t, &s->initial);
    s->ring_n = s->ring_next = 0;
    s->has_last = false;
    s->running = false;
    s->edit_param = -1; /* the edit is undone */
    histories_reset(s);
    s->ens_done = false;
    s->ens_acc = s->ens_test_acc = NAN;
}

bool session_finish_ensemble(session *s)
{
    if (s->ens_members <= 1 || s->ens_done || !trainer_done(&s->t) || s->t.state.div.happened)
        return false;
    /* members in the order `run` trains and adds them, so the figure is run's to the bit */
    ensemble_score es = {0};
    int K = s->ens_members;
    ensemble_add(&es, &s->t, s->data, K);
    s->ens_member_acc[0] = s->t.state.last_epoch.val_acc;
    s->ens_member_test_acc = s->t.state.early.stopped ? s->t.state.early.restored_test_acc : s->t.state.last_epoch.test_acc;
    for (int k = 1; k < K; k++) {
        trainer m;
        ds_error err = {0};
        if (experiment_trainer_create(&m, &s->cfg, s->data, k, 0, 0, &err) != 0)
            break; /* member 0 was made from the same config and data: cannot happen */
        while (!trainer_done(&m))
            trainer_step(&m, STEP_EPOCH);
        if (!m.state.div.happened)
            ensemble_add(&es, &m, s->data, K);
        if (k < ENSEMBLE_SHOWN)
            s->ens_member_acc[k] = m.state.div.happened ? NAN : m.state.last_epoch.val_acc;
        trainer_destroy(&m);
    }
    s->ens_acc = ensemble_accuracy(&es);
    s->ens_test_acc = ensemble_test_accuracy(&es);
    ensemble_free(&es);
    s->ens_done = true;
    return true;
}

/* Room for `steps` losses and `epochs` epoch rows: every write below is within capacity. */
static void reserve_histories(session *s, long steps, int epochs)
{
    if (steps > s->cap_steps) {
        while (steps > s->cap_steps)
            s->cap_steps = s->cap_steps ? 2 * s->cap_steps : 1024;
        s->step_loss = xrealloc(s->step_loss, (size_t)s->cap_steps, sizeof(float));
    }
    if (epochs > s->cap_epochs) {
        while (epochs > s->cap_epochs)
            s->cap_epochs = s->cap_epochs ? 2 * s->cap_epochs : 64;
        s->epochs = xrealloc(s->epochs, (size_t)s->cap_epochs, sizeof(epoch_metrics));
    }
}

static void record(session *s, const trainer_event *ev)
{
    trainer *t = &s->t;
    if (ev->phase == PHASE_END_BATCH) {
        reserve_histories(s, s->n_steps + 1, s->n_epochs);
        s->step_loss[s->n_steps++] = (float)t->state.loss;
        int slot = (int)((t->state.step - 1) % GRAD_HISTORY);
        for (int i = 0; i < t->net.n_layers; i++)
            s->grad_hist[(size_t)i * GRAD_HISTORY + slot] = t->stats[i].grad_norm;
        dist_record(s);
    } else if (ev->phase == PHASE_END_EPOCH) {
        reserve_histories(s, s->n_steps, s->n_epochs + 1);
        s->epochs[s->n_epochs++] = t->state.last_epoch;
        samples_epoch_end(s);
    }
}

/* A snapshot at each batch start, before its first micro-step. */
static void maybe_snapshot(session *s)
{
    trainer *t = &s->t;
    if (t->state.next_phase != PHASE_LOAD_BATCH || t->state.micro == 0)
        return;
    /* Running at full speed, one snapshot per SNAPSHOT_RUNNING_S of training: copying the
     * net at every batch cost a fifth of the training time (lesson 06), and a step back then
     * replays at most that long. */
    double now = mono_seconds();
    if (s->running && s->speed >= SPEED_MAX && now - s->last_snapshot_s < SNAPSHOT_RUNNING_S)
        return;
    s->last_snapshot_s = now;
    int newest = (s->ring_next + s->ring_cap - 1) % s->ring_cap;
    if (s->ring_n > 0 && s->ring[newest].state.micro == t->state.micro)
        return;
    trainer_snapshot_save(t, &s->ring[s->ring_next]);
    s->ring_next = (s->ring_next + 1) % s->ring_cap;
    if (s->ring_n < s->ring_cap)
        s->ring_n++;
}

static trainer_event step_micro(session *s)
{
    maybe_snapshot(s);
    trainer_event ev = trainer_step(&s->t, STEP_MICRO);
    s->last = ev;
    s->has_last = true;
    record(s, &ev);
    return ev;
}

trainer_event session_step(session *s, step_size size)
{
    trainer_event ev = s->last;
    s->held = false;
    while (!trainer_done(&s->t)) {
        if (s->hold && s->hold(s->hold_ctx, s)) {
            s->held = true;
            break;
        }
        ev = step_micro(s);
        if (size == STEP_MICRO || ev.diverged || (size == STEP_BATCH && ev.phase == PHASE_END_BATCH) ||
            (size == STEP_EPOCH && ev.phase == PHASE_END_EPOCH))
            break;
    }
    return ev;
}

bool session_back(session *s)
{
    trainer *t = &s->t;
    if (t->state.micro <= s->initial.state.micro && !t->state.div.happened) /* the start, or the last edit */
        return false;
    /* the micro-step that diverged was not counted: one back is the state just before it */
    long target = t->state.div.happened ? t->state.micro : t->state.micro - 1;
    const trainer_snapshot *best = &s->initial;
    for (int i = 0; i < s->ring_n; i++) {
        const trainer_snapshot *c = &s->ring[i];
        if (c->state.micro <= target && c->state.micro > best->state.micro)
            best = c;
    }
    trainer_snapshot_restore(t, best);
    /* histories back to the snapshot, then rebuilt by the replay */
    reserve_histories(s, t->state.step, t->state.epoch);
    s->n_steps = t->state.step;
    s->n_epochs = t->state.epoch;
    s->has_last = false;
    while (t->state.micro < target)
        step_micro(s);
    return true;
}

const float *session_buffer(const session *s, inspect_buffer b, int *rows, int *cols)
{
    const trainer *t = &s->t;
    const net *n = &t->net;
    const layer *L = &n->layers[s->layer];
    const workspace *ws = &n->train;
    int r = ws->rows, o = L->n_out;
    *rows = r;
    *cols = o;
    switch (b) {
    case BUF_INPUT:
        *cols = L->n_in;
        return net_layer_input(n, ws, s->layer);
    case BUF_Z: return ws->z[s->layer];
    case BUF_A: return ws->a[s->layer];
    case BUF_DA: return ws->da[s->layer];
    case BUF_DZ: return ws->dz[s->layer];
    case BUF_W:
    case BUF_DW:
        if (!L->n_weights)
            return NULL;
        *rows = L->kind == LAYER_DENSE ? o : 1;
        *cols = L->kind == LAYER_DENSE ? L->n_in : o;
        return b == BUF_W ? L->W : L->dW;
    case BUF_B:
    case BUF_DB:
        if (!L->n_params)
            return NULL;
        *rows = 1;
        return b == BUF_B ? L->b : L->db;
    case BUF_STATE:
        if (!t->opt.s1 || !L->n_weights)
            return NULL;
        *rows = L->kind == LAYER_DENSE ? o : 1;
        *cols = L->kind == LAYER_DENSE ? L->n_in : o;
        return t->opt.s1 + L->param_off;
    default:
        return NULL;
    }
}

long session_selected_param(const session *s)
{
    const layer *L = &s->t.net.layers[s->layer];
    if (!L->n_params)
        return -1;
    int rows, cols;
    if (!session_buffer(s, s->buf, &rows, &cols))
        return -1;
    switch (s->buf) {
    case BUF_W:
    case BUF_DW:
    case BUF_STATE:
        return (long)L->param_off + (long)s->row * cols + s->col;
    case BUF_B:
    case BUF_DB:
        return (long)(L->param_off + L->n_weights) + s->col;
    default:
        return -1;
    }
}

void session_clamp_selection(session *s)
{
    int n_layers = s->t.net.n_layers;
    s->layer = s->layer < 0 ? 0 : (s->layer >= n_layers ? n_layers - 1 : s->layer);
    int rows, cols;
    if (!session_buffer(s, s->buf, &rows, &cols))
        rows = cols = 1;
    if (rows < 1)
        rows = 1;
    if (cols < 1)
        cols = 1;
    s->row = s->row < 0 ? 0 : (s->row >= rows ? rows - 1 : s->row);
    s->col = s->col < 0 ? 0 : (s->col >= cols ? cols - 1 : s->col);
}

void session_set_param(session *s, long j, float value)
{
    if (j < 0 || (size_t)j >= s->t.net.n_params)
        return;
    s->edit_param = j, s->edit_from = s->t.net.params[j], s->edit_micro = s->t.state.micro;
    trainer_set_param(&s->t, (size_t)j, value); /* with master weights, the fp32 copy too */
    /* The past no longer leads here: make this moment the new beginning for stepping back. */
    trainer_snapshot_save(&s->t, &s->initial);
    s->ring_n = s->ring_next = 0;
    s->ens_done = false; /* the ensemble's first member is another net now */
    s->ens_acc = s->ens_test_acc = NAN;
}

size_t index_of_largest(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        if (fabsf(v[k]) > fabsf(v[best]))
            best = k;
    return best;
}
