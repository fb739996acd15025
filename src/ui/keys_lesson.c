/* keys_lesson.c - the lesson screen's keys: the stepper (they need an experiment), paging,
 * panels and focus, and the line editor for a weight's new value. */
#include "keys.h"
#include "insight.h"
#include "samples.h"
#include "trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void toggle_clip(app *a)
{
    trainer *t = &app_run(a)->t;
    if (t->cfg.clip == CLIP_NONE) {
        bool from_lesson = app_run(a)->cfg.train.clip != CLIP_NONE;
        t->cfg.clip = from_lesson ? app_run(a)->cfg.train.clip : CLIP_NORM;
        t->cfg.clip_value = from_lesson ? app_run(a)->cfg.train.clip_value : 1.0f;
        snprintf(a->message, sizeof a->message, "clipping on: %s %g", clip_name(t->cfg.clip), (double)t->cfg.clip_value);
    } else {
        t->cfg.clip = CLIP_NONE;
        snprintf(a->message, sizeof a->message, "clipping off");
    }
}

static void scale_lr(app *a, double factor)
{
    trainer *t = &app_run(a)->t;
    t->cfg.opt.lr = (float)(t->cfg.opt.lr * factor);
    t->state.lr = trainer_lr_at(t, t->state.step, t->state.epoch);
    snprintf(a->message, sizeof a->message, "learning rate %g (takes effect from the next update)", (double)t->state.lr);
}

static void start_prompt(app *a)
{
    long j = session_selected_param(app_run(a));
    if (j < 0) {
        snprintf(a->message, sizeof a->message,
                 "select a weight first: focus the inspector (Tab), press i until it shows W or b, move with the arrows");
        return;
    }
    a->les->prompting = true;
    a->les->prompt_fresh = true;
    app_run(a)->running = false; /* typing is not watching: and a question must not open under it */
    /* %.9g: every float prints back to itself, so Enter on the shown value changes nothing */
    snprintf(a->les->prompt, sizeof a->les->prompt, "%.9g", (double)app_run(a)->t.net.params[j]);
}

/* The prompt takes every key until Enter or Esc. */
int keys_prompt(app *a, int key)
{
    size_t n = strlen(a->les->prompt);
    if (key == K_ESC) {
        a->les->prompting = false;
        return KEY_DONE;
    }
    if (key == K_ENTER && a->les->prompt_fresh) { /* the value as it was: no edit */
        a->les->prompting = false;
        return KEY_DONE;
    }
    if (key == K_ENTER) {
        char *end;
        double v = strtod(a->les->prompt, &end);
        a->les->prompting = false;
        if (end == a->les->prompt || *end != '\0' || !isfinite(v)) {
            snprintf(a->message, sizeof a->message, "'%s' is not a number; the weight is unchanged", a->les->prompt);
            return KEY_DONE;
        }
        long j = session_selected_param(app_run(a));
        session_set_param(app_run(a), j, (float)v);
        snprintf(a->message, sizeof a->message, "weight set to %g; step on (n) to see what follows", v);
        return KEY_DONE;
    }
    bool fresh = a->les->prompt_fresh;
    a->les->prompt_fresh = false;
    if (key == K_BACKSPACE) { /* edits the value shown, pre-filled or typed */
        if (n > 0)
            a->les->prompt[n - 1] = '\0';
        return KEY_DONE;
    }
    if (key == K_CTRL_U || (fresh && key < 0x80 && key != 0 && strchr("0123456789.-+eE", key)))
        a->les->prompt[0] = '\0', n = 0; /* Ctrl-U clears; typing replaces the pre-filled value */
    if (n + 1 < sizeof a->les->prompt && key < 0x80 && (strchr("0123456789.-+eE", key) && key != 0))
        a->les->prompt[n] = (char)key, a->les->prompt[n + 1] = '\0';
    return KEY_DONE;
}

static void move_selection(app *a, int drow, int dcol)
{
    session *s = app_run(a);
    s->row += drow;
    s->col += dcol;
    session_clamp_selection(s);
}

static void focus_move(app *a, int key)
{
    session *s = app_run(a);
    switch (a->les->focus) {
    case P_NETWORK:
        if (key == K_LEFT || key == 'h')
            s->layer--;
        else if (key == K_RIGHT || key == 'l')
            s->layer++;
        else if (key == K_ENTER)
            a->les->focus = P_INSPECTOR;
        session_clamp_selection(s);
        break;
    case P_INSPECTOR:
        if (key == K_LEFT || key == 'h') move_selection(a, 0, -1);
        else if (key == K_RIGHT || key == 'l') move_selection(a, 0, 1);
        else if (key == K_UP || key == 'k') move_selection(a, -1, 0);
        else if (key == K_DOWN || key == 'j') move_selection(a, 1, 0);
        break;
    case P_ACTIVATIONS:
    case P_GRADIENTS: /* one row per layer: the arrows move the selected layer, the rows follow */
    case P_DIST:      /* one layer's distributions: the arrows choose it */
        if (key == K_DOWN || key == 'j' || key == K_RIGHT || key == 'l')
            s->layer++;
        else if (key == K_UP || key == 'k' || key == K_LEFT || key == 'h')
            s->layer--;
        session_clamp_selection(s);
        break;
    case P_DATA: /* left/right: the layer (whose units the plane maps); up/down: the view's item */
        if (key == K_RIGHT || key == 'l')
            s->layer++;
        else if (key == K_LEFT || key == 'h')
            s->layer--;
        else if (key == K_DOWN || key == 'j' || key == K_UP || key == 'k') {
            int n = samples_count(s, data_view_current(a, s));
            s->data_sel += key == K_DOWN || key == 'j' ? 1 : -1;
            s->data_sel = s->data_sel >= n ? n - 1 : s->data_sel;
            s->data_sel = s->data_sel < 0 ? 0 : s->data_sel;
        }
        session_clamp_selection(s);
        break;
    case P_NARRATION: /* its rows, clamped by app_sync */
        if (key == K_DOWN || key == 'j')
            a->les->narr_scroll++;
        else if (key == K_UP || key == 'k')
            a->les->narr_scroll--;
        else if (key == K_HOME)
            a->les->narr_scroll = 0;
        break;
    default: /* the lesson text and the rest scroll */
        if (key == K_DOWN || key == 'j')
            a->les->scroll++;
        else if ((key == K_UP || key == 'k') && a->les->scroll > 0)
            a->les->scroll--;
        else if (key == K_HOME)
            a->les->scroll = 0;
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


/* The next panel Tab can show: one on screen, or one that takes the detail place when focused. */
static panel_id next_reachable(const app *a, int dir)
{
    int p = a->les->focus;
    for (int k = 0; k < P_COUNT; k++) {
        p = (p + dir + P_COUNT) % P_COUNT;
        if (layout_reachable(a, (panel_id)p, a->cols, a->rows))
            return (panel_id)p;
    }
    return a->les->focus;
}

static void click(app *a)
{
    layout L;
    layout_compute(a, a->cols, a->rows, &L);
    for (int p = 0; p < P_COUNT; p++) {
        rect r = L.r[p];
        if (L.visible[p] && a->mouse_x >= r.x && a->mouse_x < r.x + r.w && a->mouse_y >= r.y &&
            a->mouse_y < r.y + r.h) {
            a->les->focus = (panel_id)p;
            session *s = app_run(a);
            if (p == P_NETWORK && s && r.w > 0) { /* the slot under the pointer, as drawn */
                int first, width, shown;
                net_strip(s->t.net.n_layers, s->layer, r.w, &first, &width, &shown);
                int k = (a->mouse_x - r.x) / width, li = first + k - 1;
                if (k < shown && li >= 0) {
                    s->layer = li;
                    session_clamp_selection(s);
                }
            }
        }
    }
}


/* ---- handlers: the stepper (rows marked needs_session) --------------------------------- */

static int step_micro(app *a, int key)
{
    (void)key;
    session_step(app_run(a), STEP_MICRO);
    app_after_step(a);
    return KEY_DONE;
}

static int step_back(app *a, int key)
{
    (void)key;
    app_run(a)->running = false; /* a step back is a wish to look: the run pauses */
    if (!session_back(app_run(a)))
        snprintf(a->message, sizeof a->message, "already at the beginning");
    else
        app_after_step(a);
    return KEY_DONE;
}

static int step_batch(app *a, int key)
{
    session_step(app_run(a), key == 'e' ? STEP_EPOCH : STEP_BATCH);
    app_after_step(a);
    return KEY_DONE;
}

static int step_run(app *a, int key)
{
    (void)key;
    app_run(a)->running = !app_run(a)->running && !trainer_done(&app_run(a)->t);
    a->message[0] = '\0'; /* the status bar shows the run (and its speed) instead */
    return KEY_DONE;
}

static int step_speed(app *a, int key)
{
    session *s = app_run(a);
    if (key == '+' && s->speed < SPEED_MAX)
        s->speed++;
    else if (key == '-' && s->speed > 0)
        s->speed--;
    if (s->running) /* the status bar shows the speed of a run: "[running x16]" */
        a->message[0] = '\0';
    else if (s->speed >= SPEED_MAX)
        snprintf(a->message, sizeof a->message, "speed: full (as many steps as fit between frames); - slower");
    else
        snprintf(a->message, sizeof a->message, "speed: %d micro-steps a frame (25 frames a second); + faster, - slower",
                 1 << (2 * s->speed));
    return KEY_DONE;
}

static int step_reset(app *a, int key)
{
    (void)key;
    session_reset(app_run(a));
    app_run(a)->gradcheck[0] = '\0';
    snprintf(a->message, sizeof a->message, "back to the start: step 0, with the lesson's learning rate and clipping");
    return KEY_DONE;
}

static int inspect_gradient(app *a, int key)
{
    (void)key;
    toggle_gradient(app_run(a));
    session_clamp_selection(app_run(a));
    return KEY_DONE;
}

static int inspect_buffer_key(app *a, int key)
{
    (void)key;
    cycle_buffer(app_run(a));
    return KEY_DONE;
}

static int inspect_heatmap(app *a, int key)
{
    (void)key;
    app_run(a)->heatmap = !app_run(a)->heatmap;
    return KEY_DONE;
}

static int clip_key(app *a, int key)
{
    (void)key;
    toggle_clip(a);
    return KEY_DONE;
}

static int lr_key(app *a, int key)
{
    scale_lr(a, key == '[' ? 0.5 : 2.0);
    return KEY_DONE;
}

static int edit_weight(app *a, int key)
{
    (void)key;
    start_prompt(a);
    return KEY_DONE;
}

static int gradcheck_key(app *a, int key)
{
    (void)key;
    session_gradcheck(app_run(a));
    a->les->narr_scroll = NARRATION_ROWS; /* its result is the last row: scroll to it */
    return KEY_DONE;
}

static int save_weights_key(app *a, int key)
{
    (void)key;
    app_save_weights(a);
    return KEY_DONE;
}

/* ---- handlers: the lesson, its pages and panels ----------------------------------------- */

static int page_key(app *a, int key)
{
    a->message[0] = '\0'; /* a message is about the page it was said on */
    if (key == K_PGDN && a->les->page + 1 < a->les->lesson.n_pages)
        a->les->page++, a->les->scroll = 0;
    else if (key == K_PGUP && a->les->page > 0)
        a->les->page--, a->les->scroll = 0;
    app_follow_page(a);
    return KEY_DONE;
}

static int focus_next(app *a, int key)
{
    a->les->focus = next_reachable(a, key == K_BTAB ? -1 : 1);
    return KEY_DONE;
}

static int mouse_key(app *a, int key)
{
    if (key == K_WHEEL_DOWN)
        a->les->scroll++;
    else if (key == K_WHEEL_UP && a->les->scroll > 0)
        a->les->scroll--;
    else if (key == K_MOUSE)
        click(a);
    return KEY_DONE;
}

/* A digit hides its panel, or shows it again; a detail panel waiting for the shared place
 * (80x24) is brought into view instead of hidden, as a learner told to look at it expects. */
static int panel_toggle(app *a, int key)
{
    static const char *const names[P_COUNT] = {"Lesson", "Network", "Inspector", "What just happened",
                                               "Activation ranges", "Gradient norms", "Loss per step", "Data",
                                               "Distributions"};
    panel_id p = (panel_id)(key - '1');
    layout L;
    layout_compute(a, a->cols, a->rows, &L);
    if (!a->les->hidden[p] && !L.visible[p] && layout_reachable(a, p, a->cols, a->rows)) {
        a->les->focus = p;
        snprintf(a->message, sizeof a->message, "%d %s shown (press %d again to hide it)", p + 1, names[p], p + 1);
        return KEY_DONE;
    }
    a->les->hidden[p] = !a->les->hidden[p];
    snprintf(a->message, sizeof a->message, "%d %s %s", p + 1, names[p],
             a->les->hidden[p] ? "hidden (press the digit again to show it)" : "shown");
    if (!a->les->hidden[p] && layout_reachable(a, p, a->cols, a->rows))
        a->les->focus = p; /* shown where it can be seen */
    return KEY_DONE;
}

/* m: the Data panel's next view (plane, sample, confusion matrix, worst examples, weights);
 * when the panel is hidden or waiting for the shared place, the first m brings it into view
 * as it is, so the first view is not skipped. */
static int data_view_key(app *a, int key)
{
    (void)key;
    session *s = app_run(a);
    data_view v[DV_COUNT];
    int n = data_views(s, v);
    lesson_screen *ls = a->les;
    layout L;
    layout_compute(a, a->cols, a->rows, &L);
    if (L.visible[P_DATA] && !ls->hidden[P_DATA]) { /* in view: the next view; else first show it as it is */
        ls->data_view = (ls->data_view + 1) % n;
        s->data_sel = 0;
    }
    ls->hidden[P_DATA] = false;
    if (layout_reachable(a, P_DATA, a->cols, a->rows))
        ls->focus = P_DATA;
    snprintf(a->message, sizeof a->message, "8 Data: %s (%d of %d; m: next)", data_view_name(v[ls->data_view]),
             ls->data_view + 1, n);
    return KEY_DONE;
}

/* Arrows and hjkl move in the focused panel; without an experiment only the text scrolls. */
static int move_key(app *a, int key)
{
    if (app_run(a) || a->les->focus == P_LESSON)
        focus_move(a, key);
    return KEY_DONE;
}

static int compare_key(app *a, int key)
{
    (void)key;
    app_open_compare(a);
    return KEY_DONE;
}

static int to_lesson_list(app *a, int key)
{
    (void)key;
    if (a->list.n == 0 && a->opened_path[0])
        app_list_siblings(a);
    if (a->list.n > 0) { /* the lesson stays open: Enter on it comes back to it as it was */
        if (app_run(a))
            app_run(a)->running = false;
        a->screen = SCREEN_BROWSER;
    }
    return KEY_DONE;
}

static int other_experiment(app *a, int key)
{
    (void)key;
    if (!app_next_experiment(a)) {
        snprintf(a->message, sizeof a->message, "this page has one experiment");
        return KEY_DONE;
    }
    const lesson *l = &a->les->lesson;
    int k = a->les->experiment, nth = 0, of = 0;
    for (int i = 0; i < l->n_experiments; i++)
        if (l->experiment_page[i] == l->experiment_page[k])
            of++, nth += i <= k;
    snprintf(a->message, sizeof a->message, "experiment %s (%d of %d on this page; o for the next)",
             l->experiments[k].name[0] ? l->experiments[k].name : "without a name", nth, of);
    return KEY_DONE;
}

/* In the help's order: two short rows share a line (keys_help), so pairs stay together. */
static const key_binding lesson_rows[] = {
    {{'n', ' '}, "n, Space", "one micro-step", step_micro, true, "n step"},
    {{'b', K_BACKSPACE}, "b, Backspace", "one micro-step back", step_back, true, "b back"},
    {{'N'}, "N", "one batch", step_batch, true, NULL},
    {{'e'}, "e", "one epoch", step_batch, true, NULL},
    {{'r'}, "r", "run / pause", step_run, true, "r run"},
    {{'+', '-'}, "+ -", "run faster / slower", step_speed, true, NULL},
    {{'R'}, "R", "back to the start", step_reset, true, NULL},
    {{'o'}, "o", "other experiment", other_experiment, true, NULL},
    {{'c'}, "c", "clipping on / off", clip_key, true, NULL},
    {{'d'}, "d", "gradient check", gradcheck_key, true, NULL},
    {{'[', ']'}, "[ ]", "lr halve / double", lr_key, true, NULL},
    {{'i'}, "i", "inspector buffer", inspect_buffer_key, true, NULL},
    {{'g'}, "g", "value <-> gradient", inspect_gradient, true, NULL},
    {{'v'}, "v", "numbers / heatmap", inspect_heatmap, true, NULL},
    {{'L'}, "L", "loss axis lin/log", key_loss_axis, false, NULL},
    {{'x'}, "x", "edit the weight", edit_weight, true, NULL},
    {{'t'}, "t", "trace a value", trace_open_key, true, NULL},
    {{'m'}, "m", "next Data view", data_view_key, true, NULL},
    {{'s'}, "s", "save weights .npz", save_weights_key, true, NULL},
    {{'S'}, "S", "save screen .txt", key_save_screen, false, NULL},
    {{'1', '2', '3', '4', '5', '6', '7', '8', '9'}, "1..9", "hide / show panel", panel_toggle, false, NULL},
    {{K_TAB}, "Tab", "next panel", focus_next, false, "Tab panel"},
    {{K_BTAB}, "Shift-Tab", "previous panel", focus_next, false, NULL},
    {{K_UP, K_DOWN, K_LEFT, K_RIGHT, 'h', 'j', 'k', 'l'}, "arrows hjkl", "move in the panel: layer, element, scroll",
     move_key, false, NULL},
    {{K_ENTER}, "Enter", "inspect the layer", move_key, false, NULL},
    {{K_HOME}, "Home", "top of the text", move_key, false, NULL},
    {{K_MOUSE, K_WHEEL_UP, K_WHEEL_DOWN}, "mouse wheel", "focus / scroll", mouse_key, false, NULL},
    {{K_PGUP, K_PGDN}, "PgUp PgDn", "lesson pages", page_key, false, "PgUp/PgDn page"},
    {{'F'}, "F", "the float lab: bits of any number, + and x", key_open_lab, false, NULL},
    {{'C'}, "C", "compare the page's experiments (or race)", compare_key, false, NULL},
    {{'E'}, "E", "edit the experiment (apply, compare, save)", editor_open_key, true, NULL},
    {{K_ESC}, "Esc", "lesson list", to_lesson_list, false, NULL},
    {{'?'}, "?", "this help", key_help, false, "? help"},
    {{'q'}, "q", "quit", key_quit, false, "q quit"},
};
const key_table keys_lesson = {"Keys of the lesson", lesson_rows, (int)(sizeof lesson_rows / sizeof *lesson_rows)};
