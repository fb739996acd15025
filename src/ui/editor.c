/* editor.c - the experiment editor's model: the edited block's lines, the form's rows over
 * them, re-parsing with the lesson parser after every edit, and choices from the parser's
 * name tables (apply, reset, compare and save are in editor_run.c). No curses: view_editor.c
 * draws it, keys_editor.c maps keys to it. */
#include "editor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../lesson/experiment_keys.h"
#include "../lesson/kv.h"

/* ---- the block's lines and the rows over them ------------------------------------------ */

const char *editor_original(const app *a, int k, size_t *len)
{
    const experiment *x = &a->les->lesson.experiments[k];
    *len = x->text_len;
    return a->les->lesson.src + x->text_at;
}

/* The key a line sets (its index in experiment_known_keys), -1 for a blank or comment line.
 * expect@median lines are "expect" rows: they repeat like expect. */
int editor_line_key(const char *line)
{
    char buf[EDITOR_LINE_MAX], *key, *value;
    snprintf(buf, sizeof buf, "%s", line);
    if (kv_split(buf, &key, &value) != 1)
        return -1;
    if (expect_key_kind(key) >= 0)
        key = "expect";
    for (int i = 0; experiment_known_keys[i]; i++)
        if (strcmp(key, experiment_known_keys[i]) == 0)
            return i;
    return -1;
}

static bool key_repeats(int key)
{
    return strcmp(experiment_known_keys[key], "layer") == 0 || strcmp(experiment_known_keys[key], "expect") == 0;
}

/* Every known key in the parser's order; a key the block sets once row per line, one it
 * leaves out one row with no line. */
static void build_rows(editor *e)
{
    e->n_rows = 0;
    for (int k = 0; experiment_known_keys[k] && e->n_rows < EDITOR_MAX_ROWS; k++) {
        bool any = false;
        for (int i = 0; i < e->n_lines && e->n_rows < EDITOR_MAX_ROWS; i++)
            if (editor_line_key(e->lines[i]) == k) {
                e->rows[e->n_rows++] = (editor_row){k, i};
                any = true;
            }
        if (!any)
            e->rows[e->n_rows++] = (editor_row){k, -1};
    }
    if (e->sel >= e->n_rows)
        e->sel = e->n_rows - 1;
}

int editor_load(editor *e, const char *text, size_t len)
{
    e->n_lines = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        if (e->n_lines == EDITOR_MAX_LINES || end - pos >= EDITOR_LINE_MAX)
            return -1;
        snprintf(e->lines[e->n_lines++], EDITOR_LINE_MAX, "%.*s", (int)(end - pos), text + pos);
        pos = end + 1;
    }
    return 0;
}

/* The edited block as one text (malloc'd), each line ended by a newline. */
static char *block_text(const editor *e, size_t *len)
{
    size_t n = 0;
    for (int i = 0; i < e->n_lines; i++)
        n += strlen(e->lines[i]) + 1;
    char *t = xcalloc(n + 1, 1);
    size_t at = 0;
    for (int i = 0; i < e->n_lines; i++)
        at += (size_t)sprintf(t + at, "%s\n", e->lines[i]);
    t[at] = '\0';
    *len = at;
    return t;
}

/* The folder data paths are relative to: the lesson's, as lesson.c resolves them. */
static void lesson_dir(const app *a, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", a->les->lesson.path);
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(buf, cap, ".");
}

/* Parse the edited block as the lesson parser parses it in the lesson: same file, lines and
 * folder, so messages and data paths are the ones the lesson would give. */
int editor_parse(const app *a, const editor *e, experiment *x, ds_error *err)
{
    const experiment *orig = &a->les->lesson.experiments[e->experiment];
    char dir[EXPERIMENT_PATH_MAX];
    lesson_dir(a, dir, sizeof dir);
    size_t len;
    char *text = block_text(e, &len);
    int first = orig->text_line > 0 ? orig->text_line : orig->line + 1;
    int rc = experiment_parse(x, text, len, a->les->lesson.path, orig->line, first, dir, err);
    free(text);
    return rc;
}

void editor_validate(const app *a, editor *e)
{
    experiment x;
    ds_error err = {0};
    const experiment *orig = &a->les->lesson.experiments[e->experiment];
    int first = orig->text_line > 0 ? orig->text_line : orig->line + 1;
    build_rows(e);
    size_t olen, len;
    const char *o = editor_original(a, e->experiment, &olen);
    char *t = block_text(e, &len);
    /* the lesson's block may lack its last newline: compare line by line */
    e->changed = !(len == olen || len == olen + 1) || memcmp(t, o, olen) != 0;
    free(t);
    if (editor_parse(a, e, &x, &err) == 0) {
        if (e->has_parsed)
            experiment_free(&e->parsed);
        e->parsed = x;
        e->has_parsed = true;
        e->valid = true;
        e->error[0] = '\0';
        e->error_line = -1;
        return;
    }
    e->valid = false;
    snprintf(e->error, sizeof e->error, "%s", err.msg);
    int li = err.line - first;
    e->error_line = li >= 0 && li < e->n_lines ? li : -1;
}

editor *editor_of(app *a)
{
    lesson_screen *ls = a->les;
    int k = ls ? ls->experiment : -1;
    if (k < 0)
        return NULL;
    if (!ls->edits)
        ls->edits = xcalloc((size_t)ls->lesson.n_experiments, sizeof *ls->edits);
    if (ls->edits[k])
        return ls->edits[k];
    editor *e = xcalloc(1, sizeof *e);
    e->experiment = k;
    e->lines = xcalloc(EDITOR_MAX_LINES, sizeof *e->lines);
    size_t len;
    const char *text = editor_original(a, k, &len);
    if (editor_load(e, text, len) != 0) {
        snprintf(a->message, sizeof a->message, "this block has more than %d lines or a line over %d characters: "
                 "the editor cannot hold it", EDITOR_MAX_LINES, EDITOR_LINE_MAX - 1);
        editor_free(e);
        return NULL;
    }
    editor_validate(a, e);
    ls->edits[k] = e;
    return e;
}

void editor_free(editor *e)
{
    if (!e)
        return;
    if (e->has_parsed)
        experiment_free(&e->parsed);
    if (e->has_applied)
        experiment_free(&e->applied);
    free(e->lines);
    free(e);
}

void editor_row_value(const editor *e, int row, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (row < 0 || row >= e->n_rows || e->rows[row].line < 0)
        return;
    char line[EDITOR_LINE_MAX], *key, *value;
    snprintf(line, sizeof line, "%s", e->lines[e->rows[row].line]);
    if (kv_split(line, &key, &value) == 1)
        snprintf(buf, cap, "%s", value);
}

void editor_default(const editor *e, int key, char *buf, size_t cap)
{
    const experiment *x = &e->parsed;
    const train_config *c = &x->train;
    const char *k = experiment_known_keys[key];
    if (strcmp(k, "normalize") == 0) snprintf(buf, cap, "%s", norm_name(c->normalize));
    else if (strcmp(k, "validation") == 0) snprintf(buf, cap, "%g", (double)c->validation);
    else if (strcmp(k, "test") == 0) snprintf(buf, cap, "%g", (double)c->test);
    else if (strcmp(k, "batch") == 0 && c->batch == 0) snprintf(buf, cap, "full");
    else if (strcmp(k, "batch") == 0) snprintf(buf, cap, "%d", c->batch);
    else if (strcmp(k, "shuffle") == 0) snprintf(buf, cap, "%s", kv_bool_words[c->shuffle ? 0 : 1]);
    else if (strcmp(k, "loss") == 0) snprintf(buf, cap, "%s (from the output layer)", loss_name(c->loss));
    else if (strcmp(k, "optimizer") == 0) snprintf(buf, cap, "%s lr=%g", optim_name(c->opt.kind), (double)c->opt.lr);
    else if (strcmp(k, "clip") == 0) snprintf(buf, cap, "%s", clip_name(c->clip));
    else if (strcmp(k, "schedule") == 0) snprintf(buf, cap, "%s", sched_name(c->schedule));
    else if (strcmp(k, "epochs") == 0) snprintf(buf, cap, "%d", c->epochs);
    else if (strcmp(k, "seed") == 0) snprintf(buf, cap, "%llu", (unsigned long long)c->seed);
    else if (strcmp(k, "early_stop") == 0) snprintf(buf, cap, "none");
    else if (strcmp(k, "ensemble") == 0) snprintf(buf, cap, "%d", c->ensemble);
    else if (strcmp(k, "precision") == 0) snprintf(buf, cap, "%s", fp_spec_of(c->precision)->name);
    else if (strcmp(k, "loss_scale") == 0) snprintf(buf, cap, "%g", (double)c->loss_scale);
    else if (strcmp(k, "data") == 0 || strcmp(k, "layer") == 0) snprintf(buf, cap, "required");
    else snprintf(buf, cap, "none");
}

/* ---- editing ------------------------------------------------------------------------- */

static void insert_line(editor *e, int at, const char *text)
{
    if (e->n_lines == EDITOR_MAX_LINES)
        return;
    memmove(e->lines[at + 1], e->lines[at], (size_t)(e->n_lines - at) * sizeof *e->lines);
    snprintf(e->lines[at], EDITOR_LINE_MAX, "%s", text);
    e->n_lines++;
}

static void delete_line(editor *e, int at)
{
    memmove(e->lines[at], e->lines[at + 1], (size_t)(e->n_lines - at - 1) * sizeof *e->lines);
    e->n_lines--;
}

/* The column the block's '=' signs line up at, so an added line looks like its neighbours. */
static int key_width(const editor *e)
{
    for (int i = 0; i < e->n_lines; i++) {
        const char *eq = strchr(e->lines[i], '=');
        if (eq && editor_line_key(e->lines[i]) >= 0) {
            int w = (int)(eq - e->lines[i]);
            while (w > 0 && e->lines[i][w - 1] == ' ')
                w--;
            return (int)(eq - e->lines[i]) - 1 > w ? (int)(eq - e->lines[i]) - 1 : w;
        }
    }
    return 9;
}

/* A line with a new value: its key and spacing as written, and its comment kept. */
static void rewrite_line(char *line, const char *value)
{
    char out[EDITOR_LINE_MAX];
    const char *eq = strchr(line, '='), *hash = strchr(line, '#');
    if (!eq || (hash && hash < eq))
        return;
    const char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    int n = snprintf(out, sizeof out, "%.*s%s%s", (int)(v - line), line, v == eq + 1 ? " " : "", value);
    if (hash && n >= 0 && (size_t)n < sizeof out)
        snprintf(out + n, sizeof out - (size_t)n, "  %s", hash);
    snprintf(line, EDITOR_LINE_MAX, "%s", out);
}

void editor_set_value(app *a, editor *e, int row, const char *value)
{
    if (row < 0 || row >= e->n_rows)
        return;
    editor_row r = e->rows[row];
    char v[EDITOR_LINE_MAX];
    snprintf(v, sizeof v, "%s", value);
    char *s = v, *end = v + strlen(v);
    while (*s == ' ' || *s == '\t')
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    if (r.line >= 0 && !*s)
        delete_line(e, r.line);
    else if (r.line >= 0)
        rewrite_line(e->lines[r.line], s);
    else if (*s) { /* after the lines of the keys before it in the form, else first */
        int at = 0;
        for (int i = 0; i < row; i++)
            if (e->rows[i].line >= at)
                at = e->rows[i].line + 1;
        char line[EDITOR_LINE_MAX];
        snprintf(line, sizeof line, "%-*s = %.1000s", key_width(e), experiment_known_keys[r.key], s);
        insert_line(e, at, line);
    }
    editor_validate(a, e);
}

bool editor_add_row(app *a, editor *e, int row)
{
    if (row < 0 || row >= e->n_rows || !key_repeats(e->rows[row].key) || e->n_lines == EDITOR_MAX_LINES)
        return false;
    int li = e->rows[row].line;
    if (li < 0)
        return false; /* an unset key: setting it adds its line */
    char copy[EDITOR_LINE_MAX];
    snprintf(copy, sizeof copy, "%s", e->lines[li]);
    insert_line(e, li + 1, copy);
    editor_validate(a, e);
    e->sel = row + 1;
    return true;
}

/* ---- choices from the parser's own tables --------------------------------------------- */

static const char *norm_at(int i) { return norm_name((norm_kind)i); }
static const char *loss_at(int i) { return loss_name((loss_kind)i); }
static const char *optim_at(int i) { return optim_name((opt_kind)i); }
static const char *clip_at(int i) { return clip_name((clip_kind)i); }
static const char *sched_at(int i) { return sched_name((sched_kind)i); }
static const char *synth_at(int i) { return synth_name((synth_kind)i); }
static const char *act_at(int i) { return act_name((activation)i); }
static const char *init_at(int i) { return init_name((init_kind)i); }
static const char *bool_at(int i) { return kv_bool_words[i]; }
/* fp64 is in the table but the parser refuses it ("precision can only be reduced") */
static const char *fp_at(int i) { return i + FP32 < FP_COUNT ? fp_spec_of((fp_format)(i + FP32))->name : NULL; }

static int fill(const char **out, const char *(*name)(int), int n)
{
    int m = 0;
    for (int i = 0; i < n && m < EDITOR_MAX_CHOICES; i++)
        if (name(i))
            out[m++] = name(i);
    return m;
}

/* The words of a value (at most KV_MAX_TOKENS), split in buf. */
static int words(const char *value, char *buf, size_t cap, char **tok)
{
    snprintf(buf, cap, "%s", value);
    int n = kv_tokenize(buf, tok);
    return n < 0 ? 0 : n;
}

int editor_choices(const editor *e, int row, bool init, const char **out, choice_target *target)
{
    if (row < 0 || row >= e->n_rows)
        return 0;
    const char *k = experiment_known_keys[e->rows[row].key];
    *target = CT_VALUE;
    if (strcmp(k, "normalize") == 0) return fill(out, norm_at, NORM_COUNT);
    if (strcmp(k, "shuffle") == 0) return fill(out, bool_at, 2);
    if (strcmp(k, "loss") == 0) return fill(out, loss_at, LOSS_COUNT);
    if (strcmp(k, "data") == 0) return fill(out, synth_at, SYNTH_COUNT);
    *target = CT_FIRST_WORD;
    if (strcmp(k, "optimizer") == 0) return fill(out, optim_at, OPT_COUNT);
    if (strcmp(k, "clip") == 0) return fill(out, clip_at, CLIP_COUNT);
    if (strcmp(k, "schedule") == 0) return fill(out, sched_at, SCHED_COUNT);
    if (strcmp(k, "precision") == 0) return fill(out, fp_at, FP_COUNT - FP32);
    if (strcmp(k, "layer") != 0)
        return 0;
    char value[EDITOR_LINE_MAX], buf[EDITOR_LINE_MAX], *tok[KV_MAX_TOKENS];
    editor_row_value(e, row, value, sizeof value);
    int n = words(value, buf, sizeof buf, tok);
    if (n == 0)
        return 0;
    bool dense = strcmp(tok[0], "dense") == 0;
    if (init) {
        *target = CT_INIT;
        return dense ? fill(out, init_at, INIT_COUNT) : 0;
    }
    *target = CT_ACTIVATION;
    bool has_act = dense || strcmp(tok[0], "batchnorm") == 0 || strcmp(tok[0], "layernorm") == 0 ||
                   (strcmp(tok[0], "residual") == 0 && n >= 2 && strcmp(tok[1], "end") == 0);
    return has_act ? fill(out, act_at, ACT_COUNT) : 0;
}

/* Join words tok[0..n) into out with one space. */
static void join(char *out, size_t cap, char **tok, int n)
{
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < n && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? " " : "", tok[i]);
}

void editor_choose(app *a, editor *e, int row, const char *name, choice_target target)
{
    char value[EDITOR_LINE_MAX], buf[EDITOR_LINE_MAX], out[EDITOR_LINE_MAX], *tok[KV_MAX_TOKENS + 1];
    editor_row_value(e, row, value, sizeof value);
    int n = words(value, buf, sizeof buf, tok);
    bool is_opt = strcmp(experiment_known_keys[e->rows[row].key], "optimizer") == 0;
    if (target == CT_VALUE || n == 0) {
        snprintf(out, sizeof out, "%s", name);
    } else if (target == CT_FIRST_WORD && is_opt) {
        /* keep the options the new optimizer has (lr, weight_decay; beta1 from adam to adamw),
         * asking the parser, not a list of ours */
        int m = 1;
        char *keep[KV_MAX_TOKENS];
        keep[0] = (char *)name;
        for (int i = 1; i < n; i++) {
            char one[EDITOR_LINE_MAX];
            opt_config oc;
            ds_error err = {0};
            snprintf(one, sizeof one, "%s %s", name, tok[i]);
            if (experiment_parse_optimizer(one, &oc, "", 0, &err) == 0)
                keep[m++] = tok[i];
        }
        join(out, sizeof out, keep, m);
    } else if (target == CT_FIRST_WORD) {
        tok[0] = (char *)name;
        join(out, sizeof out, tok, n);
    } else {
        bool dense = strcmp(tok[0], "dense") == 0;
        int at = -1; /* the word to replace; n: append */
        if (target == CT_ACTIVATION)
            at = dense || strcmp(tok[0], "residual") == 0 ? 2 : 1;
        else if (dense) {
            at = n;
            for (int i = 3; i < n; i++)
                if (strncmp(tok[i], "init=", 5) == 0)
                    at = i;
        }
        char opt[80];
        snprintf(opt, sizeof opt, "init=%s", name);
        if (at >= 0 && at <= n && at < KV_MAX_TOKENS) {
            tok[at] = target == CT_INIT ? opt : (char *)name;
            n = at == n ? n + 1 : n;
        }
        join(out, sizeof out, tok, n);
    }
    editor_set_value(a, e, row, out);
}

/* ---- where the form goes ------------------------------------------------------------ */

rect editor_box(int cols, int rows)
{
    int w = cols > 100 ? 100 : cols;
    return (rect){(cols - w) / 2, 1, w, rows - 2};
}

/* Inside the border: a header line, the rows, the message or line editor, the key hints. */
int editor_room(int box_h)
{
    int room = box_h - 5; /* the borders, the header line, the note and the keys */
    return room < 1 ? 1 : room;
}

void editor_scroll(editor *e, int room)
{
    int need = e->error[0] && e->error_line >= 0 ? 2 : 0; /* the message under its row */
    int r = room - need > 1 ? room - need : 1;
    if (e->sel < e->top)
        e->top = e->sel;
    if (e->sel >= e->top + r)
        e->top = e->sel - r + 1;
    if (e->top > e->n_rows - r) /* a taller box (a resize): no empty rows below the last */
        e->top = e->n_rows - r;
    if (e->top < 0)
        e->top = 0;
}
