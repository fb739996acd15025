/* schedule.c - the learning rate at each update (see schedule.h). */
#include "schedule.h"

#include <math.h>

long schedule_total_steps(int epochs, int batches_per_epoch, long max_steps)
{
    return max_steps > 0 ? max_steps : (long)epochs * batches_per_epoch;
}

double schedule_range_lr(double lo, double hi, long k, long n)
{
    if (n <= 1)
        return lo;
    /* exp(log(ratio)·f) rather than pow(ratio, f): f = 0 gives lo exactly, and f = 1 gives hi
     * to within a double rounding, which the trainer's float rate does not see. */
    return lo * exp(log(hi / lo) * (double)k / (double)(n - 1));
}

double schedule_lr(const train_config *x, long step, int epoch, int epochs, long total_steps)
{
    double lr = x->opt.lr;
    switch (x->schedule) {
    case SCHED_EXP: lr *= pow(x->sched_gamma, epoch); break;
    case SCHED_STEP: lr *= pow(x->sched_gamma, epoch / x->sched_step); break;
    case SCHED_COSINE: /* torch CosineAnnealingLR(T_max = epochs, eta_min = 0), stepped per epoch */
        lr *= 0.5 * (1.0 + cos(3.14159265358979323846 * epoch / epochs));
        break;
    case SCHED_RANGE: /* replaces the optimizer's lr: the ramp is the whole point of the run */
        lr = schedule_range_lr(x->sched_lo, x->sched_hi, step, total_steps);
        break;
    default: break;
    }
    if (x->warmup > 0 && step < x->warmup)
        lr *= (double)(step + 1) / x->warmup;
    return lr;
}
