/* export.h - `deepstep export LESSON.md --torch`: an experiment as a folder a learner can run in
 * PyTorch: train.py (the same net, loss, optimizer, clipping, schedule and early stopping in
 * ordinary torch code), init.npz (deepstep's initial weights, the contract's names) and
 * data.npz (the rows as deepstep saw them, normalised and split, and each epoch's row order),
 * so the script reproduces `deepstep run --load init.npz` number for number. */
#ifndef DS_EXPORT_H
#define DS_EXPORT_H

#include <stdio.h>

#include "../engine/trainer.h"
#include "../lesson/experiment.h"

int cmd_export(int argc, char **argv);
void export_usage(FILE *out);

/* What the script needs to know beyond the experiment itself. */
typedef struct export_spec {
    const experiment *x;
    const trainer *t;    /* member 0 at step 0: the net's shapes, batches, epochs */
    const char *lesson;  /* the lesson path as given on the command line */
    const char *which;   /* --experiment as given, or NULL */
    int index, count;    /* experiment index (1-based) of count */
    int order_epochs;    /* epochs of row orders in data.npz; 0 without shuffle (file order) */
} export_spec;

/* Writes train.py for s to f (export_py.c). */
void export_torch_script(FILE *f, const export_spec *s);

#endif
