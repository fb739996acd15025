/* view_trace.c - (scaffold, to be written) */
#include "trace.h"

void draw_trace(const app *a, frame *f)
{
    (void)a, (void)f;
}
