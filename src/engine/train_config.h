/* train_config.h - how to train one net: its layers, loss, optimizer, clipping, schedule,
 * budget and precision. Plain values, no pointers, so a copy is the whole config. The lesson
 * parser fills one per ```deepstep block (experiment.train); the engine knows nothing of
 * lessons, their files or their line numbers. */
#ifndef DS_TRAIN_CONFIG_H
#define DS_TRAIN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "../data/dataset.h"
#include "fp.h"
#include "loss.h"
#include "net.h"
#include "optim.h"

typedef enum clip_kind { CLIP_NONE, CLIP_NORM, CLIP_VALUE, CLIP_COUNT } clip_kind;
/* clip_grad_norm_'s guard against a zero norm: coef = max_norm / (norm + CLIP_NORM_EPS) */
#define CLIP_NORM_EPS 1e-6
typedef enum sched_kind { SCHED_CONSTANT, SCHED_EXP, SCHED_STEP, SCHED_COSINE, SCHED_RANGE, SCHED_COUNT } sched_kind;

/* Names of the clip modes ("none", "norm", "value") and schedules ("constant", "exp", "step",
 * "cosine", "range"), one table each in train_config.c. *_parse: 0 and *out set when name is known,
 * -1 otherwise. *_names_list: "none, norm, value", made from the same table. */
const char *clip_name(clip_kind k);
int clip_parse(const char *name, clip_kind *out);
const char *clip_names_list(void);
const char *sched_name(sched_kind k);
int sched_parse(const char *name, sched_kind *out);
const char *sched_names_list(void);

typedef struct train_config {
    layer_spec layers[NET_MAX_LAYERS];
    int n_layers;
    loss_kind loss;
    opt_config opt;
    clip_kind clip;
    float clip_value;
    sched_kind schedule;
    float sched_gamma;
    int sched_step;                    /* step N G: epochs between decays */
    float sched_lo, sched_hi;          /* range LO HI: the first and the last step's lr (schedule.h) */
    int warmup;                        /* optimizer steps of linear warm-up, 0 = none */
    int epochs;
    int batch;                         /* rows per batch; 0 = full batch */
    bool shuffle;
    /* How the data is prepared (dataset_prepare, by whoever owns the data, before the
     * trainers): rows held out and normalisation, both fixed by seed. */
    float validation;                  /* fraction held out, [0, 1) */
    float test;                        /* fraction held out for testing only (drawn before the
                                          validation rows, never used for choosing anything) */
    norm_kind normalize;
    uint64_t seed;                     /* data split; member k's init, order and dropout use seed + k */
    int early_stop;                    /* patience in epochs; 0 = off */
    fp_format precision;               /* fp32 (default), bf16 or fp16: see trainer.h */
    bool master_fp32;                  /* bf16/fp16 only: weights and optimizer state are kept in
                                          fp32, the net computes with their rounding (trainer.h) */
    float loss_scale;                  /* static loss scaling, 1 = none */
    int ensemble;                      /* members trained from seeds seed .. seed+K-1; 1 = one net */
} train_config;

#endif
