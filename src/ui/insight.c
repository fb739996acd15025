/* insight.c - which views of the data a run has, and keeping their caches current. */
#include "insight.h"

#include <math.h>

#include "plane.h"
#include "samples.h"

const char *data_view_name(data_view v)
{
    static const char *const names[DV_COUNT] = {"input plane", "sample", "confusion matrix", "worst examples",
                                                "first-layer weights"};
    return v >= 0 && v < DV_COUNT ? names[v] : "?";
}

bool data_classifies(const session *s)
{
    loss_kind k = s->t.net.loss;
    return k == LOSS_CROSS_ENTROPY || k == LOSS_BCE;
}

int data_image_side(const session *s)
{
    int d = s->t.data->d, side = (int)lround(sqrt((double)d));
    return side >= 4 && side * side == d ? side : 0;
}

int data_views(const session *s, data_view out[DV_COUNT])
{
    int n = 0;
    bool classifies = data_classifies(s);
    if (s->t.data->d == 2)
        out[n++] = DV_PLANE;
    else
        out[n++] = DV_SAMPLE;
    if (classifies) {
        out[n++] = DV_CONFUSION;
        out[n++] = DV_WORST;
    }
    if (data_image_side(s) && samples_weight_layer(s) >= 0)
        out[n++] = DV_WEIGHTS;
    return n;
}

data_view data_view_current(const app *a, const session *s)
{
    data_view v[DV_COUNT];
    int n = data_views(s, v), k = a->les ? a->les->data_view : 0;
    return v[k >= 0 && k < n ? k : 0];
}

void insight_refresh(app *a)
{
    if (a->screen != SCREEN_LESSON || !a->les)
        return;
    session *s = app_run(a);
    if (!s)
        return;
    layout L;
    layout_compute(a, a->cols, a->rows, &L);
    if (!L.visible[P_DATA])
        return;
    switch (data_view_current(a, s)) {
    case DV_PLANE: plane_update(s, L.r[P_DATA].w, L.r[P_DATA].h); break;
    case DV_CONFUSION:
    case DV_WORST: samples_update(s); break;
    default: break;
    }
}
