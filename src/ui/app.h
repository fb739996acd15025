/* app.h - the UI's plain state (model) and what keys do to it (the tables are in keys.h); no
 * curses here, so tests can drive it and render frames without a terminal. */
#ifndef DS_APP_H
#define DS_APP_H

#include <stdbool.h>

#include "../lesson/lesson.h"
#include "frame.h"
#include "lab.h"
#include "markdown.h"
#include "session.h"

typedef struct ui_options {
    const char *lesson_path; /* NULL: the browser */
    int lab;                 /* start in the float lab */
    const char *lessons_dir;
    int no_color;
} ui_options;

/* Keys, independent of curses. Printable ASCII keys are their own codes. */
enum {
    KEY_NONE = 0, K_ENTER = '\n', K_ESC = 27, K_TAB = '\t',
    K_UP = 0x1000, K_DOWN, K_LEFT, K_RIGHT, K_PGUP, K_PGDN, K_HOME, K_END, K_BACKSPACE, K_BTAB,
    K_MOUSE /* a click: app.mouse_x/y; wheel: K_WHEEL_UP/DOWN */, K_WHEEL_UP, K_WHEEL_DOWN
};

typedef enum ui_screen { SCREEN_BROWSER, SCREEN_LESSON, SCREEN_LAB, SCREEN_COMPARE, SCREEN_RACE } ui_screen;

/* The panels of the lesson screen, in focus order. */
typedef enum panel_id {
    P_LESSON, P_NETWORK, P_INSPECTOR, P_NARRATION, P_ACTIVATIONS, P_GRADIENTS, P_CURVES, P_COUNT
} panel_id;

typedef struct rect {
    int x, y, w, h;
} rect;

typedef struct lesson_entry {
    char path[EXPERIMENT_PATH_MAX];
    char title[160];
    char summary[320];
    bool broken; /* summary holds the parse error */
} lesson_entry;

#define UI_MIN_W 60
#define UI_MIN_H 16

/* A rendered lesson page, kept while page and width stay the same (drawing is per frame). */
typedef struct page_cache {
    int page, width;
    const char *src;
    md_doc doc;
} page_cache;

typedef struct app {
    ui_screen screen;
    lesson_entry *entries;
    int n_entries, selected;
    char opened_path[512]; /* a lesson opened by path: its folder is listed on the first Esc */
    lesson lesson;
    bool has_lesson;
    int page, scroll;
    int experiment;            /* index of the experiment the session runs, -1 when none */
    session s;
    bool has_session;
    panel_id focus;
    bool hidden[P_COUNT];      /* toggled off with 1..7 */
    bool help, quit, ascii;
    char message[512];         /* one line in the status bar */
    /* a line of input in the status bar ('x': a new value for the selected weight) */
    bool prompting;
    char prompt[48];
    int mouse_x, mouse_y;
    rect rects[P_COUNT];       /* where each panel was drawn last (mouse hit tests) */
    bool visible[P_COUNT];
    page_cache *cache;
    float_lab lab;
    /* comparison: the experiments of a compare block, stepped in lockstep (C) */
    session *cmp;
    int n_cmp, cmp_block;
    bool cmp_running;
    race race;                 /* a race block's optimizers on a 2-D surface (C on its page) */
    bool has_race, race_running;
    int race_block;
    ui_screen lab_return;      /* where F or Esc leaves the lab to */
    char snapshot_dir[512];    /* where s and S write files; "." by default */
} app;

void app_init(app *a);
void app_free(app *a);
/* Lists the .md files in DIR with their titles and summaries (sorted by file name). */
int app_scan_lessons(app *a, const char *dir, ds_error *err);
/* List the folder of the lesson opened by path (a->opened_path), that lesson selected, so Esc
 * leads to the other lessons. Done on the first Esc, not at start-up: reading every lesson
 * costs milliseconds. Returns -1, listing nothing, when the folder cannot be listed. */
int app_list_siblings(app *a);
int app_open_lesson(app *a, const char *path, ds_error *err);
/* A key on the screen being shown, looked up in that screen's table (keys.c); returns the
 * handler's KEY_* flags (keys.h), 0 when the screen has no such key. */
int app_key(app *a, int key);
/* What the key handlers do to the model (app.c); they keep the app consistent. */
void app_follow_page(app *a);   /* start the session of the page's experiment */
void app_close_session(app *a);
void app_open_compare(app *a);  /* C: the page's compare block, or its race */
void app_close_compare(app *a);
void app_close_race(app *a);
/* One batch (or epoch) for every compared experiment that is not finished. */
void app_compare_step(app *a, step_size size);
bool app_compare_done(const app *a);
void app_save_weights(app *a);  /* s: the session's net as .npz in snapshot_dir */
/* After the learner steps: clear the message and the last check; a divergence stops a run. */
void app_after_step(app *a);
/* While running, train for up to budget_ms of wall time; returns true when anything changed. */
bool app_tick(app *a, double budget_ms);
/* The experiment of the page being read (its own, or the last one before it), -1 if none. */
int app_page_experiment(const app *a);
/* The compare block of the page being read (or the last one before it), -1 if none. */
int app_page_compare(const app *a);

/* Draw the whole screen from the state (layout, panels, bars). */
void view_draw(app *a, frame *f);
/* Save the frame's text to a file (S); returns 0 and names the file in a->message. */
int app_save_screen(app *a, const frame *f);

/* The terminal front end (term.c). */
int ui_main(const ui_options *o);

#endif
