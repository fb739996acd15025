/* samples.c - (scaffold, to be written) */
#include "samples.h"

#include <stdlib.h>

struct sample_cache {
    int unused;
};

void samples_update(session *s) { (void)s; }

void samples_epoch_end(session *s) { (void)s; }

int samples_count(const session *s, data_view v)
{
    (void)s, (void)v;
    return 0;
}

void samples_free(sample_cache *c) { free(c); }
