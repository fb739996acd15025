/* experiment_data.h - an experiment's data, loaded once, and the trainers made on it.
 *
 * The engine knows nothing of lessons: trainer_create takes a train_config and borrows a
 * dataset and its split. This is the lesson's side of it: load the files (or make the
 * synthetic set) once, check them against the block's net, split and normalise them by the
 * block's seed, and report every problem at the block's `data` or `layer` line. Every member
 * of an ensemble trains on the one experiment_data: the data, its split and normalisation
 * always come from seed, so members see the same rows (only their init, order and dropout
 * differ), and K members cost one load. */
#ifndef DS_EXPERIMENT_DATA_H
#define DS_EXPERIMENT_DATA_H

#include "../engine/trainer.h"
#include "experiment.h"

typedef struct experiment_data {
    dataset data; /* normalised by the statistics of split.train */
    split split;  /* rows held out by train.validation and train.seed */
} experiment_data;

/* Load x's data (CSV, IDX or synthetic, seeded by x->train.seed), check it fits the net
 * (labels vs outputs; the input width follows the data), split and normalise it. On failure
 * d owns nothing and err points at the block's line ("L.md:12: data: cannot open ..."). */
int experiment_data_load(const experiment *x, experiment_data *d, ds_error *err);
/* Free d; every trainer made on it must be destroyed first (they borrow it). */
void experiment_data_free(experiment_data *d);

/* trainer_create for member `member` of x on d (which must outlive t), with the engine's
 * errors mapped to the block's lines ("L.md:20: layer: width 0 is out of range ..."). */
int experiment_trainer_create(trainer *t, const experiment *x, const experiment_data *d, int member,
                              int epochs_override, long max_steps, ds_error *err);

#endif
