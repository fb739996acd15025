/* view_compare.c - a compare block's experiments side by side: loss curves overlaid, and
 * each experiment's gradient norms in its own column. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "view.h"

void draw_compare(const app *a, frame *f)
{
    const compare_screen *cs = a->cmp;
    char title[300] = "compare:";
    for (int k = 0; k < cs->n; k++) {
        strncat(title, " ", sizeof title - strlen(title) - 1);
        strncat(title, cs->names[k], sizeof title - strlen(title) - 1);
    }
    frame_fill(f, 0, 0, f->w, ' ', ROLE_TITLE);
    frame_put(f, 1, 0, ROLE_TITLE, title, f->w - 2);
    int body = f->h - 2, curves_h = body * 45 / 100;
    rect cr = {0, 1, f->w, curves_h};
    series sr[COMPARE_MAX];
    long longest = 1;
    for (int k = 0; k < cs->n; k++) {
        sr[k] = series_of(k, cs->runs[k].step_loss, cs->runs[k].n_steps);
        longest = cs->runs[k].n_steps > longest ? cs->runs[k].n_steps : longest;
    }
    plot_axis ax = plot_fit(sr, cs->n, a->loss_axis);
    char head[120];
    snprintf(head, sizeof head, "Loss per step, overlaid (same seed, same data)%s", ax.log ? ", log scale (L)" : "");
    int y = panel_title(f, cr, head, false);
    int legend_w = 36;
    plot_series(f, (rect){0, y, f->w - legend_w - 1, curves_h - 1}, sr, cs->n, longest, &ax, a->ascii);
    /* legend: each experiment's glyph and colour, its latest loss, learning rate and accuracy;
     * two rows each when they fit beside the plot, else one (six runs at 80x24), never more
     * rows than the plot has, so it cannot run into the gradient columns below */
    int rows = curves_h - 1, per = 2 * cs->n <= rows ? 2 : 1;
    for (int k = 0; k < cs->n && per * k < rows; k++) {
        const session *s = &cs->runs[k];
        const trainer *t = &s->t;
        char line[160], b1[16], b2[16], g[8];
        const epoch_metrics *m = s->n_epochs ? &s->epochs[s->n_epochs - 1] : NULL;
        if (a->ascii)
            snprintf(g, sizeof g, "%c", (char)sr[k].ascii_glyph);
        else
            g[utf8_encode(sr[k].glyph, g)] = '\0';
        snprintf(line, sizeof line, "%s %-12s loss %s%s", g, cs->names[k],
                 s->n_steps ? fmt_compact(b1, sizeof b1, s->step_loss[s->n_steps - 1]) : "-",
                 per == 1 && t->state.div.happened ? " diverged" : "");
        frame_put(f, f->w - legend_w, y + per * k, sr[k].ro, line, legend_w);
        if (per == 1)
            continue;
        /* the second line: its learning rate now, and how it stands */
        char state[48] = "";
        if (t->state.div.happened)
            snprintf(state, sizeof state, "  diverged (NaN/Inf)");
        else if (m && m->has_val && !isnan(m->test_acc))
            snprintf(state, sizeof state, "  val %.1f%% test %.1f%%", 100 * m->val_acc, 100 * m->test_acc);
        else if (m && m->has_val)
            snprintf(state, sizeof state, "  val acc %.1f%%", 100 * m->val_acc);
        snprintf(line, sizeof line, "  lr %s%s", fmt_compact(b2, sizeof b2, t->state.lr), state);
        frame_put(f, f->w - legend_w, y + per * k + 1, t->state.div.happened ? ROLE_BAD : ROLE_DIM, line, legend_w);
    }
    /* gradient columns */
    int gy = 1 + curves_h, gh = f->h - 1 - gy, cw = f->w / (cs->n ? cs->n : 1);
    for (int k = 0; k < cs->n; k++) {
        rect gr = {k * cw, gy, cw - 1, gh};
        char t[100];
        snprintf(t, sizeof t, "%s: gradient norms", cs->names[k]);
        draw_gradients_of(&cs->runs[k], f, gr, t, false, a->ascii);
    }
    const trainer *t0 = &cs->runs[0].t; /* the furthest run: a diverged one stops early */
    for (int k = 1; k < cs->n; k++)
        if (cs->runs[k].t.state.step > t0->state.step)
            t0 = &cs->runs[k].t;
    char status[200];
    char hints[200];
    keys_hints(&keys_compare, true, hints, sizeof hints);
    snprintf(status, sizeof status, "%sstep %ld  epoch %d   %s", cs->running ? "[running] " : "", t0->state.step,
             t0->state.epoch + (t0->state.epoch < t0->epochs), hints);
    frame_fill(f, 0, f->h - 1, f->w, ' ', ROLE_STATUS);
    frame_put(f, 1, f->h - 1, ROLE_STATUS, a->message[0] ? a->message : status, f->w - 2);
}
