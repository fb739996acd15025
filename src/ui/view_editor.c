/* view_editor.c - draws the experiment editor's form (E) over the lesson screen, from the
 * editor's state only: a row per key of the block, the parser's message under the row it
 * points at, a list of names when one is being chosen, the line editor, and the form's keys. */
#include <stdio.h>
#include <string.h>

#include "../lesson/experiment_keys.h"
#include "editor.h"
#include "keys.h"
#include "view.h"
#include "wrap.h"

/* The hints of a table, with ASCII arrows when the terminal has no UTF-8. */
static void hints(const key_table *t, bool ascii, char *out, size_t cap)
{
    char h[300];
    keys_hints(t, true, h, sizeof h);
    const char *arrows = "\xE2\x86\x91\xE2\x86\x93", *p = strstr(h, arrows);
    if (ascii && p)
        snprintf(out, cap, "%.*sj/k%s", (int)(p - h), h, p + strlen(arrows));
    else
        snprintf(out, cap, "%s", h);
}

/* The parser's message, wrapped under its row: up to `max` lines from y; returns lines used. */
static int draw_message(frame *f, int x, int y, int w, int max, const char *msg, bool ascii)
{
    char text[480];
    snprintf(text, sizeof text, "%s %s", ascii ? "^" : "\xE2\x86\x91", msg);
    int pos = 0, n = 0, len = (int)strlen(text);
    wrap_line ln;
    while (n < max && wrap_next(text, len, &pos, w, &ln)) {
        frame_putn(f, x, y + n, ROLE_BAD, text + ln.start, (size_t)ln.len, w);
        n++;
    }
    return n;
}

static void draw_choices(const editor *e, frame *f, rect b, int row_y, bool ascii)
{
    int w = 0;
    for (int i = 0; i < e->n_choices; i++)
        w = (int)strlen(e->choices[i]) > w ? (int)strlen(e->choices[i]) : w;
    w += 6;
    int room = b.h - 4, shown = e->n_choices < room ? e->n_choices : room;
    rect c = {b.x + b.w - w - 3, row_y, w, shown + 2};
    if (c.y + c.h > b.y + b.h - 1)
        c.y = b.y + b.h - 1 - c.h;
    c.y = c.y < b.y + 1 ? b.y + 1 : c.y;
    draw_box(f, c, NULL, NULL, ascii);
    int first = e->choice_sel - shown + 1 > 0 ? e->choice_sel - shown + 1 : 0;
    for (int i = 0; i < shown; i++) {
        int k = first + i;
        char line[80];
        snprintf(line, sizeof line, "%s %s", k == e->choice_sel ? ">" : " ", e->choices[k]);
        frame_fill(f, c.x + 1, c.y + 1 + i, c.w - 2, ' ', k == e->choice_sel ? ROLE_SELECTED : ROLE_NORMAL);
        frame_put(f, c.x + 2, c.y + 1 + i, k == e->choice_sel ? ROLE_SELECTED : ROLE_NORMAL, line, c.w - 3);
    }
}

/* The line being typed, the cursor shown as a reversed cell. */
static void draw_input(const editor *e, frame *f, int x, int y, int w, const char *label)
{
    int lw = frame_put(f, x, y, ROLE_STRONG, label, w);
    int room = w - lw - 1, n = (int)strlen(e->input);
    int first = e->cursor - room + 1 > 0 ? e->cursor - room + 1 : 0; /* the cursor stays in view */
    frame_putn(f, x + lw, y, ROLE_CODE, e->input + first, (size_t)(n - first), room);
    char at[2] = {e->input[e->cursor] ? e->input[e->cursor] : ' ', '\0'};
    frame_put(f, x + lw + e->cursor - first, y, ROLE_SELECTED, at, 1);
}

void draw_editor(const app *a, frame *f)
{
    const lesson_screen *ls = a->les;
    const editor *e = ls->edits[ls->experiment];
    const experiment *x = &ls->lesson.experiments[e->experiment];
    bool ascii = a->ascii;
    rect b = editor_box(f->w, f->h);
    draw_box(f, b, NULL, NULL, ascii);
    char line[EDITOR_LINE_MAX + 200];
    snprintf(line, sizeof line, " Edit experiment %s (block at line %d) ", x->name[0] ? x->name : "", x->line);
    frame_put(f, b.x + 2, b.y, ROLE_HEADING, line, b.w - 4);
    int iw = b.w - 4, x0 = b.x + 2;
    /* the state of the block: the parser's verdict, and whether the run is this block */
    if (e->valid)
        snprintf(line, sizeof line, "%s; %s", e->changed ? "edited, parses" : "as in the lesson",
                 e->has_applied ? "the run is the edited block" : "A applies it (the run restarts)");
    else
        snprintf(line, sizeof line, "the block does not parse: A waits for a fix");
    frame_put(f, x0, b.y + 1, e->valid ? ROLE_GOOD : ROLE_BAD, line, iw);
    int room = editor_room(b.h), y = b.y + 2, y_end = y + room, sel_y = y;
    bool msg_shown = false;
    int kw = 11; /* the key column: "loss_scale" and a space */
    for (int r = e->top; r < e->n_rows && y < y_end; r++) {
        const editor_row *row = &e->rows[r];
        bool sel = r == e->sel;
        role ro = sel ? ROLE_SELECTED : ROLE_NORMAL;
        char value[EDITOR_LINE_MAX], def[200];
        editor_row_value(e, r, value, sizeof value);
        if (sel) {
            frame_fill(f, b.x + 1, y, b.w - 2, ' ', ROLE_SELECTED);
            sel_y = y;
        }
        snprintf(line, sizeof line, "%s%-*s", sel ? ">" : " ", kw, experiment_known_keys[row->key]);
        int used = frame_put(f, x0 - 1, y, sel ? ROLE_SELECTED : ROLE_STRONG, line, iw);
        if (row->line >= 0) {
            frame_put(f, x0 - 1 + used, y, ro, value, iw - used + 1);
        } else {
            editor_default(e, row->key, def, sizeof def);
            snprintf(line, sizeof line, "(not set: %s)", def);
            frame_put(f, x0 - 1 + used, y, sel ? ROLE_SELECTED : ROLE_DIM, line, iw - used + 1);
        }
        y++;
        if (!e->valid && row->line >= 0 && row->line == e->error_line && y < y_end) {
            y += draw_message(f, x0 + kw, y, iw - kw, y_end - y < 2 ? y_end - y : 2, e->error, ascii);
            msg_shown = true;
        }
    }
    /* below the rows: the message of an error on no row (a missing key), the note, or the line
     * editor; then the form's keys */
    int ny = b.y + b.h - 3, hy = b.y + b.h - 2;
    if (e->mode == EM_TYPE) {
        snprintf(line, sizeof line, "%s = ", experiment_known_keys[e->rows[e->sel].key]);
        draw_input(e, f, x0, ny, iw, line);
    } else if (e->mode == EM_SAVE_AS) {
        draw_input(e, f, x0, ny, iw, "save the block to: ");
    } else if (e->mode == EM_CONFIRM) {
        snprintf(line, sizeof line, "%s exists: overwrite it? y/n", e->save_path);
        frame_put(f, x0, ny, ROLE_WARN, line, iw);
    } else if (!e->valid && !msg_shown) {
        snprintf(line, sizeof line, "%s%s", e->error_line < 0 ? "" : "(on a row out of view) ", e->error);
        frame_put(f, x0, ny, ROLE_BAD, line, iw);
    } else if (e->note[0]) {
        frame_put(f, x0, ny, ROLE_EMPH, e->note, iw);
    }
    const key_table *t = e->mode == EM_CHOOSE ? &keys_editor_choose : e->mode == EM_CONFIRM ? &keys_editor_confirm
                                                                                             : &keys_editor;
    if (e->mode == EM_TYPE || e->mode == EM_SAVE_AS)
        snprintf(line, sizeof line, "Enter %s  Esc cancel  %s  Ctrl-U clear", e->mode == EM_TYPE ? "set" : "save",
                 ascii ? "left/right move" : "\xE2\x86\x90\xE2\x86\x92 move");
    else
        hints(t, ascii, line, sizeof line);
    frame_put(f, x0, hy, ROLE_DIM, line, iw);
    if (e->top > 0) {
        snprintf(line, sizeof line, " %s %d more above ", ascii ? "^" : "\xE2\x86\x91", e->top);
        frame_put(f, b.x + b.w - 2 - (int)strlen(line) + (ascii ? 0 : 2), b.y, ROLE_DIM, line, b.w - 4);
    }
    int last = e->top, used = 0;
    for (; last < e->n_rows && used < room; last++)
        used += 1 + (!e->valid && e->rows[last].line >= 0 && e->rows[last].line == e->error_line ? 2 : 0);
    if (last < e->n_rows) {
        snprintf(line, sizeof line, " %s %d more below ", ascii ? "v" : "\xE2\x86\x93", e->n_rows - last);
        frame_put(f, b.x + b.w - 2 - (int)strlen(line) + (ascii ? 0 : 2), b.y + b.h - 1, ROLE_DIM, line, b.w - 4);
    }
    if (e->mode == EM_CHOOSE)
        draw_choices(e, f, b, sel_y, ascii);
}
