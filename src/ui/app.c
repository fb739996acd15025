#define _POSIX_C_SOURCE 200809L
#include "app.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/xalloc.h"
#include "../io/atomic.h"
#include "../io/weights.h"
#include "../common/clock.h"

void app_init(app *a)
{
    memset(a, 0, sizeof *a);
    a->screen = SCREEN_BROWSER;
    a->experiment = -1;
    a->focus = P_LESSON;
    a->cache = xcalloc(1, sizeof *a->cache);
    a->cache->page = -1;
    snprintf(a->snapshot_dir, sizeof a->snapshot_dir, ".");
    lab_init(&a->lab);
}

void app_close_compare(app *a)
{
    for (int k = 0; k < a->n_cmp; k++)
        session_free(&a->cmp[k]);
    free(a->cmp);
    a->cmp = NULL;
    a->n_cmp = 0;
    a->cmp_running = false;
}

int app_page_compare(const app *a)
{
    int found = -1;
    for (int i = 0; i < a->lesson.n_compares; i++)
        if (a->lesson.compares[i].page <= a->page)
            found = i;
    return found < 0 && a->lesson.n_compares > 0 ? 0 : found;
}

void app_close_race(app *a)
{
    if (a->has_race)
        race_free(&a->race);
    a->has_race = a->race_running = false;
}

/* The race block of the page being read (or the last one before it), -1 if none. */
static int page_race(const app *a)
{
    int found = -1;
    for (int i = 0; i < a->lesson.n_races; i++)
        if (a->lesson.races[i].page <= a->page)
            found = i;
    return found;
}

static void open_race(app *a, int k)
{
    app_close_race(a);
    const lesson_race *lr = &a->lesson.races[k];
    race_init(&a->race, lr->surface, lr->start, lr->steps, lr->opts, (const char (*)[32])lr->labels, lr->n);
    a->has_race = true;
    a->race_block = k;
    a->screen = SCREEN_RACE;
}

/* C: train the compare block's experiments side by side (or start the page's race). */
void app_open_compare(app *a)
{
    int rk = page_race(a);
    if (rk >= 0 && (app_page_compare(a) < 0 || a->lesson.races[rk].page >= a->lesson.compares[app_page_compare(a)].page)) {
        open_race(a, rk);
        return;
    }
    int c = app_page_compare(a);
    if (c < 0) {
        snprintf(a->message, sizeof a->message, "this lesson has no comparison (a ```deepstep compare block)");
        return;
    }
    app_close_compare(a);
    const lesson_compare *cmp = &a->lesson.compares[c];
    a->cmp = xcalloc((size_t)cmp->n, sizeof(session));
    for (int k = 0; k < cmp->n; k++) {
        ds_error err = {0};
        if (session_start(&a->cmp[k], &a->lesson.experiments[cmp->index[k]], &err) != 0) {
            err_format(&err, a->message, sizeof a->message);
            app_close_compare(a);
            return;
        }
        a->n_cmp++;
    }
    a->cmp_block = c;
    a->screen = SCREEN_COMPARE;
}

/* One batch (or epoch) for every compared experiment that is not finished. */
void app_compare_step(app *a, step_size size)
{
    for (int k = 0; k < a->n_cmp; k++)
        if (!trainer_done(&a->cmp[k].t))
            session_step(&a->cmp[k], size);
}

bool app_compare_done(const app *a)
{
    for (int k = 0; k < a->n_cmp; k++)
        if (!trainer_done(&a->cmp[k].t))
            return false;
    return true;
}

void app_close_session(app *a)
{
    if (a->has_session)
        session_free(&a->s);
    a->has_session = false;
    a->experiment = -1;
}

void app_free(app *a)
{
    app_close_race(a);
    app_close_compare(a);
    app_close_session(a);
    if (a->has_lesson)
        lesson_free(&a->lesson);
    free(a->entries);
    if (a->cache)
        md_doc_free(&a->cache->doc);
    free(a->cache);
    memset(a, 0, sizeof *a);
}

int app_page_experiment(const app *a)
{
    int found = -1;
    for (int i = 0; i < a->lesson.n_experiments; i++)
        if (a->lesson.experiment_page[i] <= a->page)
            found = i;
    return found;
}

/* Start (or keep) the session of the experiment that belongs to the current page. */
void app_follow_page(app *a)
{
    int want = app_page_experiment(a);
    if (want < 0 && a->lesson.n_experiments > 0)
        want = 0; /* pages before the first experiment show it already */
    if (want == a->experiment)
        return;
    app_close_session(a);
    if (want < 0)
        return;
    ds_error err = {0};
    if (session_start(&a->s, &a->lesson.experiments[want], &err) != 0) {
        err_format(&err, a->message, sizeof a->message);
        return;
    }
    a->has_session = true;
    a->experiment = want;
}

int app_open_lesson(app *a, const char *path, ds_error *err)
{
    lesson l;
    if (lesson_load(&l, path, err) != 0)
        return -1;
    app_close_session(a);
    if (a->has_lesson)
        lesson_free(&a->lesson);
    a->lesson = l;
    a->has_lesson = true;
    a->screen = SCREEN_LESSON;
    a->page = 0;
    a->scroll = 0;
    a->message[0] = '\0';
    a->cache->page = -1;
    a->focus = P_LESSON;
    app_follow_page(a);
    return 0;
}

/* ---- files the learner asks for ---------------------------------------------------- */

static void file_stem(const app *a, char *buf, size_t cap, const char *ext)
{
    const char *slash = strrchr(a->lesson.path, '/');
    const char *base = slash ? slash + 1 : a->lesson.path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    snprintf(buf, cap, "%s/%.*s-step%ld%s", a->snapshot_dir, (int)n, base, a->has_session ? a->s.t.state.step : 0L, ext);
}

void app_save_weights(app *a)
{
    char path[700];
    file_stem(a, path, sizeof path, ".npz");
    ds_error err = {0};
    if (weights_save(&a->s.t.net, path, &err) != 0)
        err_format(&err, a->message, sizeof a->message);
    else
        snprintf(a->message, sizeof a->message, "weights saved to %s", path);
}

int app_save_screen(app *a, const frame *f)
{
    char path[700];
    file_stem(a, path, sizeof path, ".txt");
    atomic_file af;
    ds_error err = {0};
    if (atomic_open(&af, path, &err) != 0) {
        err_format(&err, a->message, sizeof a->message);
        return -1;
    }
    char row[4096];
    for (int y = 0; y < f->h; y++) {
        frame_row_text(f, y, row, sizeof row);
        fprintf(af.f, "%s\n", row);
    }
    if (atomic_commit(&af, &err) != 0) {
        err_format(&err, a->message, sizeof a->message);
        return -1;
    }
    snprintf(a->message, sizeof a->message, "screen saved to %s", path);
    return 0;
}

void app_after_step(app *a)
{
    a->message[0] = '\0';
    a->s.gradcheck[0] = '\0';
    if (a->s.t.state.div.happened)
        a->s.running = false;
}

bool app_tick(app *a, double budget_ms)
{
    if (a->screen == SCREEN_RACE && a->race_running) { /* a few steps a frame, so the paths grow visibly */
        for (int i = 0; i < 2; i++)
            if (!race_step(&a->race))
                a->race_running = false;
        return true;
    }
    if (a->screen == SCREEN_COMPARE && a->cmp_running) { /* lockstep: a batch each, as time allows */
        double start = 1e3 * mono_seconds();
        while (!app_compare_done(a) && 1e3 * mono_seconds() - start < budget_ms)
            app_compare_step(a, STEP_BATCH);
        if (app_compare_done(a))
            a->cmp_running = false;
        return true;
    }
    if (!a->has_session || !a->s.running)
        return false;
    session *s = &a->s;
    double start = 1e3 * mono_seconds();
    long limit = s->speed >= SPEED_MAX ? -1 : 1L << (2 * s->speed); /* 4^speed micro-steps */
    for (long k = 0; (limit < 0 || k < limit) && !trainer_done(&s->t); k++) {
        session_step(s, STEP_MICRO);
        if (s->t.state.div.happened || 1e3 * mono_seconds() - start > budget_ms)
            break;
    }
    app_after_step(a);
    if (trainer_done(&s->t))
        s->running = false;
    return true;
}
