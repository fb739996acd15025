/* surface.h - 2-D loss surfaces for the optimizer race: every optimizer of optim.h steps on
 * the same two parameters from the same start, so their paths can be drawn and compared.
 *   quadratic   f = (x^2 + 25 y^2) / 2          ill-conditioned bowl, minimum (0, 0)
 *   rosenbrock  f = (1 - x)^2 + 100 (y - x^2)^2 a curved valley, minimum (1, 1)
 *   saddle      f = x^2 - y^2 + y^4 / 4         a saddle at (0, 0), minima (0, +-sqrt 2) */
#ifndef DS_SURFACE_H
#define DS_SURFACE_H

#include "optim.h"

typedef enum surface_kind { SURF_QUADRATIC, SURF_ROSENBROCK, SURF_SADDLE, SURF_COUNT } surface_kind;

const char *surface_name(surface_kind k);
int surface_parse(const char *name, surface_kind *out);
/* f(x, y), and its gradient into gx, gy when non-NULL. */
double surface_f(surface_kind k, double x, double y, double *gx, double *gy);
/* Distance from (x, y) to the nearest minimum, and the smallest value of f. */
double surface_distance(surface_kind k, double x, double y);
double surface_min(surface_kind k);
/* The region a map of the surface shows. */
void surface_view(surface_kind k, double *x0, double *x1, double *y0, double *y1);

#define RACE_MAX_RACERS 8
#define RACE_MAX_STEPS 100000

typedef struct racer {
    char label[32];
    opt_config opt;
    optimizer o;
    float w[2], g[2];
    float *path;   /* (steps + 1, 2) positions */
    bool diverged;
} racer;

typedef struct race {
    surface_kind surface;
    double start[2];
    int steps, step;
    racer racers[RACE_MAX_RACERS];
    int n;
} race;

/* Racers get their optimizers; positions at the start. */
void race_init(race *r, surface_kind k, const double start[2], int steps, const opt_config *opts,
               const char (*labels)[32], int n);
void race_free(race *r);
void race_reset(race *r);
/* One step for every racer; false when the race is over. */
bool race_step(race *r);

#endif
