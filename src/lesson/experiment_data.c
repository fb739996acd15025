/* experiment_data.c - an experiment's data, loaded once and checked against its net, and
 * the trainers made on it: errors point at the block's `data` or `layer` line, not at the
 * data file alone, nor at a layer index the engine counts from 1. */
#include "experiment_data.h"

#include <stdio.h>
#include <string.h>

#include "../common/rng.h"

/* A path that is not there, or names a folder or a device, is the lesson's mistake, not the
 * file's: point at the block's data line ("L.md:12: data: cannot open 'x.csv': ..."). The
 * code says which (fileio.c sets it); the code keeps its kind at the new line. */
static void point_at_data_line(const experiment *x, ds_error *err)
{
    if (!err || err->line != 0 || err->code == DS_ERR_OTHER)
        return;
    char path[EXPERIMENT_PATH_MAX], why[sizeof err->msg];
    snprintf(path, sizeof path, "%s", err->file);
    snprintf(why, sizeof why, "%s", err->msg);
    if (err->code == DS_ERR_CANNOT_OPEN)
        err_set_code(err, err->code, x->file, x->line_data, "data: cannot open '%s': %s", path,
                     why + strlen(ERR_CANNOT_OPEN));
    else
        err_set_code(err, err->code, x->file, x->line_data, "data: '%s': %s", path, why);
}

static int load_data(const experiment *x, dataset *ds, ds_error *err)
{
    int rc;
    if (x->source == DATA_CSV)
        rc = dataset_load_csv(ds, x->path[0], err);
    else if (x->source == DATA_IDX)
        rc = dataset_load_idx(ds, x->path[0], x->path[1], err);
    else {
        rng r;
        rng_seed(&r, x->train.seed, RNG_STREAM_DATA);
        if (dataset_synth(ds, &x->synth, &r) != 0) {
            /* The parser refused these already; this backstops a config built by hand. */
            ds_error why = {0};
            synth_check(&x->synth, &why);
            return err_set(err, x->file, x->line_data, "data: %s", why.msg);
        }
        rc = 0;
    }
    if (rc != 0) {
        point_at_data_line(x, err);
        return rc;
    }
    int K = -1, out_line = x->line_layer[x->train.n_layers - 1];
    for (int i = x->train.n_layers - 1; i >= 0 && K < 0; i--)
        if (x->train.layers[i].kind == LAYER_DENSE)
            K = x->train.layers[i].units, out_line = x->line_layer[i];
    if (K == 1 && ds->n_classes > 2) {
        err_set(err, x->file, out_line, "layer: one output cannot separate the %d classes in the data (labels 0..%d); "
                "use 'dense %d linear' with cross_entropy", ds->n_classes, ds->n_classes - 1, ds->n_classes);
        dataset_destroy(ds);
        return -1;
    }
    if (K > 1 && ds->n_classes > K) {
        err_set(err, x->file, out_line, "layer: the data has labels 0..%d but the last layer has %d outputs",
                ds->n_classes - 1, K);
        dataset_destroy(ds);
        return -1;
    }
    return 0;
}

int experiment_data_load(const experiment *x, experiment_data *d, ds_error *err)
{
    memset(d, 0, sizeof *d);
    if (load_data(x, &d->data, err) != 0)
        return -1;
    dataset_prepare(&d->data, &d->split, x->train.validation, x->train.test, x->train.normalize, x->train.seed);
    if (d->split.n_train < 1) { /* the loaders refuse empty data; this backstops them */
        experiment_data_free(d);
        return err_set(err, x->file, x->line_data, "data: no training rows");
    }
    return 0;
}

void experiment_data_free(experiment_data *d)
{
    dataset_destroy(&d->data);
    split_destroy(&d->split);
    memset(d, 0, sizeof *d);
}

int experiment_trainer_create(trainer *t, const experiment *x, const experiment_data *d, int member,
                              int epochs_override, long max_steps, ds_error *err)
{
    int rc = trainer_create(t, &x->train, &d->data, &d->split, member, epochs_override, max_steps, err);
    if (rc == 0)
        return 0;
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    if (rc == TRAINER_BAD_DATA)
        return err_set(err, x->file, x->line_data, "data: %s", msg);
    /* err->line is the 1-based layer that is wrong: point at its line in the lesson. */
    int li = err->line > 0 && err->line <= x->train.n_layers ? err->line - 1 : 0;
    return err_set(err, x->file, x->line_layer[li], "layer: %s", msg);
}
