/* bench_ui.c - `deepstep --bench-ui [LESSON.md]`: how long one 160x48 frame takes to render,
 * on the busiest layout (every panel, the deepest lesson net, mid-batch). */
#define _POSIX_C_SOURCE 200809L
#include "bench_ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../ui/app.h"
#include "../ui/dist.h"
#include "../ui/plane.h"
#include "../ui/view.h"
#include "../common/clock.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int bench_ui(const char *lesson_path, int pages_down, double *median_us)
{
    app a;
    app_init(&a);
    ds_error err = {0};
    if (app_open_lesson(&a, lesson_path, &err) != 0) {
        err_print(stderr, &err);
        app_free(&a);
        return 1;
    }
    for (int i = 0; i < pages_down; i++)
        app_key(&a, K_PGDN);
    if (!app_run(&a)) {
        fprintf(stderr, "deepstep --bench-ui: %s has no experiment to step\n", lesson_path);
        app_free(&a);
        return 1;
    }
    for (int i = 0; i < 3; i++) /* history for the sparklines and curves */
        app_key(&a, 'N');
    for (int i = 0; i < 5; i++) /* mid-batch: forward in progress */
        app_key(&a, 'n');
    frame f;
    frame_init(&f, 160, 48);
    app_resize(&a, 160, 48);
    enum { WARMUP = 20, RUNS = 200 };
    double t[RUNS];
    for (int i = 0; i < WARMUP + RUNS; i++) {
        double t0 = 1e6 * mono_seconds();
        view_draw(&a, &f);
        if (i >= WARMUP)
            t[i - WARMUP] = 1e6 * mono_seconds() - t0;
    }
    qsort(t, RUNS, sizeof *t, cmp_double);
    *median_us = t[RUNS / 2];
    printf("bench ui_frame_160x48 median_us=%.1f p90_us=%.1f layers=%d (%s, %d runs)\n", t[RUNS / 2],
           t[RUNS * 9 / 10], app_run(&a)->t.net.n_layers, lesson_path, RUNS);
    frame_free(&f);
    app_free(&a);
    return 0;
}

/* Steps per second of the page's run trained by the engine alone, as `deepstep run` does:
 * no snapshots, no histories, nothing drawn. */
static double engine_rate(session *s, double seconds)
{
    long st0 = s->t.state.step;
    double t0 = mono_seconds(), t;
    while ((t = mono_seconds()) - t0 < seconds && !trainer_done(&s->t))
        trainer_step(&s->t, STEP_BATCH);
    return (double)(s->t.state.step - st0) / (t - t0);
}

int bench_ui_training(const char *lesson_path, double *ratio)
{
    app a;
    app_init(&a);
    ds_error err = {0};
    if (app_open_lesson(&a, lesson_path, &err) != 0 || !app_run(&a)) {
        err_print(stderr, &err);
        app_free(&a);
        return 1;
    }
    app_resize(&a, 160, 48);
    frame f;
    frame_init(&f, 160, 48);
    session *s = app_run(&a);
    double engine = engine_rate(s, 1.0);
    session_reset(s);
    /* the front end's loop with r at full speed: train until the next frame is due, draw it */
    s->running = true;
    s->speed = SPEED_MAX;
    double t0 = mono_seconds(), t, draw_ms = 0, draw_total = 0;
    long frames = 0;
    while ((t = mono_seconds()) - t0 < 1.0 && s->running) {
        app_tick(&a, UI_FRAME_MS - draw_ms);
        double d0 = mono_seconds();
        view_draw(&a, &f);
        draw_ms = 1e3 * (mono_seconds() - d0);
        draw_total += draw_ms;
        frames++;
    }
    double ui = (double)s->t.state.step / (t - t0);
    *ratio = ui / engine;
    printf("bench ui_training steps_per_s=%.0f engine_steps_per_s=%.0f ratio=%.2f frames_per_s=%.0f draw_ms=%.2f   # %s, "
           "r at full speed with a 160x48 frame each %.0f ms (terminal output not included)\n",
           ui, engine, *ratio, frames / (t - t0), frames ? draw_total / frames : 0.0, lesson_path, UI_FRAME_MS);
    frame_free(&f);
    app_free(&a);
    return 0;
}

int bench_plane(const char *lesson_path, int pages_down, double *median_ms)
{
    app a;
    app_init(&a);
    ds_error err = {0};
    if (app_open_lesson(&a, lesson_path, &err) != 0) {
        err_print(stderr, &err);
        app_free(&a);
        return 1;
    }
    app_resize(&a, 160, 48);
    for (int i = 0; i < pages_down; i++)
        app_key(&a, K_PGDN);
    session *s = app_run(&a);
    if (!s || s->t.data->d != 2) {
        fprintf(stderr, "deepstep bench: %s (page %d) has no experiment on 2-D data\n", lesson_path, pages_down + 1);
        app_free(&a);
        return 1;
    }
    app_key(&a, '8'); /* the Data panel in view: at 160x48 it takes the right column */
    s->layer = 0;     /* the first hidden layer: its unit maps are part of the work */
    layout L;
    layout_compute(&a, 160, 48, &L);
    rect r = L.r[P_DATA];
    frame f;
    frame_init(&f, 160, 48);
    enum { WARMUP = 5, RUNS = 60 };
    double t[RUNS];
    for (int i = 0; i < WARMUP + RUNS; i++) {
        session_step(s, STEP_BATCH); /* new weights: the plane is computed again, not taken from the cache */
        double t0 = mono_seconds();
        plane_update(s, r.w, r.h);
        draw_data(&a, &f, r);
        if (i >= WARMUP)
            t[i - WARMUP] = 1e3 * (mono_seconds() - t0);
    }
    qsort(t, RUNS, sizeof *t, cmp_double);
    *median_ms = t[RUNS / 2];
    const plane_cache *p = s->plane;
    printf("bench plane_160x48 median_ms=%.2f p90_ms=%.2f target_ms=5 %s   # %s: %dx%d pixels, %d of %d unit maps "
           "of layer 0, %d rows, net %d layers; plane_update + draw after each batch\n",
           t[RUNS / 2], t[RUNS * 9 / 10], t[RUNS / 2] <= 5.0 ? "ok" : "OVER", lesson_path, p->pw, p->ph, p->n_tiles,
           p->n_units, p->n_pts, s->t.net.n_layers);
    frame_free(&f);
    app_free(&a);
    return 0;
}

int bench_dist(const char *lesson_path)
{
    app a;
    app_init(&a);
    ds_error err = {0};
    if (app_open_lesson(&a, lesson_path, &err) != 0 || !app_run(&a)) {
        err_print(stderr, &err);
        app_free(&a);
        return 1;
    }
    session *s = app_run(&a);
    enum { STEPS = 60 };
    session_step(s, STEP_BATCH); /* warm: the history allocated, the caches filled */
    double t0 = mono_seconds();
    for (int k = 0; k < STEPS; k++)
        session_step(s, STEP_BATCH); /* each records its histograms */
    double t1 = mono_seconds();
    for (int k = 0; k < STEPS; k++)
        dist_record(s); /* the last step's again: the same work alone */
    double t2 = mono_seconds();
    double step_us = 1e6 * (t1 - t0) / STEPS, rec_us = 1e6 * (t2 - t1) / STEPS;
    printf("bench dist_record us_per_step=%.1f step_us=%.1f share_pct=%.1f   # %s: the Distributions panel's "
           "histograms of a and dL/dz per layer, recorded at every step\n", rec_us, step_us, 100 * rec_us / step_us,
           lesson_path);
    app_free(&a);
    return 0;
}
