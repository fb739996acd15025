/* app.h - the UI's plain state (model) and what keys do to it (the tables are in keys.h); no
 * curses here, so tests can drive it and render frames without a terminal. */
#ifndef DS_APP_H
#define DS_APP_H

#include <stdbool.h>

#include "../lesson/lesson.h"
#include "frame.h"
#include "lab.h"
#include "markdown.h"
#include "narrate.h"
#include "session.h"

typedef struct ui_options {
    const char *lesson_path; /* NULL: the browser */
    int lab;                 /* start in the float lab */
    const char *lessons_dir;
    int no_color;
    const char *record;      /* --record FILE.cast: the session as an asciicast v2 file, or NULL */
    int no_questions;        /* --no-questions: the lessons' ask blocks do not stop the runs */
} ui_options;

/* Keys, independent of curses. Printable ASCII keys are their own codes. */
enum {
    KEY_NONE = 0, K_ENTER = '\n', K_ESC = 27, K_TAB = '\t', K_CTRL_U = 21,
    K_UP = 0x1000, K_DOWN, K_LEFT, K_RIGHT, K_PGUP, K_PGDN, K_HOME, K_END, K_BACKSPACE, K_BTAB,
    K_MOUSE /* a click: app.mouse_x/y; wheel: K_WHEEL_UP/DOWN */, K_WHEEL_UP, K_WHEEL_DOWN
};

typedef enum ui_screen { SCREEN_BROWSER, SCREEN_LESSON, SCREEN_LAB, SCREEN_COMPARE, SCREEN_RACE } ui_screen;

/* How loss plots scale their values (L cycles): log by itself when they span two decades. */
typedef enum axis_mode { AXIS_AUTO, AXIS_LINEAR, AXIS_LOG, AXIS_MODES } axis_mode;
const char *axis_mode_name(axis_mode m);

/* The panels of the lesson screen, in focus order. */
typedef enum panel_id {
    P_LESSON, P_NETWORK, P_INSPECTOR, P_NARRATION, P_ACTIVATIONS, P_GRADIENTS, P_CURVES, P_DATA, P_DIST, P_COUNT
} panel_id;

/* The detail panels share one place on small screens, the focused one shown. */
static inline bool panel_is_detail(panel_id p)
{
    return p == P_INSPECTOR || p == P_ACTIVATIONS || p == P_GRADIENTS || p == P_CURVES || p == P_DATA || p == P_DIST;
}

typedef struct rect {
    int x, y, w, h;
} rect;

/* Where each panel of the lesson screen goes: a pure function of the model and the terminal
 * size (layout.c), so the view draws it and the keys (Tab, a click) ask it, and neither keeps
 * a copy that could go stale. */
typedef struct layout {
    rect r[P_COUNT];
    bool visible[P_COUNT];
} layout;

typedef struct lesson_entry {
    char path[EXPERIMENT_PATH_MAX];
    char title[160];
    char summary[320];
    bool broken; /* summary holds the parse error */
} lesson_entry;

#define UI_MIN_W 60
#define UI_MIN_H 16

/* The page as laid out at the lesson panel's width. The model keeps it because scrolling is
 * clamped to its length; it is rebuilt only when the page or the width changes. */
typedef struct page_text {
    int page, width;
    md_doc doc;
} page_text;

/* Each screen's state lives in its own struct, open while its pointer in the app is set. */

typedef struct lesson_list {
    lesson_entry *entries;
    int n, selected;
} lesson_list;

/* A lesson being read, and the runs of its experiments. */
typedef struct lesson_screen {
    lesson lesson;
    int page, scroll;          /* scroll: lines of the page above the panel, clamped by app_sync */
    page_text text;
    session *runs;             /* one per experiment, started when first shown and kept while the
                                * lesson is open, so paging away and back loses no work */
    int experiment;            /* the run on screen, -1 when the lesson has none */
    int *picked;               /* per page of experiments: the run last shown there, -1 none */
    panel_id focus;
    panel_id detail;           /* the detail panel last focused: it keeps the shared place */
    bool hidden[P_COUNT];      /* toggled off with 1..9 */
    int data_view;             /* what the Data panel shows: a data_view (insight.h) this run's
                                * data has; m cycles them */
    struct trace_state *trace; /* the computation trace over the screen (t), NULL when closed */
    bool prompting;            /* a line of input in the status bar ('x': a new value for a weight) */
    char prompt[48];
    bool prompt_fresh;         /* still the pre-filled value: the first character typed replaces it */
    int narr_scroll;           /* rows of the narration above its panel (arrows, when focused) */
    struct quiz *quiz;         /* the lesson's questions (quiz.h), NULL when it has none */
    struct editor **edits;     /* per experiment: its edited block (E, editor.h), NULL until
                                * edited; kept while the lesson is open, like the runs */
    bool editing;              /* the editor's form is over the screen, on the run shown */
} lesson_screen;

/* A compare block's experiments, stepped in lockstep (C), or the editor's experiment beside
 * the lesson's (E, then C). */
typedef struct compare_screen {
    int block;                 /* the compare block, -1 for the editor's comparison */
    session *runs;
    int n;
    bool running;
    char names[COMPARE_MAX][64]; /* each run's name in the legend and columns */
    experiment *owned;         /* experiments the comparison owns (the runs borrow their
                                * expectations), freed with it; NULL for a compare block */
    int n_owned;
} compare_screen;

/* A race block's optimizers on a 2-D surface (C on its page). */
typedef struct race_screen {
    int block;
    race race;
    bool running;
} race_screen;

typedef struct app {
    ui_screen screen;
    int cols, rows;            /* the terminal's size (app_resize) */
    lesson_list list;
    char opened_path[512];     /* a lesson opened by path: its folder is listed on the first Esc */
    lesson_screen *les;        /* NULL: no lesson open */
    compare_screen *cmp;       /* NULL: no comparison open */
    race_screen *race;         /* NULL: no race open */
    float_lab lab;
    ui_screen lab_return;      /* where F or Esc leaves the lab to */
    bool help, quit, ascii;
    bool questions;            /* the lessons' questions (quiz.h) stop their runs: the front end
                                * turns them on (off with --no-questions); the model's tests of
                                * other things step lessons straight through */
    bool colour;               /* the terminal shows colour: pictures are painted (palette.h), else
                                * drawn with shading glyphs */
    axis_mode loss_axis;       /* the learner's choice for every loss plot */
    char message[512];         /* one line in the status bar */
    int mouse_x, mouse_y;
    char snapshot_dir[512];    /* where s and S write files; "." by default */
} app;

void app_init(app *a);
void app_free(app *a);
/* The terminal's size changed (and at start): the layout and the page's text follow. */
void app_resize(app *a, int cols, int rows);
/* After the model changed: lay the page out again if its width changed, clamp scrolling. */
void app_sync(app *a);
/* Lists the .md files in DIR with their titles and summaries (sorted by file name). */
int app_scan_lessons(app *a, const char *dir, ds_error *err);
/* List the folder of the lesson opened by path (a->opened_path), that lesson selected, so Esc
 * leads to the other lessons. Done on the first Esc, not at start-up: reading every lesson
 * costs milliseconds. Returns -1, listing nothing, when the folder cannot be listed. */
int app_list_siblings(app *a);
int app_open_lesson(app *a, const char *path, ds_error *err);
void app_close_lesson(app *a);
/* A key on the screen being shown, looked up in that screen's table (keys.c); returns the
 * handler's KEY_* flags (keys.h), 0 when the screen has no such key. */
int app_key(app *a, int key);
/* The run on screen (the page's experiment), NULL when there is none. */
session *app_run(app *a);
const session *app_run_c(const app *a);
/* What the key handlers do to the model (app.c); they keep the app consistent. */
void app_follow_page(app *a);   /* show the run of the page's experiment, starting it if new */
/* o: the next experiment of the page (a page may hold several); false if it has only one. */
bool app_next_experiment(app *a);
void app_open_compare(app *a);  /* C: the page's compare block, or its race */
/* The n experiments xs side by side (n <= COMPARE_MAX), named names; the comparison takes
 * ownership of xs (an array of n from malloc, each released with experiment_free when it
 * closes), also on failure. Returns 0, or -1 with the reason in a->message. */
int app_compare_experiments(app *a, experiment *xs, const char (*names)[64], int n);
void app_close_compare(app *a);
void app_close_race(app *a);
/* One batch (or epoch) for every compared experiment that is not finished. */
void app_compare_step(app *a, step_size size);
bool app_compare_done(const app *a);
void app_save_weights(app *a);  /* s: the session's net as .npz in snapshot_dir */
/* After the learner steps: clear the message and the last check; a divergence stops a run. */
void app_after_step(app *a);
/* While running, a frame every UI_FRAME_MS (25 frames/s); training fills the time between. */
#define UI_FRAME_MS 40.0
/* Is anything training on its own (r)? The front end then draws frames at a steady rate. */
bool app_running(const app *a);
/* While running, train for up to budget_ms of wall time; returns true when anything changed. */
bool app_tick(app *a, double budget_ms);
/* The experiment of the page being read (its own, or the last one before it), -1 if none. */
int app_page_experiment(const app *a);
/* The compare block of the page being read (or the last one before it), -1 if none. */
int app_page_compare(const app *a);

/* The narration of a run as rows of a panel `width` columns wide: line `line` of the text,
 * bytes [start, start + len), a continuation (drawn indented by 2) or not. The model counts
 * them to clamp scrolling, the view draws them. */
#define NARRATION_ROWS 128
typedef struct narration_row {
    short line;
    bool cont;
    int start, len;
} narration_row;
typedef struct narration {
    char text[NARRATE_LINES + 1][NARRATE_COLS]; /* the narration's lines, then the gradient check's */
    int n_text;
    narration_row rows[NARRATION_ROWS];
    int n_rows;
} narration_text;
void narration_layout(const session *s, int width, narration_text *out);
/* Rows of narration a panel panel_h high shows (one fewer when a "more" line is needed), and
 * in *most the furthest it scrolls: the model clamps with it and the view draws with it. */
int narration_room(int panel_h, int n_rows, int *most);

/* The network strip's slots (the input, then each layer) in a panel w wide: slot `first` is at
 * the left, each `width` columns, `shown` of them; the view draws them, a click is mapped by
 * them. Slots are at least NET_SLOT_MIN wide, so "32 sigmoid" and "vanishing" fit whole. */
#define NET_SLOT_MIN 13
void net_strip(int n_layers, int selected, int w, int *first, int *width, int *shown);

/* Where the lesson screen's panels go at cols x rows (layout.c). */
void layout_compute(const app *a, int cols, int rows, layout *out);
/* Would panel P be on screen if it had the focus? (Tab visits these: at 80x24 the detail
 * panels share one place and take turns, the focused one shown.) */
bool layout_reachable(const app *a, panel_id p, int cols, int rows);

/* Draw the whole screen from the state (layout, panels, bars); reads the app only. */
void view_draw(const app *a, frame *f);
/* Save the frame's text to a file (S); returns 0 and names the file in a->message. */
int app_save_screen(app *a, const frame *f);

/* The terminal front end (term.c). */
int ui_main(const ui_options *o);

#endif
