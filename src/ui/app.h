/* app.h - the UI's plain state (model) and its key handling; no curses here, so tests can
 * drive it and render frames without a terminal. */
#ifndef DS_APP_H
#define DS_APP_H

#include <stdbool.h>

#include "../lesson/lesson.h"
#include "frame.h"

typedef struct ui_options {
    const char *lesson_path; /* NULL: the browser */
    const char *lessons_dir;
    int no_color;
} ui_options;

/* Keys, independent of curses. Printable ASCII keys are their own codes. */
enum {
    KEY_NONE = 0, K_ENTER = '\n', K_ESC = 27, K_TAB = '\t',
    K_UP = 0x1000, K_DOWN, K_LEFT, K_RIGHT, K_PGUP, K_PGDN, K_HOME, K_END, K_BACKSPACE, K_BTAB
};

typedef enum ui_screen { SCREEN_BROWSER, SCREEN_LESSON } ui_screen;

typedef struct lesson_entry {
    char path[EXPERIMENT_PATH_MAX];
    char title[160];
    char summary[320];
    bool broken; /* summary holds the parse error */
} lesson_entry;

#define UI_MIN_W 60
#define UI_MIN_H 16

typedef struct app {
    ui_screen screen;
    lesson_entry *entries;
    int n_entries, selected;
    lesson lesson;
    bool has_lesson;
    int page, scroll;
    bool help, quit, ascii;
    char message[512]; /* one line in the status bar (errors) */
} app;

void app_init(app *a);
void app_free(app *a);
/* Lists the .md files in DIR with their titles and summaries (sorted by file name). */
int app_scan_lessons(app *a, const char *dir, ds_error *err);
int app_open_lesson(app *a, const char *path, ds_error *err);
void app_key(app *a, int key);

/* Draw the whole screen from the state. */
void view_draw(const app *a, frame *f);

/* The terminal front end (term.c). */
int ui_main(const ui_options *o);

#endif
