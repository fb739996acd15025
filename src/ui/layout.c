/* layout.c - where each panel goes, from the terminal size. 80x24 shows the lesson, the
 * network, the narration and one detail panel at a time (the focused one first); wider and
 * taller terminals show more side by side. */
#include <string.h>

#include "app.h"

static void place(layout *L, panel_id p, int x, int y, int w, int h)
{
    L->r[p] = (rect){x, y, w, h};
    L->visible[p] = w > 0 && h > 1;
}

/* Stack the detail panels in a column, the focused one first; as many as fit. */
static void stack(const bool *hidden, panel_id focus, layout *L, const panel_id *order, int n, int x, int y, int w, int h)
{
    panel_id list[P_COUNT];
    int k = 0;
    for (int i = 0; i < n; i++)
        if (order[i] == focus && !hidden[order[i]])
            list[k++] = order[i];
    for (int i = 0; i < n; i++)
        if (order[i] != focus && !hidden[order[i]])
            list[k++] = order[i];
    int fit = h / 9 > 0 ? h / 9 : 1;
    if (fit > k)
        fit = k;
    for (int i = 0; i < fit; i++) {
        int top = y + h * i / fit, bottom = y + h * (i + 1) / fit;
        place(L, list[i], x, top, w, bottom - top);
    }
}

static void lay_out(const bool *hidden, panel_id focus, bool has_run, int w, int h, layout *L)
{
    memset(L, 0, sizeof *L);
    if (w < UI_MIN_W || h < UI_MIN_H)
        return;
    int top = 1, bottom = h - 1; /* title bar and status bar */
    if (!has_run) {
        place(L, P_LESSON, 0, top, w, bottom - top);
        return;
    }
    if (!hidden[P_NETWORK]) {
        place(L, P_NETWORK, 0, top, w, 5);
        top += 5;
    }
    int body = bottom - top;
    int lw = hidden[P_LESSON] ? 0 : (w >= 120 ? w * 36 / 100 : w * 40 / 100);
    if (lw)
        place(L, P_LESSON, 0, top, lw - 1, body);
    int rx = lw, rw = w - lw;
    /* on a short terminal the narration gives up rows, so a detail panel keeps a place */
    int nh = hidden[P_NARRATION] ? 0 : (h >= 40 ? 11 : (body >= 16 ? 8 : body / 2));
    if (nh)
        place(L, P_NARRATION, rx, top, rw, nh);
    int dy = top + nh, dh = bottom - dy;
    if (dh < 4)
        return;
    if (rw >= 90 && dh >= 18) { /* two columns of details */
        int cw = rw / 2;
        const panel_id left[] = {P_INSPECTOR, P_CURVES}, right[] = {P_ACTIVATIONS, P_GRADIENTS};
        int n_left = 0, n_right = 0;
        for (int i = 0; i < 2; i++)
            n_left += !hidden[left[i]], n_right += !hidden[right[i]];
        int y = dy;
        for (int i = 0; i < 2; i++)
            if (!hidden[left[i]]) {
                int hh = n_left == 2 ? (i == 0 ? dh * 55 / 100 : dh - dh * 55 / 100) : dh;
                place(L, left[i], rx, y, cw - 1, hh);
                y += hh;
            }
        if ((focus == P_DATA || focus == P_DIST) && !hidden[focus]) {
            /* what the net computes wants room: it takes the whole right column while it is
             * the detail panel in view, and gives it back when another is focused */
            place(L, focus, rx + cw, dy, rw - cw, dh);
            return;
        }
        y = dy;
        for (int i = 0; i < 2; i++)
            if (!hidden[right[i]]) {
                int hh = n_right == 2 ? dh / 2 + (i == 1 ? dh % 2 : 0) : dh;
                place(L, right[i], rx + cw, y, rw - cw, hh);
                y += hh;
            }
        return;
    }
    const panel_id order[] = {P_INSPECTOR, P_ACTIVATIONS, P_GRADIENTS, P_CURVES, P_DATA, P_DIST};
    stack(hidden, focus, L, order, 6, rx, dy, rw, dh);
}

void layout_compute(const app *m, int w, int h, layout *L)
{
    memset(L, 0, sizeof *L);
    const lesson_screen *ls = m->les;
    if (!ls)
        return;
    /* the detail place shows the focused detail panel, else the one last focused there */
    lay_out(ls->hidden, panel_is_detail(ls->focus) ? ls->focus : ls->detail, app_run_c(m) != NULL, w, h, L);
}

bool layout_reachable(const app *m, panel_id p, int w, int h)
{
    if (!m->les)
        return false;
    layout L;
    lay_out(m->les->hidden, p, app_run_c(m) != NULL, w, h, &L);
    return L.visible[p];
}

void net_strip(int n_layers, int selected, int w, int *first, int *width, int *shown)
{
    int slots = n_layers + 1; /* the input, then each layer */
    *first = 0, *shown = slots, *width = w / slots;
    if (*width < NET_SLOT_MIN) { /* too many layers: a window around the selection */
        *width = NET_SLOT_MIN;
        *shown = w / NET_SLOT_MIN < slots ? w / NET_SLOT_MIN : slots;
        *first = selected + 1 - *shown / 2;
        if (*first + *shown > slots)
            *first = slots - *shown;
        if (*first < 0)
            *first = 0;
    }
}
