/* keys.h - keys are data (after htop's keys[]): one table of bindings per screen. A row names
 * its keys, how the help shows them and what they do; the `?` overlay is generated from the
 * table of the screen it is opened on, so the help cannot drift from what the keys do. */
#ifndef DS_KEYS_H
#define DS_KEYS_H

#include "app.h"

/* What a handler asks of its caller, so the terminal front end special-cases no key. */
enum {
    KEY_HANDLED = 1,     /* the key was the screen's */
    KEY_REDRAW = 2,      /* the model changed: draw a new frame */
    KEY_SAVE_SCREEN = 4, /* save the frame the learner was looking at (S) */
    KEY_QUIT = 8         /* leave the program (a->quit is set too) */
};
#define KEY_DONE (KEY_HANDLED | KEY_REDRAW)

typedef int (*key_handler)(app *a, int key);

#define KEY_ROW_KEYS 16
typedef struct key_binding {
    int keys[KEY_ROW_KEYS]; /* the keys of the row, ended by 0 (KEY_NONE): at most 15 */
    const char *label;      /* how the help names them, e.g. "n, Space" */
    const char *help;       /* what they do, a few words */
    key_handler handler;    /* gets the key pressed, returns KEY_* flags */
    bool needs_session;     /* the stepper's keys: nothing happens without an experiment */
    const char *hint;       /* in the status bar, e.g. "n step"; NULL: only in the help */
} key_binding;

typedef struct key_table {
    const char *title; /* the help's heading */
    const key_binding *rows;
    int n;
} key_table;

/* The tables (keys.c; the lesson's in keys_lesson.c). */
extern const key_table keys_browser, keys_lesson, keys_compare, keys_race, keys_lab;
/* The experiment editor's (keys_editor.c): its rows, its lists of names, overwrite y/n. */
extern const key_table keys_editor, keys_editor_choose, keys_editor_confirm;

const key_table *keys_of(ui_screen screen);
/* Run the first row that has KEY; returns its flags, 0 when no row has it. */
int keys_dispatch(const key_table *t, app *a, int key);
/* The row that has KEY, or NULL. */
const key_binding *keys_find(const key_table *t, int key);
/* The help's lines for a table: two short rows side by side, a long row on its own line.
 * Returns how many lines were written (at most max), each at most KEY_HELP_W columns. */
#define KEY_HELP_W 68
int keys_help(const key_table *t, char (*lines)[KEY_HELP_W + 1], int max);

/* The status bar's key hints: the rows that have one, in the table's order, two spaces apart;
 * without a run, not the stepper's. */
void keys_hints(const key_table *t, bool has_run, char *buf, size_t cap);

/* Handlers more than one screen has: ?, q, F. */
int key_help(app *a, int key);
int key_quit(app *a, int key);
int key_save_screen(app *a, int key); /* S: the front end saves the frame as text */
int key_open_lab(app *a, int key);
int key_loss_axis(app *a, int key); /* L: the loss plots' axis: auto, linear, log */

/* The lesson screen's line editor ('x' opens it): it takes every key while open. */
int keys_prompt(app *a, int key);

/* The experiment editor (keys_editor.c): E opens its form over the lesson screen; while it is
 * open it takes every key. */
int editor_open_key(app *a, int key);
int editor_on_key(app *a, int key);

#endif
