/* experiment.h - one ```deepstep block: `key = value` lines, `#` starts a comment,
 * `layer` repeats in order. The syntax is a contract (see README "Headless contract"):
 * extend it, never change it. Every error names the block's file and the exact line. */
#ifndef DS_EXPERIMENT_H
#define DS_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../data/dataset.h"
#include "../engine/train_config.h"
#include "expect.h"

typedef enum data_source { DATA_NONE, DATA_CSV, DATA_SYNTH, DATA_IDX } data_source;

#define EXPERIMENT_PATH_MAX 1024
#define EXPERIMENT_MAX_EXPECTS 8 /* `expect = ...` lines per block */
#define EXPERIMENT_LINE_MAX 1023  /* characters in a line of any ```deepstep block; longer is refused */

typedef struct experiment {
    char name[64];                     /* `name = ...`, "" when not given */
    char file[EXPERIMENT_PATH_MAX];    /* the lesson file, for errors */
    int line;                          /* line of the opening fence */
    data_source source;
    char path[2][EXPERIMENT_PATH_MAX]; /* resolved against the lesson's folder */
    synth_params synth;
    train_config train;                /* everything the engine reads: see train_config.h */
    /* `expect = ...` lines, checked by deepstep check: (n_expects), owned by this experiment
     * (experiment_free). Allocated per expectation, because fixed arrays made every block
     * ~59 KB. A copy (a UI session's) borrows the pointer and must not free it. */
    expectation *expects;
    int n_expects;
    /* Lines of keys, for errors found after parsing (data that does not fit the net). */
    int line_data, line_layer[NET_MAX_LAYERS], line_loss, line_batch, line_early_stop, line_ensemble, line_test;
    int line_name;
    int line_precision, line_loss_scale, line_shuffle; /* 0 when the block leaves them out */
    /* Where the block's text is in its lesson's source (lesson.c sets them; 0 for a block
     * parsed alone): the UI's editor (E) edits that text and parses it again. */
    size_t text_at, text_len;
    int text_line;                     /* the file line of text_at */
} experiment;

/* Parse a block's text. first_line is the file line of the block's first text line;
 * base_dir resolves relative data paths. Defaults: normalize none, validation 0,
 * batch full, shuffle no, optimizer sgd lr=0.1, clip none, schedule constant, epochs 10,
 * seed 1, loss cross_entropy when the last layer has more than one output, else bce,
 * early_stop none, ensemble 1, precision fp32, loss_scale 1. On failure x owns nothing;
 * on success release it with experiment_free (a block without expect lines owns nothing). */
int experiment_parse(experiment *x, const char *text, size_t len, const char *file, int fence_line,
                     int first_line, const char *base_dir, ds_error *err);
void experiment_free(experiment *x);

/* `NAME lr=F ...` as in `optimizer = ...` (used by race blocks' racer lines). */
int experiment_parse_optimizer(const char *value, opt_config *out, const char *file, int line, ds_error *err);

#endif
