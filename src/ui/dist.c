/* dist.c - (scaffold, to be written) */
#include "dist.h"

#include <stdlib.h>

struct dist_history {
    int unused;
};

void dist_record(struct session *s) { (void)s; }

void dist_free(dist_history *d) { free(d); }
