/* trainer.h - the stepper: training as a state machine whose cursor is
 * (epoch, batch, phase, layer). trainer_step() advances it by one micro-step, one batch or
 * one epoch and returns an event saying what just happened. The UI and `deepstep run`
 * drive this same stepper; full training is the stepper run to the end.
 *
 * One batch, in micro-steps:
 *   load batch -> forward 0..L-1 -> loss -> backward L-1..0 -> [clip] -> update 0..L-1
 *   -> end of batch -> (after the last batch) end of epoch: validation, next lr.
 */
#ifndef DS_TRAINER_H
#define DS_TRAINER_H

#include <stdbool.h>

#include "../data/dataset.h"
#include "net.h"
#include "optim.h"
#include "stats.h"
#include "train_config.h"

typedef enum trainer_phase {
    PHASE_LOAD_BATCH, PHASE_FORWARD, PHASE_LOSS, PHASE_BACKWARD, PHASE_CLIP, PHASE_UPDATE,
    PHASE_END_BATCH, PHASE_END_EPOCH, PHASE_DONE, PHASE_COUNT
} trainer_phase;

typedef enum step_size { STEP_MICRO, STEP_BATCH, STEP_EPOCH } step_size;

/* What a micro-step wrote (event.touched). */
enum {
    TOUCH_INPUT = 1 << 0, TOUCH_Z = 1 << 1, TOUCH_A = 1 << 2, TOUCH_LOSS = 1 << 3, TOUCH_DA = 1 << 4,
    TOUCH_DZ = 1 << 5, TOUCH_GRADS = 1 << 6, TOUCH_PARAMS = 1 << 7, TOUCH_OPT_STATE = 1 << 8,
    TOUCH_METRICS = 1 << 9
};

typedef struct trainer_event {
    trainer_phase phase;
    int layer;      /* -1 when the phase is not about one layer */
    long step;      /* optimizer updates completed */
    int epoch;      /* 1-based */
    int batch;      /* 1-based within the epoch */
    unsigned touched;
    double loss;    /* loss of the current batch (before its update) */
    float lr;
    bool diverged;  /* this micro-step produced the first NaN/Inf: training stopped */
} trainer_event;

typedef struct divergence {
    bool happened;
    long step;
    int epoch, batch, layer;
    trainer_phase phase;
    char what[16];  /* which buffer: "z", "a", "loss", "dL/dz", "dW", "W", ... */
    long row, col;  /* element (row -1 for parameters' flat index in col) */
    float value;
    char message[512];
} divergence;

typedef struct epoch_metrics {
    int epoch; /* 1-based */
    double train_loss, train_acc, val_loss, val_acc;
    double test_loss, test_acc; /* NaN without a test split; only shown, never used */
    bool has_val;
    float lr;  /* the lr used during this epoch */
} epoch_metrics;

typedef struct early_stop_state {
    double best_val_loss;
    int best_epoch;        /* 1-based; 0 before the first evaluation */
    int epochs_since_best;
    bool stopped;          /* stopped early; the best weights were restored */
    double restored_val_loss, restored_val_acc; /* measured again after restoring */
    double restored_test_loss, restored_test_acc;
} early_stop_state;

typedef struct clip_info {
    double norm_before, norm_after, factor; /* factor 1 when nothing was clipped */
    long clipped;                           /* elements clamped (value mode) */
} clip_info;

/* Everything about one parameter at the last update (the inspector's "whole story"). */
typedef struct param_story {
    int layer;
    double before, after, grad; /* w before and after the update, its gradient (after clipping);
                                   with master weights w is the fp32 copy the optimizer updates */
    double delta;               /* after - before: the effective step */
    double step_over_lr_grad;   /* delta / (lr * grad): -1 for plain SGD; NaN when grad is 0 */
    double lr;
    const char *state_name[2];  /* optimizer state names, NULL when unused */
    double state[2];            /* their values (velocity; accumulator; m, v) */
    double m_hat, v_hat;        /* adam/adamw bias-corrected moments */
    double stored_before, stored_after; /* the weight the net computes with: before and after
                                   with master weights, their rounding to the precision */
    bool master;                /* before/after are the fp32 master copy */
} param_story;

/* Every scalar that changes while training, and nothing else: no pointers, no settings. A
 * snapshot copies it whole and restoring one is one assignment (beside the arrays, and the
 * four scalars that live in the net and the optimizer: see trainer_snapshot). */
typedef struct trainer_state {
    /* cursor: the next micro-step to run */
    trainer_phase next_phase;
    int next_layer;
    int epoch, batch; /* 0-based, of the batch in progress */
    long step;        /* updates completed */
    long micro;       /* micro-steps completed (the stepper's position, for stepping back) */
    double loss;
    float lr;
    double epoch_loss_sum;
    long epoch_seen, epoch_correct;
    epoch_metrics last_epoch;
    clip_info clip;
    divergence div;
    early_stop_state early;
    rng shuffle_rng;
    bool unscaled;    /* this step's gradients have had the loss scale divided out */
} trainer_state;

typedef struct trainer {
    train_config cfg;    /* a copy: the UI changes its lr and clipping while stepping */
    const dataset *data; /* borrowed, never freed or written here: normalised by its owner */
    const split *split;  /* borrowed likewise: training and validation rows of data */
    net net;
    optimizer opt;
    int batch_size, batches_per_epoch, epochs;
    long max_steps;  /* stop after this many updates; 0 = no limit */
    trainer_state state;
    /* arrays that change while training, beside the net's and the optimizer's */
    int *order;      /* (n_train) row order of this epoch */
    int *labels;     /* (batch_size) labels of the current batch */
    int *eval_labels;
    layer_stats *stats;  /* (n_layers) */
    float *clip_share;   /* (n_layers) layer's share of state.clip.norm_before^2, sums to 1 */
    float *best_params, *best_buffers; /* early stopping's best weights and buffers, or NULL */
    float *master;   /* (2 n_params) master=fp32: the fp32 weights the updates go to (net.params
                        holds their rounding to the precision), then their values before the
                        last update (master_prev points there). NULL otherwise */
    float *master_prev;
    bool no_stats;   /* skip the per-layer statistics (benchmarks measure what they cost) */
} trainer;

/* Round the parameters to cfg.precision (after loading weights). With master weights the
 * values in net.params become the fp32 master copy first, then are rounded. */
void trainer_apply_precision(trainer *t);
/* Set flat parameter j (0 <= j < net.n_params) to v as the learner typed it: the master copy
 * (if any) takes v, the net's copy its rounding to the precision. */
void trainer_set_param(trainer *t, size_t j, float v);

/* Precision (cfg.precision, a lesson's `precision = bf16 | fp16`): values are rounded to the
 * format where they are stored. Weights when initialised or loaded; each batch's inputs; z,
 * x_hat and a after each layer's forward; the loss gradient (times loss_scale); dL/da when a layer's
 * backward uses it, dL/dz, and dW, db after each layer's backward; weights and optimizer state
 * after each update. Arithmetic inside one operation (dot products, sums) runs in fp32, as
 * fp16 hardware accumulates in fp32. The loss scale is divided out of the gradients in fp32
 * before clipping and the update (as torch's GradScaler unscales), so the optimizer sees true
 * gradients. Counted per layer and step: gradients that underflowed to 0, and weights whose
 * update was lost to rounding (w + dw rounds back to w although dw != 0).
 *
 * Master weights (cfg.master_fp32, `precision = bf16 master=fp32`), as mixed-precision training
 * does: the optimizer updates an fp32 copy of the weights (t->master) and keeps its state in
 * fp32; net.params, which the forward and backward passes use, is that copy rounded to the
 * precision after every update. An update smaller than half the format's ulp changes the
 * master copy, so it is kept, and reaches the net's copy once enough of them have added up.
 * Nothing is lost to the format, so lost_updates is 0 (fp32's own rounding is not counted,
 * as in an fp32 run). */

/* Builds and initialises the net for data (split and normalised by the caller, see
 * dataset_prepare; both borrowed, so they must outlive t, and shared by any number of
 * trainers). epochs_override/max_steps 0 = from cfg / none. Member k of an ensemble draws its
 * weights, order and dropout masks from cfg->seed + k; the data, its split and normalisation
 * always come from seed, so members see the same rows. Returns 0, or one of the codes below
 * with err->msg saying why and err->file "": the engine knows no lesson lines, its caller
 * maps them (experiment_trainer_create). On failure t owns nothing. */
enum {
    TRAINER_BAD_LAYER = -1, /* the net cannot be built: err->line is the 1-based layer, 0 if none */
    TRAINER_BAD_DATA = -2   /* no training rows */
};
int trainer_create(trainer *t, const train_config *cfg, const dataset *data, const split *sp, int member,
                   int epochs_override, long max_steps, ds_error *err);
void trainer_destroy(trainer *t);

trainer_event trainer_step(trainer *t, step_size size);
bool trainer_done(const trainer *t);

/* The row orders of the next `epochs` epochs, as positions 0..n_train-1 in split->train:
 * out (epochs, n_train). Drawn from a copy of the trainer's shuffle generator, exactly as
 * do_load_batch will draw them (each epoch shuffles split->train afresh, the generator going
 * on), so nothing changes in t. Without shuffle every epoch is 0..n_train-1. Call it before
 * the first batch: `deepstep export` writes them for a script that trains the same batches. */
void trainer_epoch_orders(const trainer *t, int epochs, int *out);
/* The learning rate of the schedule at (step, epoch), 0-based. */
float trainer_lr_at(const trainer *t, long step, int epoch);
/* Predicted probabilities (rows, K) for the given rows in eval mode: softmax of the logits
 * for cross_entropy, sigmoid for bce, the outputs themselves for mse. */
void trainer_predict(trainer *t, const int *rows, int n_rows, float *probs);
/* The same for inputs already normalised, x (n_rows, n_in) (a grid over the input plane):
 * probs (n_rows, K) by trainer_predict's rule when not NULL, and when layer_a is not NULL the
 * activations a of layer li (n_rows, that layer's width). */
void trainer_eval_inputs(trainer *t, const float *x, int n_rows, float *probs, int li, float *layer_a);
/* Mean loss and accuracy over the given rows, in the eval workspace (train state untouched). */
void trainer_evaluate(trainer *t, const int *rows, int n_rows, double *loss, double *acc);

const char *phase_name(trainer_phase p);

/* The story of flat parameter j (0 <= j < net.n_params). */
param_story trainer_param_story(const trainer *t, size_t j);

/* ---- snapshots: stepping back --------------------------------------------------------
 * A snapshot holds everything that changes while training (cursor, parameters, gradients,
 * optimizer and batchnorm state, random generators, statistics and the training workspace),
 * so restoring one and stepping forward reproduces the same numbers bit for bit. */
typedef struct trainer_snapshot {
    trainer_state state;
    rng dropout_rng;     /* the net's */
    int rows;            /* rows in the training batch (net.train.rows) */
    long opt_t;          /* the optimizer's step count and last gradient norm */
    double opt_gnorm;
    float *floats;       /* params, params_prev, grads, s1, s2, buffers, workspace, stats, shares, early best */
    int *ints;           /* order, labels */
    size_t n_floats, n_ints;
} trainer_snapshot;

size_t trainer_snapshot_bytes(const trainer *t);
void trainer_snapshot_save(const trainer *t, trainer_snapshot *s);
void trainer_snapshot_restore(trainer *t, const trainer_snapshot *s);
void trainer_snapshot_free(trainer_snapshot *s);

#endif
