/* view_compare.c - a compare block's experiments side by side: loss curves overlaid, and
 * each experiment's gradient norms in its own column. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

static const role series_roles[] = {ROLE_CODE, ROLE_GOOD, ROLE_BAD, ROLE_HEADING, ROLE_WARN, ROLE_STRONG};

void draw_compare(app *a, frame *f)
{
    const lesson_compare *cmp = &a->lesson.compares[a->cmp_block];
    char title[300] = "compare:";
    for (int k = 0; k < a->n_cmp; k++) {
        strncat(title, " ", sizeof title - strlen(title) - 1);
        strncat(title, cmp->names[k], sizeof title - strlen(title) - 1);
    }
    frame_fill(f, 0, 0, f->w, ' ', ROLE_TITLE);
    frame_put(f, 1, 0, ROLE_TITLE, title, f->w - 2);
    int body = f->h - 2, curves_h = body * 45 / 100;
    rect cr = {0, 1, f->w, curves_h};
    int y = panel_title(f, cr, "Loss per step, overlaid (same seed, same data)", false);
    const float *series[COMPARE_MAX];
    long lens[COMPARE_MAX];
    for (int k = 0; k < a->n_cmp; k++)
        series[k] = a->cmp[k].step_loss, lens[k] = a->cmp[k].n_steps;
    rect plot = {0, y, f->w - 34, curves_h - 1};
    plot_series(f, plot, series, lens, series_roles, a->n_cmp, a->ascii);
    /* legend with each experiment's latest numbers */
    for (int k = 0; k < a->n_cmp; k++) {
        const session *s = &a->cmp[k];
        const trainer *t = &s->t;
        char line[120], b1[16];
        const epoch_metrics *m = s->n_epochs ? &s->epochs[s->n_epochs - 1] : NULL;
        snprintf(line, sizeof line, "%s %-12s loss %-8s%s", a->ascii ? "*" : "\xE2\x97\x8F", cmp->names[k],
                 s->n_steps ? fmt_compact(b1, sizeof b1, s->step_loss[s->n_steps - 1]) : "-",
                 t->state.div.happened ? " NaN!" : "");
        frame_put(f, f->w - 33, y + 2 * k, series_roles[k % 6], line, 33);
        if (m && m->has_val) {
            snprintf(line, sizeof line, "  val acc %.1f%%", 100 * m->val_acc);
            frame_put(f, f->w - 33, y + 2 * k + 1, ROLE_DIM, line, 33);
        }
    }
    /* gradient columns */
    int gy = 1 + curves_h, gh = f->h - 1 - gy, cw = f->w / (a->n_cmp ? a->n_cmp : 1);
    for (int k = 0; k < a->n_cmp; k++) {
        rect gr = {k * cw, gy, cw - 1, gh};
        char t[100];
        snprintf(t, sizeof t, "%s: gradient norms", cmp->names[k]);
        draw_gradients_of(&a->cmp[k], f, gr, t, false, a->ascii);
    }
    const trainer *t0 = &a->cmp[0].t;
    char status[200];
    snprintf(status, sizeof status, "%sstep %ld  epoch %d   n/N one batch each  e epoch  r run  R restart  C back  q quit",
             a->cmp_running ? "[running] " : "", t0->state.step, t0->state.epoch + (t0->state.epoch < t0->epochs));
    frame_fill(f, 0, f->h - 1, f->w, ' ', ROLE_STATUS);
    frame_put(f, 1, f->h - 1, ROLE_STATUS, a->message[0] ? a->message : status, f->w - 2);
}
