/* view_confusion.c - the Data panel's validation confusion matrix: counts shaded by size, the
 * diagonal (right) told from the rest without colour too, scrolled when 10x10 does not fit. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "palette.h"
#include "samples.h"
#include "view.h"
#include "view_sample.h"

/* What to say when there is no matrix (none yet, none kept, no validation rows). */
void no_matrix(const session *s, frame *f, int x, int y, int bottom, int w)
{
    char why[160];
    if (s->t.split->n_val == 0)
        snprintf(why, sizeof why, "this run holds out no validation rows");
    else if (s->n_epochs == 0)
        snprintf(why, sizeof why, "appears after the first epoch (e: one epoch)");
    else
        snprintf(why, sizeof why, "appears at the end of epoch %d (e)",
                 s->n_epochs + 1);
    put_wrapped(f, x, y, bottom, w, ROLE_DIM, why);
}

int digits(long v)
{
    int n = 1;
    while (v >= 10)
        v /= 10, n++;
    return n;
}

/* Cell (i, j) of the matrix: painted by count (green on the diagonal, red off it) with
 * colour; without, the diagonal in reverse video and mistakes bold and underlined. */
static void draw_count(const app *a, frame *f, rect r, int x, int y, int cw, long v, bool diag, long scale)
{
    char txt[24];
    snprintf(txt, sizeof txt, "%*s", cw, "");
    if (v)
        snprintf(txt, sizeof txt, "%*ld", cw - 1, v);
    else
        snprintf(txt, sizeof txt, "%*s", cw - 1, ".");
    unsigned ro = v == 0 ? ROLE_DIM : diag ? ROLE_SELECTED : ROLE_BAD;
    if (a->colour && v) {
        int shade = clampi((int)(4.0 * v / (scale > 0 ? scale : 1)), 0, 3);
        ro = role_paint(shade >= 2 ? pal_grey(7) : pal_grey(0), pal_class(diag ? 2 : 6, shade));
    }
    set_in(f, r, x, y, ' ', ROLE_NORMAL);
    for (int k = 0; k < cw - 1; k++)
        set_in(f, r, x + 1 + k, y, (uint32_t)txt[k], ro);
}

void draw_confusion(const app *a, const session *s, frame *f, rect r)
{
    confusion cm;
    bool has = samples_confusion(s, &cm);
    char title[160], line[200];
    if (has)
        snprintf(title, sizeof title, "Data: confusion matrix, epoch %d (rows true, columns predicted)", cm.epoch);
    else
        snprintf(title, sizeof title, "Data: confusion matrix (validation rows)");
    int y = lesson_panel_title(a, f, r, P_DATA, title), bottom = r.y + r.h, x = r.x + 1, w = r.w - 2;
    if (!has) {
        no_matrix(s, f, x, y, bottom, w);
        return;
    }
    int C = cm.classes, sel = clampi(s->data_sel, 0, C - 1);
    long dmax = 0, omax = 0, big = 0;
    for (int i = 0; i < C; i++)
        for (int j = 0; j < C; j++) {
            long v = cm.counts[(size_t)i * C + j];
            big = v > big ? v : big;
            if (i == j)
                dmax = v > dmax ? v : dmax;
            else
                omax = v > omax ? v : omax;
        }
    int lw = digits(C - 1) + 1, cw = (digits(big) > digits(C - 1) ? digits(big) : digits(C - 1)) + 1;
    lw = lw < 3 ? 3 : lw;
    int fit_cols = clampi((w - lw) / cw, 1, C), rows_room = bottom - y - 2; /* summary, header */
    bool detail = rows_room > C || rows_room >= 5; /* the selected row in words, when there is room */
    int fit_rows = clampi(rows_room - (detail ? 1 : 0), 1, C);
    int r0 = clampi(sel - fit_rows / 2, 0, C - fit_rows), c0 = clampi(sel - fit_cols / 2, 0, C - fit_cols);
    char acc[16];
    snprintf(acc, sizeof acc, "%.1f%%", 100.0 * cm.correct / (cm.n ? cm.n : 1));
    if (cm.restored)
        snprintf(line, sizeof line, "%ld/%ld right = %s (weights of epoch %d, restored)", cm.correct, cm.n, acc,
                 cm.best_epoch);
    else
        snprintf(line, sizeof line, "%ld/%ld right = %s, val_acc %.4f", cm.correct, cm.n, acc, cm.val_acc);
    if (fit_rows < C || fit_cols < C) { /* what does not fit is said, and up/down reaches it */
        char part[96], rows_part[32] = "", cols_part[32] = "";
        if (fit_rows < C)
            snprintf(rows_part, sizeof rows_part, "rows %d-%d", r0, r0 + fit_rows - 1);
        if (fit_cols < C)
            snprintf(cols_part, sizeof cols_part, "%scols %d-%d", fit_rows < C ? ", " : "", c0, c0 + fit_cols - 1);
        snprintf(part, sizeof part, "; %s%s of %d, up/down", rows_part, cols_part, C);
        if ((int)(strlen(line) + strlen(part)) <= w)
            strcat(line, part);
        else
            snprintf(line, sizeof line, "%ld/%ld = %s%s", cm.correct, cm.n, acc, part);
    }
    frame_put(f, x, y++, ROLE_NORMAL, line, w);
    snprintf(line, sizeof line, "%-*s", lw, "t\\p");
    frame_put(f, x, y, ROLE_DIM, line, lw);
    for (int j = c0; j < c0 + fit_cols; j++) {
        snprintf(line, sizeof line, "%*d", cw, j);
        frame_put(f, x + lw + (j - c0) * cw, y, j == sel ? ROLE_STRONG : ROLE_DIM, line, cw);
    }
    y++;
    for (int i = r0; i < r0 + fit_rows && y < bottom; i++, y++) {
        snprintf(line, sizeof line, "%*d", lw - 1, i);
        frame_put(f, x, y, i == sel ? ROLE_SELECTED : ROLE_DIM, line, lw - 1);
        for (int j = c0; j < c0 + fit_cols; j++)
            draw_count(a, f, r, x + lw + (j - c0) * cw, y, cw, cm.counts[(size_t)i * C + j], i == j,
                       i == j ? dmax : omax);
    }
    if (!detail || y >= bottom)
        return;
    /* the selected true class in words: how many right, and what it was taken for */
    const long *row = cm.counts + (size_t)sel * C;
    long total = 0;
    bool listed[DATA_MAX_CLASSES] = {false};
    for (int j = 0; j < C; j++)
        total += row[j];
    int o = snprintf(line, sizeof line, "true %d: %ld of %ld right", sel, row[sel], total);
    for (int shown = 0; shown < 4 && o < (int)sizeof line - 24; shown++) {
        int best = -1;
        for (int j = 0; j < C && j < DATA_MAX_CLASSES; j++) /* the next most frequent mistake */
            if (j != sel && row[j] > 0 && !listed[j] && (best < 0 || row[j] > row[best]))
                best = j;
        if (best < 0)
            break;
        listed[best] = true;
        char more[40];
        int m = snprintf(more, sizeof more, "%s as %d: %ld", shown ? "," : ";", best, row[best]);
        if (o + m > w) /* whole mistakes only, as many as the line holds */
            break;
        o += snprintf(line + o, sizeof line - o, "%s", more);
    }
    frame_put(f, x, y, ROLE_NORMAL, line, w);
}

