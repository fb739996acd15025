/* view_race.c - optimizers racing on a 2-D surface: a contour map of log f, the paths drawn
 * over it, one colour and letter per optimizer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "view.h"


void draw_race(const app *a, frame *f)
{
    const race *r = &a->race->race;
    char title[200];
    snprintf(title, sizeof title, "optimizer race on the %s surface: step %d of %d", surface_name(r->surface), r->step,
             r->steps);
    frame_fill(f, 0, 0, f->w, ' ', ROLE_TITLE);
    frame_put(f, 1, 0, ROLE_TITLE, title, f->w - 2);
    int legend_w = 34, mw = f->w - legend_w - 1, mh = f->h - 2;
    double x0, x1, y0, y1;
    surface_view(r->surface, &x0, &x1, &y0, &y1);
    /* contour shading: log10 of f above its minimum, in 10 bands */
    static const uint32_t shade[] = {' ', 0x00B7, 0x2219, ':', 0x2591, 0x2592, 0x2593, 0x2588};
    static const char ascii_shade[] = " .,:;+*#";
    double fmin = surface_min(r->surface);
    for (int cy = 0; cy < mh; cy++)
        for (int cx = 0; cx < mw; cx++) {
            double x = x0 + (cx + 0.5) / mw * (x1 - x0), y = y1 - (cy + 0.5) / mh * (y1 - y0);
            double v = log10(surface_f(r->surface, x, y, NULL, NULL) - fmin + 1e-3);
            int band = (int)floor((v + 3.0) * 8.0 / 7.0); /* 1e-3 .. 1e4 over 8 shades */
            band = band < 0 ? 0 : (band > 7 ? 7 : band);
            f->cells[(size_t)(1 + cy) * f->w + cx] =
                (cell){a->ascii ? (uint32_t)ascii_shade[band] : shade[band], (uint8_t)ROLE_DIM};
        }
    /* the minimum(s) */
    double mins[2][2] = {{0, 0}, {0, 0}};
    int n_min = 1;
    if (r->surface == SURF_ROSENBROCK)
        mins[0][0] = 1, mins[0][1] = 1;
    else if (r->surface == SURF_SADDLE)
        mins[0][1] = sqrt(2.0), mins[1][1] = -sqrt(2.0), n_min = 2;
    for (int m = 0; m < n_min; m++) {
        int cx = (int)((mins[m][0] - x0) / (x1 - x0) * mw), cy = (int)((y1 - mins[m][1]) / (y1 - y0) * mh);
        if (cx >= 0 && cx < mw && cy >= 0 && cy < mh)
            f->cells[(size_t)(1 + cy) * f->w + cx] = (cell){a->ascii ? '*' : 0x2605, (uint8_t)ROLE_STRONG};
    }
    /* every path first, then every racer's letter on top, so no trail hides another's letter */
    uint32_t letters[16];
    for (int i = 0; i < r->n && i < 16; i++) { /* the first letter of its name no one else has */
        letters[i] = (uint32_t)('1' + i);
        for (const char *p = r->racers[i].label; *p && letters[i] == (uint32_t)('1' + i); p++) {
            uint32_t up = (uint32_t)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
            bool taken = !(up >= 'A' && up <= 'Z');
            for (int j = 0; j < i; j++)
                taken = taken || letters[j] == up;
            if (!taken)
                letters[i] = up;
        }
    }
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < r->n && i < 16; i++) {
            const racer *c = &r->racers[i];
            for (int s = pass ? r->step : 0; s <= r->step; s++) {
                double x = c->path[2 * s], y = c->path[2 * s + 1];
                if (!isfinite(x) || !isfinite(y))
                    break;
                int cx = (int)((x - x0) / (x1 - x0) * mw), cy = (int)((y1 - y) / (y1 - y0) * mh);
                if (cx < 0 || cx >= mw || cy < 0 || cy >= mh)
                    continue;
                uint32_t ch = pass ? letters[i] : (a->ascii ? '.' : 0x2022);
                f->cells[(size_t)(1 + cy) * f->w + cx] = (cell){ch, (uint8_t)series_role[i % SERIES_GLYPHS]};
            }
        }
    /* legend */
    int lx = mw + 1;
    frame_put(f, lx, 2, ROLE_HEADING, "  racer     distance   f(x,y)", legend_w);
    for (int i = 0; i < r->n; i++) {
        const racer *c = &r->racers[i];
        char line[120], b1[16], b2[16];
        char mark = i < 16 ? (char)letters[i] : '?';
        if (c->diverged)
            snprintf(line, sizeof line, "%c %-9s diverged", mark, c->label);
        else
            snprintf(line, sizeof line, "%c %-9s %-10s %s", mark, c->label,
                     fmt_compact(b1, sizeof b1, surface_distance(r->surface, c->w[0], c->w[1])),
                     fmt_compact(b2, sizeof b2, surface_f(r->surface, c->w[0], c->w[1], NULL, NULL)));
        frame_put(f, lx, 4 + i, series_role[i % SERIES_GLYPHS], line, legend_w);
    }
    char note[120];
    snprintf(note, sizeof note, "start (%g, %g)", r->start[0], r->start[1]);
    frame_put(f, lx, 5 + r->n, ROLE_DIM, note, legend_w);
    frame_put(f, lx, 6 + r->n, ROLE_DIM, a->ascii ? "* minimum" : "\xE2\x98\x85 minimum; darker = higher f", legend_w);
    char hints[200];
    keys_hints(&keys_race, true, hints, sizeof hints);
    frame_fill(f, 0, f->h - 1, f->w, ' ', ROLE_STATUS);
    frame_put(f, 1, f->h - 1, ROLE_STATUS,
              a->race->running ? "[running]  r pause  C back" : hints,
              f->w - 2);
}
