#include "runlog.h"

#include <math.h>

const char runlog_header[] = "step,epoch,layer,loss,lr,act_min,act_max,act_mean,act_std,frac_saturated,"
                             "frac_dead,grad_norm,weight_norm,update_ratio,health,lost_updates,frac_underflow,dz_std";

int runlog_open(runlog *r, const char *path, ds_error *err)
{
    r->open = false;
    if (atomic_open(&r->file, path, err) != 0)
        return -1;
    r->open = true;
    fprintf(r->file.f, "%s\n", runlog_header);
    return 0;
}

/* %.9g prints inf/nan as "inf"/"nan", which numpy and pandas read back. */
void runlog_step(runlog *r, const trainer *t)
{
    if (!r->open)
        return;
    for (int i = 0; i < t->net.n_layers; i++) {
        const layer_stats *s = &t->stats[i];
        fprintf(r->file.f, "%ld,%d,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%s,%ld,%.9g,%.9g\n", t->state.step,
                t->state.epoch + 1, i, t->state.loss, (double)t->state.lr, (double)s->act_min, (double)s->act_max,
                (double)s->act_mean, (double)s->act_std, (double)s->frac_saturated, (double)s->frac_dead,
                (double)s->grad_norm, (double)s->weight_norm, (double)s->update_ratio, health_name(s->health),
                s->lost_updates, (double)s->frac_underflow, (double)s->dz_std);
    }
}

int runlog_close(runlog *r, ds_error *err)
{
    if (!r->open)
        return 0;
    r->open = false;
    return atomic_commit(&r->file, err);
}

void runlog_abort(runlog *r)
{
    if (r->open)
        atomic_abort(&r->file);
    r->open = false;
}
