/* The experiment editor (E): its form lists every key the parser knows, its lists are the
 * parser's name tables, its messages are the parser's, and apply / reset / compare / save do
 * what they say, driven through the key table as a learner would. */
#include <dirent.h>

#include "test_common.h"
#include "test_app.h"
#include "lesson/experiment_keys.h"
#include "lesson/kv.h"
#include "ui/editor.h"
#include "ui/keys.h"
#include "ui/view.h"

#define XOR "lessons/00-welcome.md"

static editor *ed(app *a) { return a->les->edits[a->les->experiment]; }

/* Move the form's selection to the first row of KEY (by the keys, as a learner would). */
static void select_key(app *a, const char *key)
{
    app_key(a, K_HOME);
    for (int guard = 0; guard < EDITOR_MAX_ROWS; guard++) {
        editor *e = ed(a);
        if (strcmp(experiment_known_keys[e->rows[e->sel].key], key) == 0)
            return;
        app_key(a, K_DOWN);
    }
    fail_msg("no row for %s", key);
}

static void type(app *a, const char *s)
{
    for (; *s; s++)
        app_key(a, (unsigned char)*s);
}

/* Enter on the row, then pick NAME from its list. */
static void choose(app *a, const char *name)
{
    app_key(a, K_ENTER);
    editor *e = ed(a);
    assert_int_equal(e->mode, EM_CHOOSE);
    for (int i = 0; i < e->n_choices && strcmp(e->choices[e->choice_sel], name) != 0; i++)
        app_key(a, K_DOWN);
    assert_string_equal(e->choices[e->choice_sel], name);
    app_key(a, K_ENTER);
}

static char *joined(const editor *e)
{
    static char buf[1 << 16];
    size_t at = 0;
    for (int i = 0; i < e->n_lines; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s\n", e->lines[i]);
    return buf;
}

static void draw(const app *a, frame *f, int w, int h)
{
    frame_init(f, w, h);
    view_draw(a, f);
    if (getenv("EDITOR_DUMP")) { /* to look at the form while changing it */
        char row[1024];
        for (int y = 0; y < h; y++) {
            frame_row_text(f, y, row, sizeof row);
            printf("%s\n", row);
        }
    }
}

static void test_form_lists_every_known_key(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 160, 48);
    assert_int_equal(app_key(&a, 'E') & KEY_HANDLED, KEY_HANDLED);
    assert_true(a.les->editing);
    editor *e = ed(&a);
    for (int k = 0; experiment_known_keys[k]; k++) {
        bool found = false;
        for (int r = 0; r < e->n_rows; r++)
            found |= e->rows[r].key == k;
        assert_true(found);
    }
    /* xor's block: 2 layers and 2 expects, so two keys have two rows */
    assert_int_equal(e->n_rows, EXPERIMENT_KEYS + 2);
    frame f;
    draw(&a, &f, 160, 48);
    for (int k = 0; experiment_known_keys[k]; k++)
        assert_true(frame_contains(&f, experiment_known_keys[k]));
    assert_true(frame_contains(&f, "dense 4 tanh init=xavier"));
    assert_true(frame_contains(&f, "(not set: none)"));   /* normalize, as the parser defaults it */
    assert_true(frame_contains(&f, "(not set: 1)"));      /* ensemble */
    assert_true(frame_contains(&f, "as in the lesson"));
    frame_free(&f);
    app_free(&a);
}

static void test_choices_are_the_parsers_names(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 120, 40);
    app_key(&a, 'E');
    select_key(&a, "optimizer");
    app_key(&a, K_ENTER);
    editor *e = ed(&a);
    assert_int_equal(e->mode, EM_CHOOSE);
    assert_int_equal(e->n_choices, OPT_COUNT);
    for (int i = 0; i < OPT_COUNT; i++)
        assert_ptr_equal(e->choices[i], optim_name((opt_kind)i)); /* the table itself, not a copy */
    assert_string_equal(e->choices[e->choice_sel], "sgd"); /* opens on the value the row has */
    frame f;
    draw(&a, &f, 120, 40);
    assert_true(frame_contains(&f, "> adam") || frame_contains(&f, "  adam"));
    frame_free(&f);
    app_key(&a, K_ESC);
    assert_int_equal(e->mode, EM_BROWSE);
    /* a layer's activation, and its init with i */
    select_key(&a, "layer");
    app_key(&a, K_ENTER);
    assert_int_equal(e->n_choices, ACT_COUNT);
    for (int i = 0; i < ACT_COUNT; i++)
        assert_ptr_equal(e->choices[i], act_name((activation)i));
    app_key(&a, K_ESC);
    app_key(&a, 'i');
    assert_int_equal(e->n_choices, INIT_COUNT);
    for (int i = 0; i < INIT_COUNT; i++)
        assert_ptr_equal(e->choices[i], init_name((init_kind)i));
    app_key(&a, K_ESC);
    choose(&a, "relu");
    char v[EDITOR_LINE_MAX];
    editor_row_value(e, e->sel, v, sizeof v);
    assert_string_equal(v, "dense 4 relu init=xavier");
    /* shuffle offers the parser's words; precision leaves out fp64, which the parser refuses */
    select_key(&a, "shuffle");
    app_key(&a, K_ENTER);
    assert_int_equal(e->n_choices, 2);
    assert_ptr_equal(e->choices[0], kv_bool_words[0]);
    app_key(&a, K_ESC);
    select_key(&a, "precision");
    app_key(&a, K_ENTER);
    assert_int_equal(e->n_choices, FP_COUNT - 1);
    for (int i = 0; i < e->n_choices; i++)
        assert_string_not_equal(e->choices[i], "fp64");
    app_key(&a, K_ESC);
    app_free(&a);
}

/* The message under the row is the parser's own, for the same block. */
static void test_invalid_number_shows_the_parsers_message(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 160, 48);
    app_key(&a, 'n');
    app_key(&a, 'n');
    long step_before = app_run(&a)->t.state.step;
    int micro_before = app_run(&a)->t.state.next_phase;
    app_key(&a, 'E');
    select_key(&a, "epochs");
    app_key(&a, 'e');
    app_key(&a, K_CTRL_U);
    type(&a, "12x");
    app_key(&a, K_ENTER);
    editor *e = ed(&a);
    assert_false(e->valid);
    /* the same edit made to the lesson's text, parsed by the parser */
    const experiment *x = &a.les->lesson.experiments[0];
    char text[4096];
    snprintf(text, sizeof text, "%.*s", (int)x->text_len, a.les->lesson.src + x->text_at);
    char *at = strstr(text, "epochs    = 1000");
    assert_non_null(at);
    memcpy(at, "epochs    = 12x ", 16);
    experiment y;
    ds_error err = {0};
    assert_int_equal(experiment_parse(&y, text, strlen(text), a.les->lesson.path, x->line, x->text_line, "lessons", &err), -1);
    assert_string_equal(e->error, err.msg);
    assert_non_null(strstr(e->error, "'12x' is not a whole number"));
    assert_int_equal(e->rows[e->sel].line, e->error_line); /* under the epochs row */
    frame f;
    draw(&a, &f, 160, 48);
    assert_true(frame_contains(&f, err.msg));
    frame_free(&f);
    /* apply is refused: the run is untouched, the form stays */
    app_key(&a, 'A');
    assert_true(a.les->editing);
    assert_non_null(strstr(e->note, "not applied"));
    assert_int_equal(app_run(&a)->t.state.step, step_before);
    assert_int_equal(app_run(&a)->t.state.next_phase, micro_before);
    assert_int_equal(app_run(&a)->t.epochs, 1000);
    /* a layer width out of range, and a block with no layer: the parser's messages too */
    select_key(&a, "epochs");
    app_key(&a, 'd'); /* unset: the default again, the block parses */
    assert_true(e->valid);
    select_key(&a, "layer");
    app_key(&a, 'd');
    app_key(&a, 'd');
    assert_false(e->valid);
    assert_string_equal(e->error, "experiment has no 'layer = dense N ACTIVATION' line");
    assert_int_equal(e->error_line, -1);
    draw(&a, &f, 80, 24);
    assert_true(frame_contains(&f, "experiment has no 'layer = dense N ACTIVATION' line"));
    frame_free(&f);
    app_free(&a);
}

static void test_apply_restarts_with_the_edited_experiment(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 160, 48);
    for (int i = 0; i < 9; i++)
        app_key(&a, 'n');
    assert_true(app_run(&a)->t.state.step > 0);
    assert_int_equal(app_run(&a)->t.cfg.opt.kind, OPT_SGD);
    app_key(&a, 'E');
    select_key(&a, "optimizer");
    choose(&a, "adam");
    editor *e = ed(&a);
    char v[EDITOR_LINE_MAX];
    editor_row_value(e, e->sel, v, sizeof v);
    assert_string_equal(v, "adam lr=1.0"); /* lr is an option adam has: kept */
    assert_true(e->valid && e->changed);
    app_key(&a, 'A');
    assert_false(a.les->editing); /* back to the run */
    const session *r = app_run(&a);
    assert_int_equal(r->t.cfg.opt.kind, OPT_ADAM);
    assert_float_equal(r->t.cfg.opt.lr, 1.0f, 0);
    assert_int_equal(r->t.state.step, 0);
    assert_int_equal(r->t.state.epoch, 0);
    assert_false(r->has_last);
    frame f;
    draw(&a, &f, 160, 48);
    assert_true(frame_contains(&f, "(edited)"));
    frame_free(&f);
    /* step to the first update: the narration is adam's */
    for (int i = 0; i < 12 && app_run(&a)->t.state.step == 0; i++) {
        app_key(&a, 'n');
        draw(&a, &f, 160, 48);
        bool adam = frame_contains(&f, "with adam") && frame_contains(&f, "m <- b1*m");
        frame_free(&f);
        if (adam)
            break;
        assert_true(i < 11);
    }
    /* R goes back to the edited start, not the lesson's */
    app_key(&a, 'R');
    assert_int_equal(app_run(&a)->t.cfg.opt.kind, OPT_ADAM);
    /* paging away and back keeps the edited run and block */
    app_key(&a, K_PGDN);
    app_key(&a, K_PGDN);
    app_key(&a, K_PGUP);
    app_key(&a, K_PGUP);
    assert_int_equal(app_run(&a)->t.cfg.opt.kind, OPT_ADAM);
    app_key(&a, 'E');
    assert_ptr_equal(ed(&a), e);
    assert_non_null(strstr(joined(e), "optimizer = adam lr=1.0"));
    app_free(&a);
}

static void test_reset_restores_the_lessons_block(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 80, 24);
    app_key(&a, 'E');
    editor *e = ed(&a);
    size_t olen;
    const char *orig = editor_original(&a, e->experiment, &olen);
    char want[4096];
    snprintf(want, sizeof want, "%.*s%s", (int)olen, orig, olen && orig[olen - 1] == '\n' ? "" : "\n");
    select_key(&a, "seed");
    app_key(&a, 'e');
    app_key(&a, K_CTRL_U);
    type(&a, "42");
    app_key(&a, K_ENTER);
    select_key(&a, "normalize"); /* not in the block: setting it adds a line */
    choose(&a, "zscore");
    assert_non_null(strstr(joined(e), "normalize = zscore"));
    select_key(&a, "optimizer");
    choose(&a, "momentum");
    app_key(&a, 'A');
    assert_int_equal(app_run(&a)->t.cfg.opt.kind, OPT_MOMENTUM);
    assert_int_equal(app_run(&a)->cfg.train.seed, 42);
    app_key(&a, 'E');
    assert_true(e->changed);
    app_key(&a, 'R'); /* once: it asks, since R elsewhere only goes back to step 0 */
    assert_true(e->changed);
    assert_non_null(strstr(e->note, "press R again to discard your edits"));
    app_key(&a, 'R');
    assert_false(e->changed);
    assert_string_equal(joined(e), want);
    assert_int_equal(app_run(&a)->t.cfg.opt.kind, OPT_SGD); /* and the run is the lesson's again */
    assert_int_equal(app_run(&a)->cfg.train.seed, 3);
    assert_false(editor_applied(e));
    app_free(&a);
}

static void test_compare_with_the_original(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 120, 40);
    app_key(&a, 'E');
    select_key(&a, "optimizer");
    choose(&a, "adam");
    app_key(&a, 'C');
    assert_int_equal(a.screen, SCREEN_COMPARE);
    assert_int_equal(a.cmp->n, 2);
    assert_int_equal(a.cmp->runs[0].t.cfg.opt.kind, OPT_SGD);
    assert_int_equal(a.cmp->runs[1].t.cfg.opt.kind, OPT_ADAM);
    app_key(&a, 'N');
    assert_int_equal(a.cmp->runs[0].t.state.step, 1); /* in lockstep */
    assert_int_equal(a.cmp->runs[1].t.state.step, 1);
    frame f;
    draw(&a, &f, 120, 40);
    assert_true(frame_contains(&f, "xor: gradient norms"));
    assert_true(frame_contains(&f, "xor (edited): gradient norms"));
    frame_free(&f);
    app_key(&a, K_ESC);
    assert_int_equal(a.screen, SCREEN_LESSON);
    assert_true(a.les->editing); /* back to the form */
    assert_int_equal(app_run(&a)->t.cfg.opt.kind, OPT_SGD); /* compare applied nothing */
    app_free(&a);
}

/* No "NAME.tmp.XXXXXX" left beside a saved file. */
static int leftovers(const char *dir, const char *stem)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += strncmp(de->d_name, stem, strlen(stem)) == 0 && strstr(de->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void save_as(app *a, const char *path)
{
    app_key(a, 'w');
    assert_int_equal(ed(a)->mode, EM_SAVE_AS);
    app_key(a, K_CTRL_U);
    type(a, path);
    app_key(a, K_ENTER);
}

static char *slurp(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_save_parses_back_and_never_overwrites_unasked(void **s)
{
    (void)s;
    const char *path = "build/tmp/editor-saved.md";
    unlink(path);
    app a;
    open_at(&a, "lessons/12-digits.md", 120, 40); /* CSV data: a relative path in the lesson */
    app_key(&a, 'E');
    editor *e = ed(&a);
    select_key(&a, "optimizer");
    choose(&a, "adam");
    select_key(&a, "epochs");
    app_key(&a, 'e');
    app_key(&a, K_CTRL_U);
    type(&a, "3");
    app_key(&a, K_ENTER);
    assert_true(e->valid);
    save_as(&a, path);
    assert_int_equal(e->mode, EM_BROWSE);
    assert_non_null(strstr(e->note, "saved to build/tmp/editor-saved.md"));
    assert_int_equal(leftovers("build/tmp", "editor-saved.md"), 0);
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_load(&l, path, &err), 0);
    assert_int_equal(l.n_experiments, 1);
    const experiment *x = &l.experiments[0], *y = &e->parsed;
    assert_int_equal(x->train.opt.kind, OPT_ADAM);
    assert_int_equal(x->train.epochs, 3);
    assert_int_equal(x->train.n_layers, y->train.n_layers);
    for (int i = 0; i < y->train.n_layers; i++) {
        assert_int_equal(x->train.layers[i].units, y->train.layers[i].units);
        assert_int_equal(x->train.layers[i].act, y->train.layers[i].act);
        assert_int_equal(x->train.layers[i].init, y->train.layers[i].init);
    }
    assert_int_equal(x->train.normalize, y->train.normalize);
    assert_int_equal(x->train.batch, y->train.batch);
    assert_float_equal(x->train.validation, y->train.validation, 0);
    assert_float_equal(x->train.opt.lr, y->train.opt.lr, 0);
    assert_int_equal(x->train.seed, y->train.seed);
    assert_int_equal(x->n_expects, y->n_expects);
    assert_string_equal(x->name, y->name);
    /* the data: the same file, though the saved block is in another folder */
    char p1[PATH_MAX], p2[PATH_MAX];
    assert_int_equal(x->source, DATA_CSV);
    assert_non_null(realpath(x->path[0], p1));
    assert_non_null(realpath(y->path[0], p2));
    assert_string_equal(p1, p2);
    lesson_free(&l);

    /* saving again: the file exists, so the form asks; n keeps it, y overwrites */
    FILE *f = fopen(path, "w");
    fputs("marker\n", f);
    fclose(f);
    save_as(&a, path);
    assert_int_equal(e->mode, EM_CONFIRM);
    assert_string_equal(slurp(path), "marker\n");
    frame fr;
    draw(&a, &fr, 80, 24);
    assert_true(frame_contains(&fr, "exists: overwrite it? y/n"));
    frame_free(&fr);
    app_key(&a, 'n');
    assert_int_equal(e->mode, EM_SAVE_AS); /* another name, or Esc */
    app_key(&a, K_ESC);
    assert_string_equal(slurp(path), "marker\n");
    save_as(&a, path);
    app_key(&a, 'y');
    assert_non_null(strstr(slurp(path), "```deepstep\n"));
    /* the lesson itself is a file that exists: asked too, and Esc keeps it */
    char before[1 << 16];
    snprintf(before, sizeof before, "%s", slurp("lessons/12-digits.md"));
    save_as(&a, "lessons/12-digits.md");
    assert_int_equal(e->mode, EM_CONFIRM);
    app_key(&a, K_ESC);
    app_key(&a, K_ESC);
    assert_string_equal(slurp("lessons/12-digits.md"), before);
    /* a folder that does not exist: said, nothing written */
    save_as(&a, "build/tmp/no-such-dir/x.md");
    assert_non_null(strstr(e->note, "not saved"));
    unlink(path);
    app_free(&a);
}

/* The form and its keys fit at every size, in ASCII without UTF-8. */
static void test_fits_every_size_and_ascii(void **s)
{
    (void)s;
    static const int sizes[][2] = {{80, 24}, {120, 40}, {160, 48}};
    for (int k = 0; k < 3; k++) {
        app a;
        open_at(&a, XOR, sizes[k][0], sizes[k][1]);
        a.ascii = k == 0;
        app_key(&a, 'E');
        frame f;
        draw(&a, &f, sizes[k][0], sizes[k][1]);
        assert_true(frame_contains(&f, "A apply"));
        assert_true(frame_contains(&f, "Esc close"));
        assert_true(frame_contains(&f, "? help"));
        assert_true(frame_contains(&f, "Edit experiment xor"));
        if (a.ascii) {
            assert_true(frame_contains(&f, "j/k row"));
            for (int i = 0; i < f.w * f.h; i++)
                if (f.cells[i].ch >= 0x80) {
                    char row[512];
                    frame_row_text(&f, i / f.w, row, sizeof row);
                    /* the lesson screen under the form may have its own glyphs; the form's rows not */
                    assert_true(i % f.w < editor_box(f.w, f.h).x || i % f.w >= editor_box(f.w, f.h).x + editor_box(f.w, f.h).w);
                }
        }
        frame_free(&f);
        /* the last row is reachable: End scrolls it into view */
        app_key(&a, K_END);
        draw(&a, &f, sizes[k][0], sizes[k][1]);
        assert_true(frame_contains(&f, ">expect"));
        frame_free(&f);
        /* typing shows the line editor and its keys */
        app_key(&a, 'e');
        draw(&a, &f, sizes[k][0], sizes[k][1]);
        assert_true(frame_contains(&f, "expect = train_loss < 0.01"));
        assert_true(frame_contains(&f, "Enter set  Esc cancel"));
        frame_free(&f);
        app_key(&a, K_ESC);
        /* the help lists the form's keys; the lesson's help lists E */
        app_key(&a, '?');
        draw(&a, &f, sizes[k][0], sizes[k][1]);
        assert_true(frame_contains(&f, "Keys of the experiment editor"));
        frame_free(&f);
        app_key(&a, ' ');
        app_key(&a, K_ESC);
        assert_false(a.les->editing);
        app_key(&a, '?');
        draw(&a, &f, sizes[k][0], sizes[k][1]);
        assert_true(frame_contains(&f, "edit the experiment"));
        frame_free(&f);
        app_free(&a);
    }
}

/* Data the parser accepts but that cannot be loaded: apply says why and keeps the run. */
static void test_apply_with_missing_data_keeps_the_run(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 80, 24);
    app_key(&a, 'n');
    app_key(&a, 'E');
    editor *e = ed(&a);
    select_key(&a, "data");
    app_key(&a, 'e');
    app_key(&a, K_CTRL_U);
    type(&a, "no-such-file.csv");
    app_key(&a, K_ENTER);
    assert_true(e->valid); /* a CSV path: the parser does not open it */
    app_key(&a, 'A');
    assert_true(a.les->editing);
    assert_non_null(strstr(e->note, "not applied: lessons/00-welcome.md:"));
    assert_non_null(strstr(e->note, "no-such-file.csv"));
    assert_false(editor_applied(e));
    assert_int_equal(app_run(&a)->cfg.source, DATA_SYNTH); /* the lesson's run, as it was */
    assert_true(app_run(&a)->has_last);
    app_free(&a);
}

/* Hostile typing: long lines, every byte, many layers added; nothing breaks. */
static void test_bad_input_never_crashes(void **s)
{
    (void)s;
    app a;
    open_at(&a, XOR, 80, 24);
    snprintf(a.snapshot_dir, sizeof a.snapshot_dir, "build/tmp"); /* keys that write, write there */
    app_key(&a, 'E');
    select_key(&a, "data");
    app_key(&a, 'e');
    for (int i = 0; i < 3000; i++)
        app_key(&a, 'a' + i % 26);
    app_key(&a, K_ENTER);
    assert_false(ed(&a)->valid);
    select_key(&a, "layer");
    for (int i = 0; i < 200; i++)
        app_key(&a, 'a');
    for (int c = 1; c < 0x2000; c += 7)
        app_key(&a, c);
    frame f;
    draw(&a, &f, 80, 24);
    frame_free(&f);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_lists_every_known_key),
        cmocka_unit_test(test_choices_are_the_parsers_names),
        cmocka_unit_test(test_invalid_number_shows_the_parsers_message),
        cmocka_unit_test(test_apply_restarts_with_the_edited_experiment),
        cmocka_unit_test(test_reset_restores_the_lessons_block),
        cmocka_unit_test(test_compare_with_the_original),
        cmocka_unit_test(test_save_parses_back_and_never_overwrites_unasked),
        cmocka_unit_test(test_fits_every_size_and_ascii),
        cmocka_unit_test(test_apply_with_missing_data_keeps_the_run),
        cmocka_unit_test(test_bad_input_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
