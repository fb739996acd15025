/* view_dist.c - (scaffold, to be written) */
#include "view.h"

void draw_dist(const app *a, frame *f, rect r)
{
    lesson_panel_title(a, f, r, P_DIST, "Distributions");
}
