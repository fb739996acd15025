/* view_data.c - the Data panel (8): the view of the data the learner chose with m. */
#include "insight.h"
#include "view.h"

void draw_data(const app *a, frame *f, rect r)
{
    const session *s = app_run_c(a);
    switch (data_view_current(a, s)) {
    case DV_PLANE: draw_plane(a, s, f, r); break;
    case DV_SAMPLE: draw_sample(a, s, f, r); break;
    case DV_CONFUSION: draw_confusion(a, s, f, r); break;
    case DV_WORST: draw_worst(a, s, f, r); break;
    case DV_WEIGHTS: draw_weights(a, s, f, r); break;
    default: break;
    }
}
