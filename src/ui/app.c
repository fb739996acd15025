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

static void close_compare(app *a)
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

static void close_race(app *a)
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
    close_race(a);
    const lesson_race *lr = &a->lesson.races[k];
    race_init(&a->race, lr->surface, lr->start, lr->steps, lr->opts, (const char (*)[32])lr->labels, lr->n);
    a->has_race = true;
    a->race_block = k;
    a->screen = SCREEN_RACE;
}

static void race_key(app *a, int key)
{
    switch (key) {
    case 'n': case ' ': race_step(&a->race); break;
    case 'N': case 'e':
        for (int i = 0; i < 100 && race_step(&a->race); i++)
            ;
        break;
    case 'r': a->race_running = !a->race_running && a->race.step < a->race.steps; break;
    case 'R': race_reset(&a->race); a->race_running = false; break;
    case 'C': case K_ESC: close_race(a); a->screen = SCREEN_LESSON; break;
    case 'q': a->quit = true; break;
    default: break;
    }
}

/* C: train the compare block's experiments side by side (or start the page's race). */
static void open_compare(app *a)
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
    close_compare(a);
    const lesson_compare *cmp = &a->lesson.compares[c];
    a->cmp = xcalloc((size_t)cmp->n, sizeof(session));
    for (int k = 0; k < cmp->n; k++) {
        ds_error err = {0};
        if (session_start(&a->cmp[k], &a->lesson.experiments[cmp->index[k]], &err) != 0) {
            err_format(&err, a->message, sizeof a->message);
            close_compare(a);
            return;
        }
        a->n_cmp++;
    }
    a->cmp_block = c;
    a->screen = SCREEN_COMPARE;
}

/* One batch (or epoch) for every compared experiment that is not finished. */
static void compare_step(app *a, step_size size)
{
    for (int k = 0; k < a->n_cmp; k++)
        if (!trainer_done(&a->cmp[k].t))
            session_step(&a->cmp[k], size);
}

static bool compare_done(const app *a)
{
    for (int k = 0; k < a->n_cmp; k++)
        if (!trainer_done(&a->cmp[k].t))
            return false;
    return true;
}

static void compare_key(app *a, int key)
{
    switch (key) {
    case 'n': case ' ': case 'N': compare_step(a, STEP_BATCH); break;
    case 'e': compare_step(a, STEP_EPOCH); break;
    case 'r': a->cmp_running = !a->cmp_running && !compare_done(a); break;
    case 'R':
        for (int k = 0; k < a->n_cmp; k++)
            session_reset(&a->cmp[k]);
        break;
    case 'C': case K_ESC:
        close_compare(a);
        a->screen = SCREEN_LESSON;
        break;
    case 'q': a->quit = true; break;
    default: break;
    }
}

static void close_session(app *a)
{
    if (a->has_session)
        session_free(&a->s);
    a->has_session = false;
    a->experiment = -1;
}

void app_free(app *a)
{
    close_race(a);
    close_compare(a);
    close_session(a);
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
static void follow_page(app *a)
{
    int want = app_page_experiment(a);
    if (want < 0 && a->lesson.n_experiments > 0)
        want = 0; /* pages before the first experiment show it already */
    if (want == a->experiment)
        return;
    close_session(a);
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
    close_session(a);
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
    follow_page(a);
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

static void save_weights(app *a)
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

/* ---- the stepper's keys ------------------------------------------------------------- */

static void after_step(app *a)
{
    a->message[0] = '\0';
    a->s.gradcheck[0] = '\0';
    if (a->s.t.state.div.happened)
        a->s.running = false;
}

static void toggle_clip(app *a)
{
    trainer *t = &a->s.t;
    if (t->cfg.clip == CLIP_NONE) {
        bool from_lesson = a->s.cfg.train.clip != CLIP_NONE;
        t->cfg.clip = from_lesson ? a->s.cfg.train.clip : CLIP_NORM;
        t->cfg.clip_value = from_lesson ? a->s.cfg.train.clip_value : 1.0f;
        snprintf(a->message, sizeof a->message, "clipping on: %s %g", clip_name(t->cfg.clip), (double)t->cfg.clip_value);
    } else {
        t->cfg.clip = CLIP_NONE;
        snprintf(a->message, sizeof a->message, "clipping off");
    }
}

static void scale_lr(app *a, double factor)
{
    trainer *t = &a->s.t;
    t->cfg.opt.lr = (float)(t->cfg.opt.lr * factor);
    t->state.lr = trainer_lr_at(t, t->state.step, t->state.epoch);
    snprintf(a->message, sizeof a->message, "learning rate %g (takes effect from the next update)", (double)t->state.lr);
}

static void start_prompt(app *a)
{
    long j = session_selected_param(&a->s);
    if (j < 0) {
        snprintf(a->message, sizeof a->message,
                 "select a weight first: focus the inspector (Tab), press i until it shows W or b, move with the arrows");
        return;
    }
    a->prompting = true;
    snprintf(a->prompt, sizeof a->prompt, "%.6g", (double)a->s.t.net.params[j]);
}

static void prompt_key(app *a, int key)
{
    size_t n = strlen(a->prompt);
    if (key == K_ESC) {
        a->prompting = false;
        return;
    }
    if (key == K_ENTER) {
        char *end;
        double v = strtod(a->prompt, &end);
        a->prompting = false;
        if (end == a->prompt || *end != '\0' || !isfinite(v)) {
            snprintf(a->message, sizeof a->message, "'%s' is not a number; the weight is unchanged", a->prompt);
            return;
        }
        long j = session_selected_param(&a->s);
        session_set_param(&a->s, j, (float)v);
        snprintf(a->message, sizeof a->message, "weight set to %g; step on (n) to see what follows", v);
        return;
    }
    if (key == K_BACKSPACE) {
        if (n > 0)
            a->prompt[n - 1] = '\0';
        return;
    }
    if (n + 1 < sizeof a->prompt && key < 0x80 && (strchr("0123456789.-+eE", key) && key != 0))
        a->prompt[n] = (char)key, a->prompt[n + 1] = '\0';
}

static void move_selection(app *a, int drow, int dcol)
{
    session *s = &a->s;
    s->row += drow;
    s->col += dcol;
    session_clamp_selection(s);
}

static void focus_key(app *a, int key)
{
    session *s = &a->s;
    switch (a->focus) {
    case P_NETWORK:
        if (key == K_LEFT || key == 'h')
            s->layer--;
        else if (key == K_RIGHT || key == 'l')
            s->layer++;
        else if (key == K_ENTER)
            a->focus = P_INSPECTOR;
        session_clamp_selection(s);
        break;
    case P_INSPECTOR:
        if (key == K_LEFT || key == 'h') move_selection(a, 0, -1);
        else if (key == K_RIGHT || key == 'l') move_selection(a, 0, 1);
        else if (key == K_UP || key == 'k') move_selection(a, -1, 0);
        else if (key == K_DOWN || key == 'j') move_selection(a, 1, 0);
        break;
    default: /* the lesson text and the rest scroll */
        if (key == K_DOWN || key == 'j')
            a->scroll++;
        else if ((key == K_UP || key == 'k') && a->scroll > 0)
            a->scroll--;
        else if (key == K_HOME)
            a->scroll = 0;
        break;
    }
}

/* i: the inspector's buffer cycles input, z, a, W, b, state; g: a value <-> its gradient. */
static void cycle_buffer(session *s)
{
    static const inspect_buffer order[] = {BUF_INPUT, BUF_Z, BUF_A, BUF_W, BUF_B, BUF_STATE};
    int n = (int)(sizeof order / sizeof *order), at = 0;
    inspect_buffer base = s->buf == BUF_DA ? BUF_A : s->buf == BUF_DZ ? BUF_Z : s->buf == BUF_DW ? BUF_W
                          : s->buf == BUF_DB ? BUF_B : s->buf;
    for (int i = 0; i < n; i++)
        if (order[i] == base)
            at = i;
    for (int k = 1; k <= n; k++) { /* the next one this layer has */
        inspect_buffer b = order[(at + k) % n];
        int r, c;
        if (session_buffer(s, b, &r, &c)) {
            s->buf = b;
            break;
        }
    }
    session_clamp_selection(s);
}

static void toggle_gradient(session *s)
{
    switch (s->buf) {
    case BUF_A: s->buf = BUF_DA; break;
    case BUF_DA: s->buf = BUF_A; break;
    case BUF_Z: s->buf = BUF_DZ; break;
    case BUF_DZ: s->buf = BUF_Z; break;
    case BUF_W: s->buf = BUF_DW; break;
    case BUF_DW: s->buf = BUF_W; break;
    case BUF_B: s->buf = BUF_DB; break;
    case BUF_DB: s->buf = BUF_B; break;
    default: break;
    }
}

static bool stepper_key(app *a, int key)
{
    session *s = &a->s;
    switch (key) {
    case 'n': case ' ': session_step(s, STEP_MICRO); after_step(a); return true;
    case 'b': case K_BACKSPACE:
        if (!session_back(s))
            snprintf(a->message, sizeof a->message, "already at the beginning");
        else
            after_step(a);
        return true;
    case 'N': session_step(s, STEP_BATCH); after_step(a); return true;
    case 'e': session_step(s, STEP_EPOCH); after_step(a); return true;
    case 'r':
        s->running = !s->running && !trainer_done(&s->t);
        return true;
    case '+': if (s->speed < SPEED_MAX) s->speed++; return true;
    case '-': if (s->speed > 0) s->speed--; return true;
    case 'R': session_reset(s); snprintf(a->message, sizeof a->message, "back to the start"); return true;
    case 'g': toggle_gradient(s); session_clamp_selection(s); return true;
    case 'i': cycle_buffer(s); return true;
    case 'v': s->heatmap = !s->heatmap; return true;
    case 'c': toggle_clip(a); return true;
    case '[': scale_lr(a, 0.5); return true;
    case ']': scale_lr(a, 2.0); return true;
    case 'x': start_prompt(a); return true;
    case 'd': session_gradcheck(s); return true;
    case 's': save_weights(a); return true;
    default: return false;
    }
}

static panel_id next_visible(const app *a, int dir)
{
    int p = a->focus;
    for (int k = 0; k < P_COUNT; k++) {
        p = (p + dir + P_COUNT) % P_COUNT;
        if (a->visible[p])
            return (panel_id)p;
    }
    return a->focus;
}

static void click(app *a)
{
    for (int p = 0; p < P_COUNT; p++) {
        rect r = a->rects[p];
        if (a->visible[p] && a->mouse_x >= r.x && a->mouse_x < r.x + r.w && a->mouse_y >= r.y &&
            a->mouse_y < r.y + r.h) {
            a->focus = (panel_id)p;
            if (p == P_NETWORK && a->has_session && r.w > 0) { /* layers are laid out evenly */
                int n = a->s.t.net.n_layers + 1, slot = (a->mouse_x - r.x) * n / r.w - 1;
                if (slot >= 0) {
                    a->s.layer = slot;
                    session_clamp_selection(&a->s);
                }
            }
        }
    }
}

static void lesson_key(app *a, int key)
{
    if (a->prompting) {
        prompt_key(a, key);
        return;
    }
    if (a->has_session && stepper_key(a, key))
        return;
    switch (key) {
    case K_PGDN:
        if (a->page + 1 < a->lesson.n_pages)
            a->page++, a->scroll = 0;
        follow_page(a);
        break;
    case K_PGUP:
        if (a->page > 0)
            a->page--, a->scroll = 0;
        follow_page(a);
        break;
    case K_TAB: a->focus = next_visible(a, 1); break;
    case K_BTAB: a->focus = next_visible(a, -1); break;
    case K_WHEEL_DOWN: a->scroll++; break;
    case K_WHEEL_UP: if (a->scroll > 0) a->scroll--; break;
    case K_MOUSE: click(a); break;
    case 'S': a->message[0] = '\0'; break; /* the terminal front end saves the frame it drew */
    case 'C': open_compare(a); break;
    case K_ESC:
        if (a->n_entries == 0 && a->opened_path[0])
            app_list_siblings(a);
        if (a->n_entries > 0) {
            close_session(a);
            a->screen = SCREEN_BROWSER;
        }
        break;
    case 'q': a->quit = true; break;
    default:
        if (key >= '1' && key <= '7') {
            int p = key - '1';
            a->hidden[p] = !a->hidden[p];
        } else if (a->has_session || a->focus == P_LESSON)
            focus_key(a, key);
        break;
    }
}

void app_key(app *a, int key)
{
    if (a->help) { /* any key closes the help */
        a->help = false;
        if (key != 'q')
            return;
    }
    if (a->screen == SCREEN_COMPARE || a->screen == SCREEN_RACE) {
        if (key == '?')
            a->help = true;
        else if (a->screen == SCREEN_RACE)
            race_key(a, key);
        else
            compare_key(a, key);
        return;
    }
    if (a->screen == SCREEN_LAB) {
        if (key == 'F' || key == K_ESC)
            a->screen = a->lab_return;
        else if (key == 'q')
            a->quit = true;
        else if (key == '?')
            a->help = true;
        else
            lab_key(&a->lab, key);
        return;
    }
    if (key == '?' && !a->prompting) {
        a->help = true;
        return;
    }
    if (key == 'F' && !a->prompting) {
        a->lab_return = a->screen;
        a->screen = SCREEN_LAB;
        return;
    }
    if (a->screen == SCREEN_BROWSER)
        app_browser_key(a, key);
    else
        lesson_key(a, key);
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
        while (!compare_done(a) && 1e3 * mono_seconds() - start < budget_ms)
            compare_step(a, STEP_BATCH);
        if (compare_done(a))
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
    after_step(a);
    if (trainer_done(&s->t))
        s->running = false;
    return true;
}
