#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "editor.h"
#include "insight.h"
#include "trace.h"
#include "quiz.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/xalloc.h"
#include "../io/atomic.h"
#include "../io/weights.h"
#include "../common/clock.h"
#include "wrap.h"

void app_init(app *a)
{
    memset(a, 0, sizeof *a);
    a->screen = SCREEN_BROWSER;
    a->cols = 80, a->rows = 24;
    snprintf(a->snapshot_dir, sizeof a->snapshot_dir, ".");
    lab_init(&a->lab);
}

const char *axis_mode_name(axis_mode m)
{
    static const char *const names[AXIS_MODES] = {"auto", "linear", "log"};
    return (unsigned)m < AXIS_MODES ? names[m] : "?";
}

session *app_run(app *a)
{
    return a->les && a->les->experiment >= 0 ? &a->les->runs[a->les->experiment] : NULL;
}

const session *app_run_c(const app *a)
{
    return a->les && a->les->experiment >= 0 ? &a->les->runs[a->les->experiment] : NULL;
}

/* ---- the comparison and the race ---------------------------------------------------- */

void app_close_compare(app *a)
{
    compare_screen *c = a->cmp;
    if (!c)
        return;
    for (int k = 0; k < c->n; k++)
        session_free(&c->runs[k]);
    free(c->runs);
    for (int k = 0; k < c->n_owned; k++)
        experiment_free(&c->owned[k]);
    free(c->owned);
    free(c);
    a->cmp = NULL;
}

int app_page_compare(const app *a)
{
    const lesson *l = &a->les->lesson;
    int found = -1;
    for (int i = 0; i < l->n_compares; i++)
        if (l->compares[i].page <= a->les->page)
            found = i;
    return found < 0 && l->n_compares > 0 ? 0 : found;
}

void app_close_race(app *a)
{
    if (!a->race)
        return;
    race_free(&a->race->race);
    free(a->race);
    a->race = NULL;
}

/* The race block of the page being read (or the last one before it), -1 if none. */
static int page_race(const app *a)
{
    const lesson *l = &a->les->lesson;
    int found = -1;
    for (int i = 0; i < l->n_races; i++)
        if (l->races[i].page <= a->les->page)
            found = i;
    return found;
}

static void open_race(app *a, int k)
{
    app_close_race(a);
    const lesson_race *lr = &a->les->lesson.races[k];
    a->race = xcalloc(1, sizeof *a->race);
    race_init(&a->race->race, lr->surface, lr->start, lr->steps, lr->opts, (const char (*)[32])lr->labels, lr->n);
    a->race->block = k;
    a->screen = SCREEN_RACE;
}

/* C: train the compare block's experiments side by side (or start the page's race). */
void app_open_compare(app *a)
{
    const lesson *l = &a->les->lesson;
    int rk = page_race(a), c = app_page_compare(a);
    if (rk >= 0 && (c < 0 || l->races[rk].page >= l->compares[c].page)) {
        open_race(a, rk);
        return;
    }
    if (c < 0) {
        snprintf(a->message, sizeof a->message, "this lesson has no comparison of experiments (nothing for C to open)");
        return;
    }
    app_close_compare(a);
    const lesson_compare *cmp = &l->compares[c];
    compare_screen *cs = xcalloc(1, sizeof *cs);
    cs->runs = xcalloc((size_t)cmp->n, sizeof(session));
    cs->block = c;
    a->cmp = cs;
    for (int k = 0; k < cmp->n; k++)
        snprintf(cs->names[k], sizeof cs->names[k], "%s", cmp->names[k]);
    for (int k = 0; k < cmp->n; k++) {
        ds_error err = {0};
        if (session_start(&cs->runs[k], &l->experiments[cmp->index[k]], &err) != 0) {
            err_format(&err, a->message, sizeof a->message);
            app_close_compare(a);
            return;
        }
        cs->n++;
    }
    a->screen = SCREEN_COMPARE;
}

int app_compare_experiments(app *a, experiment *xs, const char (*names)[64], int n)
{
    app_close_compare(a);
    compare_screen *cs = xcalloc(1, sizeof *cs);
    cs->block = -1;
    cs->owned = xs;
    cs->n_owned = n;
    cs->runs = xcalloc((size_t)n, sizeof(session));
    a->cmp = cs;
    for (int k = 0; k < n && k < COMPARE_MAX; k++) {
        ds_error err = {0};
        snprintf(cs->names[k], sizeof cs->names[k], "%s", names[k]);
        if (session_start(&cs->runs[k], &xs[k], &err) != 0) {
            err_format(&err, a->message, sizeof a->message);
            app_close_compare(a);
            return -1;
        }
        cs->n++;
    }
    a->screen = SCREEN_COMPARE;
    return 0;
}

/* One batch (or epoch) for every compared experiment that is not finished. */
void app_compare_step(app *a, step_size size)
{
    for (int k = 0; k < a->cmp->n; k++)
        if (!trainer_done(&a->cmp->runs[k].t))
            session_step(&a->cmp->runs[k], size);
}

bool app_compare_done(const app *a)
{
    for (int k = 0; k < a->cmp->n; k++)
        if (!trainer_done(&a->cmp->runs[k].t))
            return false;
    return true;
}

/* ---- the lesson and its runs ----------------------------------------------------------- */

void app_close_lesson(app *a)
{
    lesson_screen *ls = a->les;
    if (!ls)
        return;
    app_close_race(a);
    app_close_compare(a);
    trace_free(ls->trace);
    quiz_free(ls->quiz);
    for (int k = 0; k < ls->lesson.n_experiments; k++)
        session_free(&ls->runs[k]);
    for (int k = 0; ls->edits && k < ls->lesson.n_experiments; k++)
        editor_free(ls->edits[k]); /* after the runs, which borrow the applied blocks' expectations */
    free(ls->edits);
    free(ls->runs);
    free(ls->picked);
    md_doc_free(&ls->text.doc);
    lesson_free(&ls->lesson);
    free(ls);
    a->les = NULL;
}

void app_free(app *a)
{
    app_close_lesson(a);
    free(a->list.entries);
    memset(a, 0, sizeof *a);
}

int app_page_experiment(const app *a)
{
    const lesson *l = &a->les->lesson;
    int found = -1;
    for (int i = 0; i < l->n_experiments; i++)
        if (l->experiment_page[i] == a->les->page)
            return i; /* the page's own first experiment: the one its text introduces first */
        else if (l->experiment_page[i] < a->les->page)
            found = i;
    return found;
}

/* Show run K, starting it the first time (a failure to start is said, and nothing shown). */
static void show_run(app *a, int k)
{
    lesson_screen *ls = a->les;
    ls->experiment = -1;
    if (k < 0)
        return;
    if (!ls->runs[k].active) {
        ds_error err = {0};
        if (session_start(&ls->runs[k], &ls->lesson.experiments[k], &err) != 0) {
            session_free(&ls->runs[k]);
            memset(&ls->runs[k], 0, sizeof ls->runs[k]);
            err_format(&err, a->message, sizeof a->message);
            return;
        }
    }
    ls->experiment = k;
    ls->picked[ls->lesson.experiment_page[k]] = k;
    quiz_sync(a); /* a new run stops at its questions from its first step */
}

/* Show the run of the page's experiment: the one last shown on that page (o picks among a
 * page's experiments), else its last. A run left behind keeps its state for the way back. */
void app_follow_page(app *a)
{
    lesson_screen *ls = a->les;
    int want = app_page_experiment(a);
    if (want < 0 && ls->lesson.n_experiments > 0)
        want = 0; /* pages before the first experiment show it already */
    if (want >= 0 && ls->picked[ls->lesson.experiment_page[want]] >= 0)
        want = ls->picked[ls->lesson.experiment_page[want]]; /* the one picked there with o */
    int cur = ls->experiment;
    if (want == cur)
        return;
    if (ls->runs && cur >= 0)
        ls->runs[cur].running = false; /* a run out of sight does not train on */
    show_run(a, want);
}

bool app_next_experiment(app *a)
{
    lesson_screen *ls = a->les;
    int cur = ls->experiment;
    if (cur < 0)
        return false;
    int page = ls->lesson.experiment_page[cur], n = ls->lesson.n_experiments;
    for (int k = 1; k < n; k++) {
        int j = (cur + k) % n;
        if (ls->lesson.experiment_page[j] == page) {
            ls->runs[cur].running = false;
            show_run(a, j);
            if (ls->experiment < 0)
                show_run(a, cur);
            return true;
        }
    }
    return false;
}

int app_open_lesson(app *a, const char *path, ds_error *err)
{
    lesson l;
    if (lesson_load(&l, path, err) != 0)
        return -1;
    app_close_lesson(a);
    lesson_screen *ls = xcalloc(1, sizeof *ls);
    ls->lesson = l;
    ls->runs = xcalloc(l.n_experiments > 0 ? (size_t)l.n_experiments : 1, sizeof *ls->runs);
    ls->picked = xcalloc((size_t)l.n_pages, sizeof *ls->picked);
    ls->quiz = quiz_new(l.n_asks);
    for (int p = 0; p < l.n_pages; p++)
        ls->picked[p] = -1;
    ls->experiment = -1;
    ls->focus = P_LESSON;
    ls->detail = P_INSPECTOR;
    ls->text.page = -1;
    a->les = ls;
    a->screen = SCREEN_LESSON;
    a->message[0] = '\0';
    app_follow_page(a);
    app_sync(a);
    return 0;
}

void narration_layout(const session *s, int width, narration_text *out)
{
    out->n_text = narrate(s, out->text);
    if (s->gradcheck[0])
        snprintf(out->text[out->n_text++], NARRATE_COLS, "%s", s->gradcheck);
    out->n_rows = 0;
    for (int i = 0; i < out->n_text; i++) {
        int pos = 0, len = (int)strlen(out->text[i]);
        bool cont = false; /* continuations are drawn indented by 2, so they wrap 2 narrower */
        wrap_line ln;
        while (out->n_rows < NARRATION_ROWS && wrap_next(out->text[i], len, &pos, cont ? width - 2 : width, &ln)) {
            out->rows[out->n_rows++] = (narration_row){(short)i, cont, ln.start, ln.len};
            cont = true;
        }
    }
}

int narration_room(int panel_h, int n_rows, int *most)
{
    int room = panel_h - 1; /* below the title */
    if (n_rows > room && room > 1)
        room--; /* the last row says there is more, and where */
    *most = n_rows - room > 0 ? n_rows - room : 0;
    return room;
}

void app_resize(app *a, int cols, int rows)
{
    a->cols = cols, a->rows = rows;
    app_sync(a);
}

void app_sync(app *a)
{
    lesson_screen *ls = a->les;
    if (!ls)
        return;
    if (panel_is_detail(ls->focus))
        ls->detail = ls->focus;
    layout L;
    layout_compute(a, a->cols, a->rows, &L);
    const lesson_page *pg = &ls->lesson.pages[ls->page];
    int w = L.visible[P_LESSON] ? L.r[P_LESSON].w : 0;
    if (w > 0 && (ls->text.page != ls->page || ls->text.width != w)) {
        md_doc_free(&ls->text.doc);
        md_render(&ls->text.doc, ls->lesson.src + pg->begin, pg->end - pg->begin, w);
        ls->text.page = ls->page, ls->text.width = w;
    }
    /* the lesson panel's body: its height less the title line it has beside a run */
    int body = L.visible[P_LESSON] ? L.r[P_LESSON].h - (app_run(a) ? 1 : 0) : 0;
    int max_scroll = ls->text.doc.n - body > 0 ? ls->text.doc.n - body : 0;
    if (ls->scroll > max_scroll)
        ls->scroll = max_scroll;
    if (ls->scroll < 0)
        ls->scroll = 0;
    if (L.visible[P_NARRATION] && app_run(a)) { /* the narration: its rows below the title */
        static narration_text nr; /* 13 KB: kept off the stack; the UI has one thread */
        narration_layout(app_run(a), L.r[P_NARRATION].w - 2, &nr);
        int most;
        narration_room(L.r[P_NARRATION].h, nr.n_rows, &most);
        ls->narr_scroll = ls->narr_scroll > most ? most : (ls->narr_scroll < 0 ? 0 : ls->narr_scroll);
    }
    quiz_sync(a);
    if (ls->editing && ls->experiment >= 0 && ls->edits && ls->edits[ls->experiment]) /* a resize: sel stays in view */
        editor_scroll(ls->edits[ls->experiment], editor_room(editor_box(a->cols, a->rows).h));
    insight_refresh(a);
}

/* ---- files the learner asks for ---------------------------------------------------- */

static void file_stem(const app *a, char *buf, size_t cap, const char *ext)
{
    const char *lpath = a->les ? a->les->lesson.path : "deepstep";
    const char *slash = strrchr(lpath, '/');
    const char *base = slash ? slash + 1 : lpath;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    /* the screen saved names the file: a race's steps are not the lesson run's */
    if (a->screen == SCREEN_RACE && a->race)
        snprintf(buf, cap, "%s/%.*s-race-step%d%s", a->snapshot_dir, (int)n, base, a->race->race.step, ext);
    else if (a->screen == SCREEN_COMPARE && a->cmp) /* the comparison's own step */
        snprintf(buf, cap, "%s/%.*s-compare-step%ld%s", a->snapshot_dir, (int)n, base, a->cmp->runs[0].t.state.step, ext);
    else
        snprintf(buf, cap, "%s/%.*s-step%ld%s", a->snapshot_dir, (int)n, base,
                 app_run_c(a) ? app_run_c(a)->t.state.step : 0L, ext);
}

void app_save_weights(app *a)
{
    char path[700];
    file_stem(a, path, sizeof path, ".npz");
    ds_error err = {0};
    if (weights_save(&app_run(a)->t.net, path, &err) != 0)
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

/* What every change of the run needs, a key's or a running frame's: a divergence stops it,
 * the selection stays inside the batch (the last batch of an epoch is smaller), and an
 * ensemble is scored when its first member finishes (and forgotten when it is not finished). */
static void after_training(app *a)
{
    session *s = app_run(a);
    if (s->t.state.div.happened)
        s->running = false;
    session_clamp_selection(s);
    if (!trainer_done(&s->t))
        s->ens_done = false, s->ens_acc = s->ens_test_acc = NAN;
    if (session_finish_ensemble(s)) { /* the page's claim is about all K members: train the rest */
        bool test = !isnan(s->ens_test_acc);
        snprintf(a->message, sizeof a->message,
                 "ensemble of %d: the other %d members trained (seeds %llu..%llu); averaged, %s acc %.1f%% "
                 "against this net's %.1f%%",
                 s->ens_members, s->ens_members - 1, (unsigned long long)s->cfg.train.seed + 1,
                 (unsigned long long)s->cfg.train.seed + (unsigned long long)s->ens_members - 1, test ? "test" : "val",
                 100 * (test ? s->ens_test_acc : s->ens_acc), 100 * (test ? s->ens_member_test_acc : s->ens_member_acc[0]));
    }
}

void app_after_step(app *a)
{
    session *s = app_run(a);
    a->message[0] = '\0'; /* the learner stepped: last key's message and check are old news */
    s->gradcheck[0] = '\0';
    a->les->narr_scroll = 0; /* a new step's story starts at its top */
    after_training(a);
}

bool app_running(const app *a)
{
    switch (a->screen) {
    case SCREEN_RACE: return a->race && a->race->running;
    case SCREEN_COMPARE: return a->cmp && a->cmp->running;
    case SCREEN_LESSON: return app_run_c(a) && app_run_c(a)->running;
    default: return false;
    }
}

bool app_tick(app *a, double budget_ms)
{
    if (!app_running(a))
        return false;
    if (a->screen == SCREEN_RACE) { /* a few steps a frame, so the paths grow visibly */
        for (int i = 0; i < 2; i++)
            if (!race_step(&a->race->race))
                a->race->running = false;
        return true;
    }
    double start = 1e3 * mono_seconds();
    if (a->screen == SCREEN_COMPARE) { /* lockstep: a batch each, as time allows */
        while (!app_compare_done(a) && 1e3 * mono_seconds() - start < budget_ms)
            app_compare_step(a, STEP_BATCH);
        if (app_compare_done(a))
            a->cmp->running = false;
        return true;
    }
    session *s = app_run(a);
    long limit = s->speed >= SPEED_MAX ? -1 : 1L << (2 * s->speed); /* 4^speed micro-steps */
    for (long k = 0; (limit < 0 || k < limit) && !trainer_done(&s->t); k++) {
        session_step(s, limit < 0 ? STEP_BATCH : STEP_MICRO); /* full speed: whole batches */
        if (s->held || s->t.state.div.happened || 1e3 * mono_seconds() - start > budget_ms)
            break;
    }
    s->gradcheck[0] = '\0'; /* it was about a batch that is gone */
    after_training(a);      /* not app_after_step: the last key's message stays while it runs */
    if (trainer_done(&s->t))
        s->running = false;
    insight_refresh(a);
    return true;
}
