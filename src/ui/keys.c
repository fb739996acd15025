/* keys.c - looking keys up in the screens' tables, the help generated from them, and the
 * tables of the lesson list, the comparison, the race and the float lab. */
#include "keys.h"
#include "trace.h"
#include "quiz.h"

#include <stdio.h>
#include <sys/stat.h>
#include <string.h>

#define ROWS(r) (r), (int)(sizeof(r) / sizeof *(r))

const key_binding *keys_find(const key_table *t, int key)
{
    if (key == KEY_NONE)
        return NULL; /* 0 ends every row's key list, it is no key */
    for (int i = 0; i < t->n; i++)
        for (const int *k = t->rows[i].keys; *k; k++)
            if (*k == key)
                return &t->rows[i];
    return NULL;
}

int keys_dispatch(const key_table *t, app *a, int key)
{
    const key_binding *b = keys_find(t, key);
    if (!b || (b->needs_session && !app_run(a)))
        return 0;
    return b->handler(a, key);
}

/* Two rows share a line when both are short; the widths are the two columns'. */
static bool fits(const key_binding *b, int help_w)
{
    return strlen(b->label) <= 13 && (int)strlen(b->help) <= help_w;
}

int keys_help(const key_table *t, char (*lines)[KEY_HELP_W + 1], int max)
{
    int n = 0;
    for (int i = 0; i < t->n && n < max; i++) {
        const key_binding *l = &t->rows[i], *r = i + 1 < t->n ? &t->rows[i + 1] : NULL;
        if (r && fits(l, 18) && fits(r, 19)) {
            snprintf(lines[n++], KEY_HELP_W + 1, "  %-13s %-18s %-13s %s", l->label, l->help, r->label, r->help);
            i++;
        } else {
            snprintf(lines[n++], KEY_HELP_W + 1, "  %-13s %s", l->label, l->help);
        }
    }
    return n;
}

void keys_hints(const key_table *t, bool has_run, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n && n < cap; i++)
        if (t->rows[i].hint && (has_run || !t->rows[i].needs_session))
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "  " : "", t->rows[i].hint);
}

/* ---- handlers every screen shares ---------------------------------------------------- */

int key_help(app *a, int key)
{
    (void)key;
    a->help = true;
    return KEY_DONE;
}

int key_save_screen(app *a, int key)
{
    (void)key;
    a->message[0] = '\0'; /* the front end saves the frame it drew, and names the file here */
    return KEY_DONE | KEY_SAVE_SCREEN;
}

int key_quit(app *a, int key)
{
    (void)key;
    a->quit = true;
    return KEY_DONE | KEY_QUIT;
}

int key_open_lab(app *a, int key)
{
    (void)key;
    a->lab_return = a->screen;
    a->screen = SCREEN_LAB;
    return KEY_DONE;
}

int key_loss_axis(app *a, int key)
{
    (void)key;
    a->loss_axis = (axis_mode)((a->loss_axis + 1) % AXIS_MODES);
    snprintf(a->message, sizeof a->message, "loss axis: %s%s", axis_mode_name(a->loss_axis),
             a->loss_axis == AXIS_AUTO ? " (log when the losses span more than two decades)" : "");
    return KEY_DONE;
}

/* ---- the lesson list ------------------------------------------------------------------ */

static int browser_up(app *a, int key)
{
    (void)key;
    if (a->list.selected > 0)
        a->list.selected--;
    return KEY_DONE;
}

static int browser_down(app *a, int key)
{
    (void)key;
    if (a->list.selected + 1 < a->list.n)
        a->list.selected++;
    return KEY_DONE;
}

static int browser_ends(app *a, int key)
{
    a->list.selected = key == K_HOME || a->list.n == 0 ? 0 : a->list.n - 1;
    return KEY_DONE;
}

/* The same file however the path is spelled (lessons/x.md, ./x.md, x.md). */
static bool same_file(const char *p, const char *q)
{
    struct stat a, b;
    return stat(p, &a) == 0 && stat(q, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int browser_open(app *a, int key)
{
    (void)key;
    if (a->list.n == 0)
        return KEY_HANDLED;
    const char *path = a->list.entries[a->list.selected].path;
    if (a->les && same_file(a->les->lesson.path, path)) { /* the lesson left with Esc, as it was */
        a->screen = SCREEN_LESSON;
        return KEY_DONE;
    }
    ds_error err = {0};
    if (app_open_lesson(a, path, &err) != 0)
        err_format(&err, a->message, sizeof a->message);
    return KEY_DONE;
}

static const key_binding browser_rows[] = {
    {{K_UP, 'k'}, "Up, k", "previous lesson", browser_up, false, "\xE2\x86\x91\xE2\x86\x93 choose"},
    {{K_DOWN, 'j'}, "Down, j", "next lesson", browser_down, false, NULL},
    {{K_HOME, K_END}, "Home End", "first / last lesson", browser_ends, false, NULL},
    {{K_ENTER, K_RIGHT, 'l'}, "Enter Right l", "open the lesson", browser_open, false, "Enter open"},
    {{'F'}, "F", "the float lab: bits of any number, + and x", key_open_lab, false, NULL},
    {{'?'}, "?", "this help", key_help, false, "? help"},
    {{'q', K_ESC}, "q, Esc", "quit", key_quit, false, "q quit"},
};
const key_table keys_browser = {"Keys on the lesson list", ROWS(browser_rows)};

/* ---- the comparison: a compare block's experiments in lockstep ------------------------- */

static int compare_batch(app *a, int key)
{
    app_compare_step(a, key == 'e' ? STEP_EPOCH : STEP_BATCH);
    return KEY_DONE;
}

static int compare_run(app *a, int key)
{
    (void)key;
    a->cmp->running = !a->cmp->running && !app_compare_done(a);
    return KEY_DONE;
}

static int compare_reset(app *a, int key)
{
    (void)key;
    for (int k = 0; k < a->cmp->n; k++)
        session_reset(&a->cmp->runs[k]);
    return KEY_DONE;
}

static int compare_close(app *a, int key)
{
    (void)key;
    app_close_compare(a);
    a->screen = SCREEN_LESSON;
    return KEY_DONE;
}

static const key_binding compare_rows[] = {
    {{'n', ' ', 'N'}, "n, Space, N", "one batch each", compare_batch, false, "n one batch each"},
    {{'e'}, "e", "one epoch each", compare_batch, false, "e epoch"},
    {{'r'}, "r", "run / pause", compare_run, false, "r run"},
    {{'R'}, "R", "back to the start", compare_reset, false, "R restart"},
    {{'L'}, "L", "loss axis: auto, linear, log", key_loss_axis, false, "L axis"},
    {{'C', K_ESC}, "C, Esc", "back to the lesson", compare_close, false, "C back"},
    {{'S'}, "S", "save screen (.txt)", key_save_screen, false, NULL},
    {{'?'}, "?", "this help", key_help, false, "? help"},
    {{'q'}, "q", "quit", key_quit, false, "q quit"},
};
const key_table keys_compare = {"Keys of the comparison", ROWS(compare_rows)};

/* ---- the race: optimizers on a 2-D surface --------------------------------------------- */

static int race_one(app *a, int key)
{
    (void)key;
    race_step(&a->race->race);
    return KEY_DONE;
}

static int race_hundred(app *a, int key)
{
    (void)key;
    for (int i = 0; i < 100 && race_step(&a->race->race); i++)
        ;
    return KEY_DONE;
}

static int race_run(app *a, int key)
{
    (void)key;
    a->race->running = !a->race->running && a->race->race.step < a->race->race.steps;
    return KEY_DONE;
}

static int race_restart(app *a, int key)
{
    (void)key;
    race_reset(&a->race->race);
    a->race->running = false;
    return KEY_DONE;
}

static int race_close(app *a, int key)
{
    (void)key;
    app_close_race(a);
    a->screen = SCREEN_LESSON;
    return KEY_DONE;
}

static const key_binding race_rows[] = {
    {{'n', ' '}, "n, Space", "one step", race_one, false, "n one step"},
    {{'N', 'e'}, "N, e", "100 steps", race_hundred, false, "N 100 steps"},
    {{'r'}, "r", "run / pause", race_run, false, "r run"},
    {{'R'}, "R", "back to the start", race_restart, false, "R restart"},
    {{'C', K_ESC}, "C, Esc", "back to the lesson", race_close, false, "C back"},
    {{'S'}, "S", "save screen (.txt)", key_save_screen, false, NULL},
    {{'?'}, "?", "this help", key_help, false, "? help"},
    {{'q'}, "q", "quit", key_quit, false, "q quit"},
};
const key_table keys_race = {"Keys of the race", ROWS(race_rows)};

/* ---- the float lab: its own editing keys live in lab.c ---------------------------------- */

static int lab_leave(app *a, int key)
{
    (void)key;
    a->screen = a->lab_return;
    return KEY_DONE;
}

static int lab_edit(app *a, int key)
{
    return lab_key(&a->lab, key) ? KEY_DONE : 0;
}

static const key_binding lab_rows[] = {
    {{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', '-'}, "0..9 . -", "type a number", lab_edit, false, NULL},
    {{'+', 'e', 'E'}, "+ e E", "exponent: 1e-3, 2.5E+8", lab_edit, false, NULL},
    {{K_BACKSPACE}, "Backspace", "delete a character", lab_edit, false, NULL},
    {{'x'}, "x", "clear the number", lab_edit, false, NULL},
    {{K_TAB, K_BTAB}, "Tab, Shift-Tab", "edit A / B", lab_edit, false, NULL},
    {{'o'}, "o", "+ or x", lab_edit, false, NULL},
    {{K_UP, K_DOWN}, "Up Down", "format", lab_edit, false, NULL},
    {{K_LEFT, K_RIGHT}, "Left Right", "bit", lab_edit, false, NULL},
    {{' ', 'f'}, "Space, f", "flip the bit", lab_edit, false, NULL},
    {{'F', K_ESC}, "F, Esc", "leave the lab", lab_leave, false, NULL},
    {{'?'}, "?", "this help", key_help, false, NULL},
    {{'q'}, "q", "quit", key_quit, false, NULL},
};
const key_table keys_lab = {"Keys of the float lab", ROWS(lab_rows)};

const key_table *keys_of(ui_screen screen)
{
    switch (screen) {
    case SCREEN_BROWSER: return &keys_browser;
    case SCREEN_LAB: return &keys_lab;
    case SCREEN_COMPARE: return &keys_compare;
    case SCREEN_RACE: return &keys_race;
    default: return &keys_lesson;
    }
}

int app_key(app *a, int key)
{
    if (a->help) { /* any key closes the help; q also quits */
        a->help = false;
        if (key != 'q')
            return KEY_DONE;
    }
    if (a->screen == SCREEN_LESSON && a->les->prompting) {
        int flags = keys_prompt(a, key);
        app_sync(a); /* a weight set by Enter changes what the net computes: the plane follows */
        return flags;
    }
    if (a->screen == SCREEN_LESSON && a->les->quiz && a->les->quiz->open >= 0) { /* a question takes every key */
        int flags = quiz_on_key(a, key);
        app_sync(a);
        return flags;
    }
    if (a->screen == SCREEN_LESSON && a->les->editing) { /* the editor's form likewise */
        int flags = editor_on_key(a, key);
        app_sync(a);
        return flags;
    }
    if (a->screen == SCREEN_LESSON && a->les->trace) { /* the trace takes every key while open */
        int flags = trace_on_key(a, key);
        app_sync(a);
        return flags;
    }
    int flags = keys_dispatch(keys_of(a->screen), a, key);
    app_sync(a); /* a key may change the page, the panels or the scroll */
    return flags;
}
