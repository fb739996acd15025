/* experiment_data.c - an experiment's data, loaded and checked against its net: errors
 * point at the block's `data` or output `layer` line, not at the data file alone. */
#include "experiment.h"

#include <stdio.h>
#include <string.h>

#include "../common/rng.h"

int experiment_load_data(const experiment *x, dataset *ds, ds_error *err)
{
    int rc;
    if (x->source == DATA_CSV)
        rc = dataset_load_csv(ds, x->path[0], err);
    else if (x->source == DATA_IDX)
        rc = dataset_load_idx(ds, x->path[0], x->path[1], err);
    else {
        rng r;
        rng_seed(&r, x->seed, RNG_STREAM_DATA);
        if (dataset_synth(ds, &x->synth, &r) != 0) {
            /* The parser refused these already; this backstops a config built by hand. */
            ds_error why = {0};
            synth_check(&x->synth, &why);
            return err_set(err, x->file, x->line_data, "data: %s", why.msg);
        }
        rc = 0;
    }
    if (rc != 0) {
        /* A file that is not there is the lesson's mistake: point at its data line. */
        if (err && err->line == 0 && strncmp(err->msg, "cannot open: ", 13) == 0) {
            char path[EXPERIMENT_PATH_MAX], why[128];
            snprintf(path, sizeof path, "%s", err->file);
            snprintf(why, sizeof why, "%s", err->msg + 13);
            err_set(err, x->file, x->line_data, "data: cannot open '%s': %s", path, why);
        }
        return rc;
    }
    int K = -1, out_line = x->line_layer[x->n_layers - 1];
    for (int i = x->n_layers - 1; i >= 0 && K < 0; i--)
        if (x->layers[i].kind == LAYER_DENSE)
            K = x->layers[i].units, out_line = x->line_layer[i];
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
