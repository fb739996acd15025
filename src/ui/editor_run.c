/* editor_run.c - what the experiment editor does with its block (editor.h): apply it to the
 * page's run, reset to the lesson's, compare the two, save it to a file. */
#include "editor.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/xalloc.h"
#include "../io/atomic.h"
#include "../lesson/experiment_keys.h"

/* The page's run restarted with x; the run is left as it was when x cannot start. */
static int restart_run(app *a, int k, const experiment *x)
{
    session fresh;
    ds_error err = {0};
    if (session_start(&fresh, x, &err) != 0) {
        session_free(&fresh);
        err_format(&err, a->message, sizeof a->message);
        return -1;
    }
    session *s = &a->les->runs[k];
    int sel_layer = s->layer;
    session_free(s);
    *s = fresh; /* a session moves whole: its data is on the heap (session.h) */
    s->layer = sel_layer;
    session_clamp_selection(s);
    return 0;
}

int editor_apply(app *a, editor *e)
{
    if (!e->valid) {
        snprintf(e->note, sizeof e->note, "not applied: the block has an error (%s)", e->error);
        return -1;
    }
    experiment x;
    ds_error err = {0};
    if (editor_parse(a, e, &x, &err) != 0) { /* it parsed a moment ago: cannot happen */
        snprintf(e->note, sizeof e->note, "not applied: %s", err.msg);
        return -1;
    }
    a->message[0] = '\0';
    if (restart_run(a, e->experiment, &x) != 0) {
        snprintf(e->note, sizeof e->note, "not applied: %s", a->message);
        experiment_free(&x);
        return -1;
    }
    if (e->has_applied) /* after the restart: the old run borrowed its expectations */
        experiment_free(&e->applied);
    e->applied = x;
    e->has_applied = true;
    snprintf(e->note, sizeof e->note, "applied: the run starts again from step 0 with the edited experiment");
    snprintf(a->message, sizeof a->message, "edited experiment applied: step 0 (E edits it again, R in the form "
             "goes back to the lesson's)");
    return 0;
}

void editor_reset(app *a, editor *e)
{
    size_t len;
    const char *text = editor_original(a, e->experiment, &len);
    editor_load(e, text, len); /* it loaded when the editor opened: it fits */
    editor_validate(a, e);
    if (e->has_applied && restart_run(a, e->experiment, &a->les->lesson.experiments[e->experiment]) == 0) {
        experiment_free(&e->applied);
        e->has_applied = false;
        snprintf(e->note, sizeof e->note, "the lesson's block again; the run is the lesson's, from step 0");
        return;
    }
    snprintf(e->note, sizeof e->note, "the lesson's block again");
}

int editor_compare(app *a, editor *e)
{
    if (!e->valid) {
        snprintf(e->note, sizeof e->note, "cannot compare: the block has an error (%s)", e->error);
        return -1;
    }
    const experiment *orig = &a->les->lesson.experiments[e->experiment];
    experiment *xs = xcalloc(2, sizeof *xs);
    ds_error err = {0};
    /* the edited run has its own parse: it outlives any edit made after */
    if (editor_parse(a, e, &xs[1], &err) != 0) {
        snprintf(e->note, sizeof e->note, "cannot compare: %s", err.msg);
        free(xs);
        return -1;
    }
    xs[0] = *orig; /* the lesson's as the lesson parsed it */
    xs[0].expects = NULL, xs[0].n_expects = 0; /* the lesson owns those: not this copy's to free */
    char names[2][64];
    snprintf(names[0], sizeof names[0], "%.50s", orig->name[0] ? orig->name : "lesson's");
    snprintf(names[1], sizeof names[1], "%.50s (edited)", orig->name[0] ? orig->name : "");
    a->message[0] = '\0';
    if (app_compare_experiments(a, xs, (const char (*)[64])names, 2) != 0) {
        snprintf(e->note, sizeof e->note, "cannot compare: %s", a->message);
        return -1;
    }
    return 0;
}

/* The folder of path, resolved ("." for a bare name); false when it does not exist. */
static bool real_dir(const char *path, char *out)
{
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", path);
    char *slash = strrchr(d, '/');
    if (slash == d)
        d[1] = '\0'; /* a file in / */
    else if (slash)
        *slash = '\0';
    else
        snprintf(d, sizeof d, ".");
    return realpath(d, out) != NULL;
}

/* The data line as the saved file needs it: relative paths are relative to the lesson's
 * folder, so a file saved elsewhere names the data by its absolute path. */
static void data_line_for(const app *a, const editor *e, const char *path, const char *line, char *out, size_t cap)
{
    snprintf(out, cap, "%s", line);
    const experiment *x = &e->parsed;
    char here[PATH_MAX], there[PATH_MAX], p0[PATH_MAX], p1[PATH_MAX];
    if (editor_line_key(line) < 0 || strcmp(experiment_known_keys[editor_line_key(line)], "data") != 0 ||
        (x->source != DATA_CSV && x->source != DATA_IDX) || !real_dir(a->les->lesson.path, here) ||
        !real_dir(path, there) || strcmp(here, there) == 0 || !realpath(x->path[0], p0))
        return;
    char value[3 * PATH_MAX + 8];
    if (x->source == DATA_IDX) {
        if (!realpath(x->path[1], p1))
            return;
        snprintf(value, sizeof value, "idx %s %s", p0, p1);
    } else
        snprintf(value, sizeof value, "%s", p0);
    if (strlen(value) < EXPERIMENT_LINE_MAX - 16)
        snprintf(out, cap, "data = %s", value);
}

int editor_save(app *a, editor *e, const char *path, bool overwrite)
{
    struct stat st;
    if (!path[0]) {
        snprintf(e->note, sizeof e->note, "not saved: no file name");
        return -1;
    }
    if (!overwrite && stat(path, &st) == 0)
        return 1;
    atomic_file af;
    ds_error err = {0};
    if (atomic_open(&af, path, &err) != 0) {
        snprintf(e->note, sizeof e->note, "not saved: %s", err.msg);
        return -1;
    }
    const lesson *l = &a->les->lesson;
    const experiment *orig = &l->experiments[e->experiment];
    fprintf(af.f, "# %s (edited)\n\nThe experiment at line %d of %s, edited in deepstep (E).\n\n```deepstep\n", l->title,
            orig->line, l->path);
    for (int i = 0; i < e->n_lines; i++) {
        char line[EDITOR_LINE_MAX + 32];
        data_line_for(a, e, path, e->lines[i], line, sizeof line);
        fprintf(af.f, "%s\n", line);
    }
    fprintf(af.f, "```\n");
    if (atomic_commit(&af, &err) != 0) {
        snprintf(e->note, sizeof e->note, "not saved: %s", err.msg);
        return -1;
    }
    if (e->valid)
        snprintf(e->note, sizeof e->note, "saved to %s", path);
    else /* work in progress is worth keeping, but the file will not check until it is fixed */
        snprintf(e->note, sizeof e->note, "saved to %s, with the block's error still in it: %s", path, e->error);
    return 0;
}

