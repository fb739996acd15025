/* view_sample.c - (scaffold, to be written) */
#include "view.h"

void draw_sample(const app *a, const session *s, frame *f, rect r)
{
    (void)s;
    lesson_panel_title(a, f, r, P_DATA, "Data: sample");
}

void draw_confusion(const app *a, const session *s, frame *f, rect r)
{
    (void)s;
    lesson_panel_title(a, f, r, P_DATA, "Data: confusion matrix");
}

void draw_worst(const app *a, const session *s, frame *f, rect r)
{
    (void)s;
    lesson_panel_title(a, f, r, P_DATA, "Data: worst examples");
}

void draw_weights(const app *a, const session *s, frame *f, rect r)
{
    (void)s;
    lesson_panel_title(a, f, r, P_DATA, "Data: first-layer weights");
}
