/* view_plane.c - (scaffold, to be written) */
#include "view.h"

void draw_plane(const app *a, const session *s, frame *f, rect r)
{
    (void)s;
    lesson_panel_title(a, f, r, P_DATA, "Data: input plane");
}
