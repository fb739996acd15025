/* experiment_data.c - an experiment's data, loaded and checked against its net: errors
 * point at the block's `data` or output `layer` line, not at the data file alone. */
#include "experiment.h"

#include <stdio.h>
#include <string.h>

#include "../common/rng.h"

/* A path that is not there, or names a folder or a device, is the lesson's mistake, not the
 * file's: point at the block's data line ("L.md:12: data: cannot open 'x.csv': ..."). The
 * messages matched are fileio.c's. */
static void point_at_data_line(const experiment *x, ds_error *err)
{
    static const char *const not_a_file[] = {"is a directory", "not a regular file"};
    if (!err || err->line != 0)
        return;
    char path[EXPERIMENT_PATH_MAX], why[sizeof err->msg];
    snprintf(path, sizeof path, "%s", err->file);
    snprintf(why, sizeof why, "%s", err->msg);
    if (strncmp(why, "cannot open: ", 13) == 0) {
        err_set(err, x->file, x->line_data, "data: cannot open '%s': %s", path, why + 13);
        return;
    }
    for (size_t i = 0; i < sizeof not_a_file / sizeof not_a_file[0]; i++)
        if (strncmp(why, not_a_file[i], strlen(not_a_file[i])) == 0) {
            err_set(err, x->file, x->line_data, "data: '%s': %s", path, why);
            return;
        }
}

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
        point_at_data_line(x, err);
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
