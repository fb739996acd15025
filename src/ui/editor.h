/* editor.h - the experiment editor (E): a form over the text of the page's ```deepstep
 * block, one row per key the parser knows (a key the block does not set is shown with the
 * value the parser gives it). Every edit changes the block's lines and parses the whole block
 * again with the lesson parser (experiment_parse), so what the form says is wrong is exactly
 * what the parser says, on the row it points at, and what is applied is what a lesson with
 * this block would run. Plain state, no curses: tests drive it; view_editor.c draws it. */
#ifndef DS_EDITOR_H
#define DS_EDITOR_H

#include <stdbool.h>

#include "app.h"

#define EDITOR_LINE_MAX (EXPERIMENT_LINE_MAX + 1)
#define EDITOR_MAX_LINES 160  /* a block's lines: keys, up to 64 layers, expects, comments */
#define EDITOR_MAX_ROWS 128   /* rows of the form: every known key, each layer and expect line */
#define EDITOR_MAX_CHOICES 24 /* the longest name table (activations) fits */

typedef enum editor_mode {
    EM_BROWSE,   /* moving between rows */
    EM_CHOOSE,   /* picking a name from one of the parser's tables */
    EM_TYPE,     /* typing a row's value */
    EM_SAVE_AS,  /* typing the file to save the block to */
    EM_CONFIRM   /* that file exists: overwrite it? y/n */
} editor_mode;

/* What a choice replaces in the row's value: all of it, or one word (the optimizer's name
 * keeps its options; a layer's activation or init keeps the rest of the layer). */
typedef enum choice_target { CT_VALUE, CT_FIRST_WORD, CT_ACTIVATION, CT_INIT } choice_target;

typedef struct editor_row {
    int key;  /* index in experiment_known_keys */
    int line; /* the block line that sets it, -1 when the block does not */
} editor_row;

typedef struct editor {
    int experiment;                       /* the lesson's experiment this block is */
    char (*lines)[EDITOR_LINE_MAX];       /* the edited block, one line each, no newline */
    int n_lines;
    bool changed;                         /* differs from the lesson's block */
    /* the form */
    editor_row rows[EDITOR_MAX_ROWS];
    int n_rows, sel, top;                 /* top: the first row shown (kept so sel is in view) */
    editor_mode mode;
    /* the last parse of the edited block */
    bool valid;
    char error[400];                      /* the parser's message, without its file:line */
    int error_line;                       /* the block line it points at, -1: the whole block */
    experiment parsed;                    /* the last block that parsed (owned; shows defaults) */
    bool has_parsed;
    /* the run applied from this block: the session borrows its expectations, so it lives
     * until the next apply or the lesson closes */
    experiment applied;
    bool has_applied;                     /* the page's run is the edited one */
    /* choosing */
    const char *choices[EDITOR_MAX_CHOICES];
    int n_choices, choice_sel;
    choice_target target;
    /* typing: the line editor */
    char input[EDITOR_LINE_MAX];
    int cursor;                           /* byte offset in input */
    char save_path[512];                  /* EM_CONFIRM: the file that exists */
    char note[400];                       /* one line under the form: what the last key did */
    bool reset_armed;                     /* R was pressed once: a second R discards the edits */
} editor;

/* The editor of the run on screen, creating it from the lesson's block on first use; NULL
 * when the page has no experiment. */
editor *editor_of(app *a);
void editor_free(editor *e);
/* Is the page's run the edited block's (applied, not reset since)? */
static inline bool editor_applied(const editor *e) { return e && e->has_applied; }
/* The experiment's block text as written in the lesson (lines, then a newline each). */
const char *editor_original(const app *a, int experiment, size_t *len);

/* The value a row shows: its line's value, or "" when the block does not set the key. */
void editor_row_value(const editor *e, int row, char *buf, size_t cap);
/* What the parser makes of a key the block leaves out (its default), for the form. */
void editor_default(const editor *e, int key, char *buf, size_t cap);
/* Set row's value ("" unsets the key / removes the layer) and parse the block again. */
void editor_set_value(app *a, editor *e, int row, const char *value);
/* A copy of the row below it (a layer or an expect line); false for other keys. */
bool editor_add_row(app *a, editor *e, int row);
/* The edited block parsed as the lesson parser parses it in its lesson (same file, lines and
 * folder); 0, or -1 with err. */
int editor_parse(const app *a, const editor *e, experiment *x, ds_error *err);
/* The lines of a block's text into e (-1 when there are too many or one is too long). */
int editor_load(editor *e, const char *text, size_t len);
/* The key a line sets, as an index in experiment_known_keys (expect@median: expect's);
 * -1 for a blank or comment line. */
int editor_line_key(const char *line);
/* Parse the edited block again (after any change). */
void editor_validate(const app *a, editor *e);

/* The names row can be chosen from, made from the parser's own tables (none: typed only). */
int editor_choices(const editor *e, int row, bool init, const char **out, choice_target *target);
/* Put choice c into row as target says (the optimizer keeps those of its options the new
 * one accepts) and parse again. */
void editor_choose(app *a, editor *e, int row, const char *name, choice_target target);

/* Apply: the page's run restarts from step 0 with the edited block. -1 (and a note) when the
 * block does not parse or its data cannot be loaded; the run is then left as it was. */
int editor_apply(app *a, editor *e);
/* Reset: the lesson's block again, and the lesson's run if the edited one was applied. */
void editor_reset(app *a, editor *e);
/* The lesson's experiment and the edited one side by side (the comparison screen). */
int editor_compare(app *a, editor *e);
/* Write the edited block as a ```deepstep block to path (atomic). An existing file is not
 * overwritten unless overwrite is set: returns 1 then, 0 when written, -1 on error (note). */
int editor_save(app *a, editor *e, const char *path, bool overwrite);

/* Rows of the form a box h high shows, and keeping sel in view (top follows). */
int editor_room(int box_h);
void editor_scroll(editor *e, int room);
/* Where the form goes on a cols x rows screen (the view draws it there, the keys scroll by it). */
rect editor_box(int cols, int rows);

#endif
