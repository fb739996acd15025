/* check_asks.h - inside deepstep check: which seeds it runs, and its checks of ask blocks. */
#ifndef DS_CHECK_ASKS_H
#define DS_CHECK_ASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "../lesson/lesson.h"

/* Which seeds `deepstep check` runs: offsets 0 .. k-1 added to each experiment's own seed,
 * or, with --seed S, seeds S .. S+k-1 for every experiment. */
typedef struct seed_plan {
    int k;
    bool fixed;
    uint64_t first;
} seed_plan;

static inline uint64_t seed_for(const seed_plan *p, const experiment *x, int j)
{
    return (p->fixed ? p->first : x->train.seed) + (uint64_t)j;
}

/* Every ask block of l on every seed of p: its experiment is stepped micro by micro to the
 * ask's `when`, where the answer must evaluate to a finite number and every check line must
 * hold. One line per ask (ok / FAIL, file:line); counts go to passed and failed. */
void check_asks(const lesson *l, const seed_plan *p, int *passed, int *failed);

#endif
