/* keys_editor.c - the experiment editor's keys (E opens it): tables for moving between rows
 * and for picking from a list, y/n before overwriting a file, and the line editor that takes
 * every key while a value or a file name is typed. The model is editor.c. */
#include "editor.h"
#include "keys.h"
#include "../lesson/experiment_keys.h"

#include <stdio.h>
#include <string.h>

#define ROWS(r) (r), (int)(sizeof(r) / sizeof *(r))

static editor *open_editor(app *a)
{
    lesson_screen *ls = a->les;
    if (!ls || ls->experiment < 0 || !ls->edits || !ls->edits[ls->experiment]) {
        if (ls)
            ls->editing = false;
        return NULL;
    }
    return ls->edits[ls->experiment];
}

static void keep_in_view(app *a, editor *e)
{
    editor_scroll(e, editor_room(editor_box(a->cols, a->rows).h));
}

/* The line editor, pre-filled with text, the cursor at its end. */
static void start_typing(editor *e, editor_mode mode, const char *text)
{
    e->mode = mode;
    snprintf(e->input, sizeof e->input, "%s", text);
    e->cursor = (int)strlen(e->input);
}

/* After a change to row: a value the parser finds incomplete there (clip = norm wants its
 * threshold) is opened for typing, its message under it. */
static void follow_up(editor *e, int row)
{
    if (!e->valid && e->error_line >= 0 && row < e->n_rows && e->rows[row].line == e->error_line) {
        char value[EDITOR_LINE_MAX];
        editor_row_value(e, row, value, sizeof value);
        start_typing(e, EM_TYPE, value);
        strncat(e->input, " ", sizeof e->input - strlen(e->input) - 1);
        e->cursor = (int)strlen(e->input);
        snprintf(e->note, sizeof e->note, "complete the value (the parser's message is under it)");
    }
}

/* ---- moving between rows -------------------------------------------------------------- */

static int ed_move(app *a, int key)
{
    editor *e = open_editor(a);
    int page = editor_room(editor_box(a->cols, a->rows).h) - 1;
    if (key == K_UP || key == 'k') e->sel--;
    else if (key == K_DOWN || key == 'j') e->sel++;
    else if (key == K_PGUP) e->sel -= page;
    else if (key == K_PGDN) e->sel += page;
    else if (key == K_HOME) e->sel = 0;
    else if (key == K_END) e->sel = e->n_rows - 1;
    e->sel = e->sel < 0 ? 0 : e->sel >= e->n_rows ? e->n_rows - 1 : e->sel;
    e->note[0] = '\0';
    return KEY_DONE;
}

/* Enter: a list when the key's values are names, else the line editor. */
static int ed_change(app *a, int key)
{
    editor *e = open_editor(a);
    e->n_choices = editor_choices(e, e->sel, key == 'i', e->choices, &e->target);
    if (e->n_choices == 0 && key == 'i') {
        snprintf(e->note, sizeof e->note, "i chooses the init of a dense layer");
        return KEY_DONE;
    }
    if (e->n_choices == 0) {
        char value[EDITOR_LINE_MAX];
        editor_row_value(e, e->sel, value, sizeof value);
        start_typing(e, EM_TYPE, value);
        return KEY_DONE;
    }
    /* the list opens on the name the row has now */
    char value[EDITOR_LINE_MAX];
    editor_row_value(e, e->sel, value, sizeof value);
    e->choice_sel = 0;
    for (int i = 0; i < e->n_choices; i++) {
        size_t n = strlen(e->choices[i]);
        const char *v = value;
        if (e->target == CT_ACTIVATION || e->target == CT_INIT) {
            const char *w = strstr(value, e->target == CT_INIT ? "init=" : " ");
            v = w ? w + (e->target == CT_INIT ? 5 : 1) : value;
            if (e->target == CT_ACTIVATION && strncmp(value, "dense", 5) == 0 && w)
                v = strchr(w + 1, ' ') ? strchr(w + 1, ' ') + 1 : v;
        }
        if (strncmp(v, e->choices[i], n) == 0 && (v[n] == '\0' || v[n] == ' '))
            e->choice_sel = i;
    }
    e->mode = EM_CHOOSE;
    e->note[0] = '\0';
    return KEY_DONE;
}

static int ed_type(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    char value[EDITOR_LINE_MAX];
    editor_row_value(e, e->sel, value, sizeof value);
    start_typing(e, EM_TYPE, value);
    return KEY_DONE;
}

static int ed_unset(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    if (e->rows[e->sel].line < 0) {
        snprintf(e->note, sizeof e->note, "%s is not set in the block", experiment_known_keys[e->rows[e->sel].key]);
        return KEY_DONE;
    }
    editor_set_value(a, e, e->sel, "");
    snprintf(e->note, sizeof e->note, "line removed%s", e->valid ? "" : "; the block does not parse now");
    return KEY_DONE;
}

static int ed_add(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    if (!editor_add_row(a, e, e->sel))
        snprintf(e->note, sizeof e->note, "a adds a copy of a layer or expect line below it");
    else
        snprintf(e->note, sizeof e->note, "line copied below: Enter or e to change it");
    return KEY_DONE;
}

static int ed_apply(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    if (editor_apply(a, e) == 0) { /* the learner goes to watch the edited run */
        a->les->editing = false;
        e->mode = EM_BROWSE;
    }
    return KEY_DONE;
}

static int ed_compare(app *a, int key)
{
    (void)key;
    editor_compare(a, open_editor(a));
    return KEY_DONE;
}

/* R elsewhere means "back to the start": here it discards work, so it asks for a second R. */
static int ed_reset(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    if (!e->changed && !e->has_applied) {
        snprintf(e->note, sizeof e->note, "nothing to reset: this is the lesson's block");
        return KEY_DONE;
    }
    if (!e->reset_armed) {
        e->reset_armed = true;
        snprintf(e->note, sizeof e->note, "press R again to discard your edits and restore the lesson's block");
        return KEY_DONE;
    }
    e->reset_armed = false;
    editor_reset(a, e);
    return KEY_DONE;
}

static int ed_save(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    const experiment *x = &a->les->lesson.experiments[e->experiment];
    const char *slash = strrchr(a->les->lesson.path, '/');
    const char *base = slash ? slash + 1 : a->les->lesson.path;
    size_t n = strlen(base);
    n = n > 3 && strcmp(base + n - 3, ".md") == 0 ? n - 3 : n;
    char path[600];
    snprintf(path, sizeof path, "%s/%.*s-%s%sedited.md", a->snapshot_dir, (int)n, base, x->name, x->name[0] ? "-" : "");
    start_typing(e, EM_SAVE_AS, path);
    return KEY_DONE;
}

static int ed_close(app *a, int key)
{
    (void)key;
    a->les->editing = false;
    return KEY_DONE;
}

static const key_binding editor_rows[] = {
    {{K_UP, K_DOWN, 'k', 'j'}, "Up Down", "previous / next row", ed_move, false, "\xE2\x86\x91\xE2\x86\x93 row"},
    {{K_PGUP, K_PGDN, K_HOME, K_END}, "PgUp PgDn", "page, Home / End", ed_move, false, NULL},
    {{K_ENTER, K_RIGHT, 'l'}, "Enter", "change: a list of names, or type", ed_change, false, "Enter edit"},
    {{'e'}, "e", "type the value", ed_type, false, NULL},
    {{'i'}, "i", "a dense layer's init", ed_change, false, NULL},
    {{'a'}, "a", "copy a layer/expect", ed_add, false, NULL},
    {{'d', K_BACKSPACE}, "d, Backspace", "unset / remove line", ed_unset, false, NULL},
    {{'A'}, "A", "apply: run it, step 0", ed_apply, false, "A apply"},
    {{'C'}, "C", "compare with lesson's", ed_compare, false, "C compare"},
    {{'R'}, "R R", "reset to the lesson's", ed_reset, false, "R reset"},
    {{'w'}, "w", "save block to a file", ed_save, false, "w save"},
    {{'?'}, "?", "this help", key_help, false, "? help"},
    {{K_ESC, 'E'}, "Esc, E", "close (edits are kept)", ed_close, false, "Esc close"},
    {{'q'}, "q", "quit", key_quit, false, NULL},
};
const key_table keys_editor = {"Keys of the experiment editor", ROWS(editor_rows)};

/* ---- picking from a list -------------------------------------------------------------- */

static int choose_move(app *a, int key)
{
    editor *e = open_editor(a);
    e->choice_sel += key == K_UP || key == 'k' ? -1 : 1;
    e->choice_sel = (e->choice_sel + e->n_choices) % e->n_choices;
    return KEY_DONE;
}

static int choose_pick(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    e->mode = EM_BROWSE;
    editor_choose(a, e, e->sel, e->choices[e->choice_sel], e->target);
    e->note[0] = '\0';
    follow_up(e, e->sel);
    return KEY_DONE;
}

static int choose_cancel(app *a, int key)
{
    (void)key;
    open_editor(a)->mode = EM_BROWSE;
    return KEY_DONE;
}

static int choose_type(app *a, int key)
{
    (void)key;
    return ed_type(a, key);
}

static const key_binding choose_rows[] = {
    {{K_UP, K_DOWN, 'k', 'j'}, "Up Down", "previous / next name", choose_move, false, "\xE2\x86\x91\xE2\x86\x93 name"},
    {{K_ENTER}, "Enter", "use it", choose_pick, false, "Enter use"},
    {{'e'}, "e", "type the value instead", choose_type, false, "e type"},
    {{K_ESC}, "Esc", "keep the value", choose_cancel, false, "Esc cancel"},
};
const key_table keys_editor_choose = {"Choosing a name", ROWS(choose_rows)};

/* ---- overwrite? y/n ------------------------------------------------------------------- */

static int confirm_yes(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    e->mode = EM_BROWSE;
    editor_save(a, e, e->save_path, true);
    return KEY_DONE;
}

static int confirm_no(app *a, int key)
{
    (void)key;
    editor *e = open_editor(a);
    start_typing(e, EM_SAVE_AS, e->save_path); /* another name, or Esc */
    snprintf(e->note, sizeof e->note, "not overwritten: type another name, or Esc");
    return KEY_DONE;
}

static const key_binding confirm_rows[] = {
    {{'y', 'Y'}, "y", "overwrite the file", confirm_yes, false, "y overwrite"},
    {{'n', 'N', K_ESC}, "n, Esc", "keep it", confirm_no, false, "n keep it"},
};
const key_table keys_editor_confirm = {"Overwrite?", ROWS(confirm_rows)};

/* ---- the line editor: every key while a value or a file name is typed --------------- */

static int line_edit(app *a, editor *e, int key)
{
    int n = (int)strlen(e->input);
    if (key == K_ESC) {
        e->mode = EM_BROWSE;
        e->note[0] = '\0';
    } else if (key == K_ENTER && e->mode == EM_TYPE) {
        e->mode = EM_BROWSE;
        editor_set_value(a, e, e->sel, e->input);
        snprintf(e->note, sizeof e->note, "%s", e->valid ? "" : "the block does not parse: A (apply) waits for a fix");
    } else if (key == K_ENTER) { /* EM_SAVE_AS */
        e->mode = EM_BROWSE;
        int rc = editor_save(a, e, e->input, false);
        if (rc == 1) {
            snprintf(e->save_path, sizeof e->save_path, "%s", e->input);
            e->mode = EM_CONFIRM;
        }
    } else if (key == K_LEFT && e->cursor > 0) {
        e->cursor--;
    } else if (key == K_RIGHT && e->cursor < n) {
        e->cursor++;
    } else if (key == K_HOME) {
        e->cursor = 0;
    } else if (key == K_END) {
        e->cursor = n;
    } else if (key == K_BACKSPACE && e->cursor > 0) {
        memmove(e->input + e->cursor - 1, e->input + e->cursor, (size_t)(n - e->cursor + 1));
        e->cursor--;
    } else if (key == K_CTRL_U) {
        e->input[0] = '\0';
        e->cursor = 0;
    } else if (key >= 0x20 && key < 0x7f && n + 1 < (int)sizeof e->input && n + 1 < EXPERIMENT_LINE_MAX - 40) {
        memmove(e->input + e->cursor + 1, e->input + e->cursor, (size_t)(n - e->cursor + 1));
        e->input[e->cursor++] = (char)key;
    }
    return KEY_DONE;
}

int editor_on_key(app *a, int key)
{
    editor *e = open_editor(a);
    if (!e)
        return 0;
    int flags;
    if (key != 'R' || e->mode != EM_BROWSE)
        e->reset_armed = false; /* any other key: the reset waits for a fresh R R */
    switch (e->mode) {
    case EM_TYPE:
    case EM_SAVE_AS: flags = line_edit(a, e, key); break;
    case EM_CHOOSE: flags = keys_dispatch(&keys_editor_choose, a, key); break;
    case EM_CONFIRM: flags = keys_dispatch(&keys_editor_confirm, a, key); break;
    default: flags = keys_dispatch(&keys_editor, a, key); break;
    }
    if (a->les && a->les->editing)
        keep_in_view(a, e);
    return flags ? flags : KEY_HANDLED; /* the form is modal: no key falls through */
}

/* E on the lesson screen: the form over the page's experiment. */
int editor_open_key(app *a, int key)
{
    (void)key;
    editor *e = editor_of(a);
    if (!e)
        return KEY_DONE;
    e->mode = EM_BROWSE;
    e->note[0] = '\0';
    app_run(a)->running = false; /* the form covers the run: it does not train unseen */
    a->les->editing = true;
    keep_in_view(a, e);
    return KEY_DONE;
}
