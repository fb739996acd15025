/* runlog.h - the per-step CSV log: one row per optimizer step and layer.
 * Columns: step,epoch,layer,loss,lr,act_min,act_max,act_mean,act_std,frac_saturated,
 * frac_dead,grad_norm,weight_norm,update_ratio,health,lost_updates,frac_underflow,dz_std. step counts updates from 1, epoch
 * from 1, layer from 0; floats are printed with 9 significant digits (float32 round-trips);
 * "nan" where a value does not apply (layers without weights). grad_norm is before clipping. */
#ifndef DS_RUNLOG_H
#define DS_RUNLOG_H

#include "../engine/trainer.h"
#include "atomic.h"

typedef struct runlog {
    atomic_file file;
    bool open;
} runlog;

int runlog_open(runlog *r, const char *path, ds_error *err);
void runlog_step(runlog *r, const trainer *t);
int runlog_close(runlog *r, ds_error *err);
void runlog_abort(runlog *r);

extern const char runlog_header[];

#endif
