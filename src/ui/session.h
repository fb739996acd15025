/* session.h - one experiment being stepped through in the UI: the trainer, snapshots for
 * stepping back, the histories the charts draw, and what the learner has selected.
 * Plain state: tests drive it without a terminal. */
#ifndef DS_SESSION_H
#define DS_SESSION_H

#include <stdbool.h>

#include "../engine/trainer.h"
#include "../lesson/ensemble.h"
#include "../lesson/experiment_data.h"

typedef enum inspect_buffer {
    BUF_INPUT, BUF_Z, BUF_A, BUF_DA, BUF_DZ, BUF_W, BUF_DW, BUF_B, BUF_DB, BUF_STATE, BUF_COUNT
} inspect_buffer;

#define ENSEMBLE_SHOWN 16    /* members whose own accuracy is kept */
#define GRAD_HISTORY 64       /* steps of gradient-norm history per layer (sparklines) */
#define SNAPSHOT_BUDGET (24u << 20) /* bytes of batch-start snapshots kept for stepping back */
#define SNAPSHOT_RUNNING_S 0.025 /* running at full speed: a snapshot per 25 ms of training */

typedef struct session {
    experiment cfg;
    experiment_data *data;     /* owned; t borrows it (on the heap, so moving a session keeps t's pointers) */
    trainer t;
    bool active;
    trainer_event last;        /* what the last micro-step did */
    bool has_last;
    /* stepping back: a snapshot at every batch start, the latest few kept */
    trainer_snapshot origin;   /* step 0 as the lesson set it up: R goes back here */
    train_config origin_cfg;   /* and to its settings (the learner's [ ] and c are undone) */
    trainer_snapshot initial;  /* the floor for b: step 0, or the last weight edit */
    trainer_snapshot *ring;
    int ring_cap, ring_n, ring_next;
    double last_snapshot_s;    /* when the last one was taken (mono_seconds) */
    /* histories */
    float *step_loss;          /* loss of each optimizer step */
    long n_steps, cap_steps;
    epoch_metrics *epochs;     /* every finished epoch */
    int n_epochs, cap_epochs;
    float *grad_hist;          /* (n_layers, GRAD_HISTORY) gradient norms by step % GRAD_HISTORY */
    /* selection */
    int layer;                 /* selected layer */
    inspect_buffer buf;        /* what the inspector shows */
    int row, col;              /* selected element of that buffer */
    int scroll_row, scroll_col;
    bool heatmap;              /* numbers or a heatmap */
    int data_sel;              /* the Data panel's selection: the batch row of the sample, the
                                * worst example, the first-layer unit whose weights are drawn */
    /* what the net computes (insight.h): caches the model fills for the views, NULL until
     * first needed, each owned and freed by its module */
    struct plane_cache *plane;     /* plane.h: the input plane and the units' maps */
    struct sample_cache *samples;  /* samples.h: confusion matrix, worst examples */
    struct dist_history *dist;     /* dist.h: per-layer histograms over the last steps */
    /* continuous running */
    bool running;
    int speed;                 /* 0 .. SPEED_MAX: micro-steps per frame = 4^speed (SPEED_MAX: as many as fit) */
    /* an ensemble (ensemble = K): the stepped net is member 1; when it finishes, members
     * 2..K train headless on the same data and the averaged prediction is scored, as `run` does */
    int ens_members;           /* K, 1 for a single net */
    bool ens_done;
    double ens_acc;            /* the ensemble's validation accuracy, NaN when not known */
    double ens_member_acc[ENSEMBLE_SHOWN]; /* each member's, for the learner to compare */
    double ens_test_acc, ens_member_test_acc; /* on the test split (NaN without one): the
                                                  ensemble's and member 1's */
    long edit_param;           /* the parameter last set with x, -1 none; until the stepper moves
                                * on (edit_micro), the inspector tells that edit, not the last
                                * update's story, which no longer leads to the value shown */
    float edit_from;
    long edit_micro;
    char gradcheck[320];       /* result of the last 'd' */
    /* Asked before each micro-step session_step takes: true stops it there, untaken, and sets
     * held (the UI's questions, quiz.h, stop a run where a question waits). NULL: never. */
    bool (*hold)(void *ctx, struct session *s);
    void *hold_ctx;
    bool held;                 /* the last session_step stopped at hold */
    /* Tests only: called between the gradient check's backward pass and its comparison, to
     * corrupt a gradient and see the check fail. NULL otherwise. */
    void (*gradcheck_tamper)(net *n);
} session;

#define SPEED_MAX 6

int session_start(session *s, const experiment *x, ds_error *err);
void session_free(session *s);
void session_reset(session *s);
/* One micro-step, batch or epoch forward; keeps snapshots and histories. Stops early, with
 * s->held set, where s->hold says to. */
trainer_event session_step(session *s, step_size size);
/* When the stepped net has finished: trains the ensemble's other members (once) and scores
 * the averaged prediction into ens_acc. Returns true when it trained anything. */
bool session_finish_ensemble(session *s);
/* One micro-step back (restore the nearest snapshot, replay). False at the very start. */
bool session_back(session *s);

/* The selected buffer: pointer, rows and columns (NULL when the layer has none). */
const float *session_buffer(const session *s, inspect_buffer b, int *rows, int *cols);
const char *buffer_name(inspect_buffer b);
/* Flat parameter index of the selected element when the buffer is W, dW, b, db or state; -1 otherwise. */
long session_selected_param(const session *s);
/* Clamp the selection to the buffer's shape after the layer or buffer changed. */
void session_clamp_selection(session *s);

/* Numerical gradient check of the selected layer on the current batch: up to 20 of its
 * parameters (the largest gradients among them), backprop in fp32 against complex-step
 * derivatives of the forward pass in double; leaves the trainer untouched. Writes a one-line
 * summary into s->gradcheck; returns the largest relative error beyond what fp32's rounding
 * explains, which is what fails the check at 1e-2 (NaN when the layer has no parameters, no
 * batch is loaded, or the net holds NaN or Inf). */
double session_gradcheck(session *s);
/* Index of the largest |v[k]| (0 when n is 0): the gradient check includes that parameter,
 * the narration follows it when the learner has chosen none. */
size_t index_of_largest(const float *v, size_t n);
/* Set one parameter (the learner's "what if"); stepping back cannot cross this edit. */
void session_set_param(session *s, long j, float value);

#endif
