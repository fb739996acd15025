/* plane.c - (scaffold, to be written) */
#include "plane.h"

#include <stdlib.h>

struct plane_cache {
    int unused;
};

void plane_update(struct session *s, int w, int h)
{
    (void)s, (void)w, (void)h;
}

void plane_free(plane_cache *p) { free(p); }
