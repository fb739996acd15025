#include "surface.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "../common/xalloc.h"

static const char *const names[SURF_COUNT] = {"quadratic", "rosenbrock", "saddle"};

const char *surface_name(surface_kind k) { return (k >= 0 && k < SURF_COUNT) ? names[k] : "?"; }

int surface_parse(const char *name, surface_kind *out)
{
    for (int i = 0; i < SURF_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (surface_kind)i;
            return 0;
        }
    return -1;
}

double surface_f(surface_kind k, double x, double y, double *gx, double *gy)
{
    double f, dx, dy;
    switch (k) {
    case SURF_ROSENBROCK:
        f = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
        dx = -2 * (1 - x) - 400 * x * (y - x * x);
        dy = 200 * (y - x * x);
        break;
    case SURF_SADDLE:
        f = x * x - y * y + y * y * y * y / 4;
        dx = 2 * x;
        dy = -2 * y + y * y * y;
        break;
    default:
        f = 0.5 * (x * x + 25 * y * y);
        dx = x;
        dy = 25 * y;
        break;
    }
    if (gx)
        *gx = dx;
    if (gy)
        *gy = dy;
    return f;
}

double surface_distance(surface_kind k, double x, double y)
{
    switch (k) {
    case SURF_ROSENBROCK: return hypot(x - 1, y - 1);
    case SURF_SADDLE: return fmin(hypot(x, y - sqrt(2.0)), hypot(x, y + sqrt(2.0)));
    default: return hypot(x, y);
    }
}

double surface_min(surface_kind k) { return k == SURF_SADDLE ? -1.0 : 0.0; }

void surface_view(surface_kind k, double *x0, double *x1, double *y0, double *y1)
{
    switch (k) {
    case SURF_ROSENBROCK: *x0 = -2, *x1 = 2, *y0 = -1, *y1 = 3; break;
    case SURF_SADDLE: *x0 = -2, *x1 = 2, *y0 = -2, *y1 = 2; break;
    default: *x0 = -5, *x1 = 5, *y0 = -2, *y1 = 2; break;
    }
}

void race_init(race *r, surface_kind k, const double start[2], int steps, const opt_config *opts,
               const char (*labels)[32], int n)
{
    memset(r, 0, sizeof *r);
    r->surface = k;
    r->start[0] = start[0], r->start[1] = start[1];
    r->steps = steps;
    r->n = n;
    for (int i = 0; i < n; i++) {
        racer *c = &r->racers[i];
        snprintf(c->label, sizeof c->label, "%s", labels[i]);
        c->opt = opts[i];
        c->path = xcalloc(2 * ((size_t)steps + 1), sizeof(float));
    }
    race_reset(r);
}

void race_reset(race *r)
{
    r->step = 0;
    for (int i = 0; i < r->n; i++) {
        racer *c = &r->racers[i];
        optim_free(&c->o);
        optim_init(&c->o, &c->opt, 2);
        c->w[0] = (float)r->start[0];
        c->w[1] = (float)r->start[1];
        c->path[0] = c->w[0], c->path[1] = c->w[1];
        c->diverged = false;
    }
}

void race_free(race *r)
{
    for (int i = 0; i < r->n; i++) {
        optim_free(&r->racers[i].o);
        free(r->racers[i].path);
    }
    memset(r, 0, sizeof *r);
}

bool race_step(race *r)
{
    if (r->step >= r->steps)
        return false;
    r->step++;
    for (int i = 0; i < r->n; i++) {
        racer *c = &r->racers[i];
        if (!c->diverged) {
            double gx, gy;
            surface_f(r->surface, c->w[0], c->w[1], &gx, &gy);
            c->g[0] = (float)gx, c->g[1] = (float)gy;
            optim_begin(&c->o, c->g, 2);
            optim_update(&c->o, c->w, c->g, 0, 2, c->opt.lr);
            c->diverged = !isfinite(c->w[0]) || !isfinite(c->w[1]);
        }
        c->path[2 * r->step] = c->w[0];
        c->path[2 * r->step + 1] = c->w[1];
    }
    return r->step < r->steps;
}
