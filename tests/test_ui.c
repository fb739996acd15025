/* The UI's model and views, without a terminal: render frames, assert on their text. */
#include <glob.h>
#include <math.h>

#include "test_common.h"
#include "test_app.h"
#include "test_narration.h"
#include "ui/app.h"
#include "ui/markdown.h"
#include "ui/narrate.h"
#include "ui/view.h"
#include "cli/runner.h"

static void test_lesson_view_shows_title_pages_and_text(void **s)
{
    (void)s;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    frame f;
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    char row[512];
    frame_row_text(&f, 0, row, sizeof row);
    assert_non_null(strstr(row, "Welcome: watch a tiny net learn XOR"));
    assert_non_null(strstr(row, "page 1/5"));
    assert_true(frame_contains(&f, "XOR is the smallest problem"));
    frame_row_text(&f, 23, row, sizeof row);
    assert_non_null(strstr(row, "? help"));
    app_key(&a, K_PGDN);
    app_key(&a, K_PGDN);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "page 3/5"));
    assert_true(frame_contains(&f, "The experiment"));
    assert_true(frame_contains(&f, "\xE2\x94\x80\xE2\x94\x80 experiment \xE2\x94\x80\xE2\x94\x80"));
    assert_true(frame_contains(&f, "layer     = dense 4 tanh")); /* long code lines wrap, marked */
    assert_true(frame_contains(&f, "\xE2\x86\xAAinit=xavier"));
    app_key(&a, 'q');
    assert_true(a.quit);
    frame_free(&f);
    app_free(&a);
}

static void test_too_small_and_recovers(void **s)
{
    (void)s;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    frame f;
    frame_init(&f, 40, 10);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "terminal too small (need 60x16)"));
    frame_free(&f);
    frame_init(&f, 160, 48);
    view_draw(&a, &f);
    assert_false(frame_contains(&f, "terminal too small"));
    assert_true(frame_contains(&f, "Welcome: watch a tiny net learn XOR"));
    frame_free(&f);
    app_free(&a);
}

/* A lesson opened by path (as `make run` does) still leads to its folder's list on Esc,
 * with that lesson selected. */
/* The lesson files on disk, counted apart from the browser's own scan. */
static int lesson_files(void)
{
    glob_t g;
    int n = glob("lessons/*.md", 0, NULL, &g) == 0 ? (int)g.gl_pathc : 0;
    globfree(&g);
    return n;
}

static void test_lesson_by_path_lists_its_folder(void **s)
{
    (void)s;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/03-weight-initialisation.md", &err), 0);
    snprintf(a.opened_path, sizeof a.opened_path, "lessons/03-weight-initialisation.md");
    assert_int_equal(a.list.n, 0); /* listed on the first Esc, not before */
    app_key(&a, K_ESC);
    assert_int_equal(a.screen, SCREEN_BROWSER);
    assert_int_equal(a.list.n, lesson_files());
    assert_string_equal(a.list.entries[a.list.selected].path, "lessons/03-weight-initialisation.md");
    app_key(&a, K_DOWN);
    app_key(&a, K_ENTER);
    assert_int_equal(a.screen, SCREEN_LESSON);
    assert_string_equal(a.les->lesson.title, "Vanishing gradients: why deep sigmoid nets stop learning");
    app_free(&a);
}

static void test_browser_lists_lessons(void **s)
{
    (void)s;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_scan_lessons(&a, "lessons", &err), 0);
    assert_true(a.list.n >= 2);
    assert_string_equal(a.list.entries[0].path, "lessons/00-welcome.md");
    frame f;
    frame_init(&f, 100, 30);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "00-welcome.md"));
    assert_true(frame_contains(&f, "Keeping values in range: scale your inputs"));
    assert_int_equal(a.list.n, lesson_files());
    for (int i = 0; i < a.list.n; i++) /* every lesson parses and opens */
        if (a.list.entries[i].broken) {
            print_error("%s\n", a.list.entries[i].summary);
            fail();
        }
    app_key(&a, K_END); /* the list scrolls to the last lesson */
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "Capstone: reading handwritten digits"));
    app_key(&a, K_HOME);
    app_key(&a, K_ENTER);
    assert_int_equal(a.screen, SCREEN_LESSON);
    app_key(&a, K_ESC);
    assert_int_equal(a.screen, SCREEN_BROWSER);
    app_key(&a, '?');
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "any key closes this help"));
    frame_free(&f);
    app_free(&a);
}

static void test_frame_utf8_and_clipping(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 10, 2);
    assert_int_equal(frame_put(&f, 7, 0, ROLE_NORMAL, "\xE2\x86\x92 arrows", 0), 3);
    char row[64];
    frame_row_text(&f, 0, row, sizeof row);
    assert_string_equal(row, "       \xE2\x86\x92 a");
    frame_free(&f);
}

/* Row i of a rendered document as UTF-8, and the role of its column x. */
static void doc_row(const md_doc *d, int i, char *buf, size_t cap)
{
    size_t n = 0;
    for (int x = 0; x < d->lines[i].n && n + 5 < cap; x++)
        n += (size_t)utf8_encode(d->lines[i].ch[x], buf + n);
    buf[n] = '\0';
}

static void test_markdown_rendering(void **s)
{
    (void)s;
    const char *md = "## Head\n\nSome **bold** and *em* and `code`,\nsoft broken.\n\n"
                     "- one\n- two\n\n| a | bb |\n|---|---|\n| ccc | d |\n\n```deepstep\nx = 1\ny = 2\n```\n";
    md_doc d = {0};
    assert_int_equal(md_render(&d, md, strlen(md), 60), 0);
    char row[512];
    const char *want[] = {" Head", "", " Some bold and em and code, soft broken.", "", " \xE2\x80\xA2 one",
                          " \xE2\x80\xA2 two", "", " a   \xE2\x94\x82 bb",
                          " \xE2\x94\x80\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80\xE2\x94\xBC\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80", /* ───┼── with 3 + 2 widths */
                          " ccc \xE2\x94\x82 d ", "", " \xE2\x94\x80\xE2\x94\x80 experiment \xE2\x94\x80\xE2\x94\x80",
                          "   x = 1", "   y = 2"};
    for (int i = 0; i < (int)(sizeof want / sizeof *want); i++) {
        doc_row(&d, i, row, sizeof row);
        if (strcmp(row, want[i]) != 0) {
            print_error("line %d: '%s', expected '%s'\n", i, row, want[i]);
            fail();
        }
    }
    assert_int_equal(d.lines[0].role[1], ROLE_HEADING);
    assert_int_equal(d.lines[2].role[6], ROLE_STRONG); /* "bold" */
    assert_int_equal(d.lines[2].role[15], ROLE_EMPH);  /* "em" */
    assert_int_equal(d.lines[2].role[22], ROLE_CODE);  /* "code" */
    md_doc_free(&d);
}

static void test_markdown_wraps_to_width(void **s)
{
    (void)s;
    const char *md = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu\n";
    md_doc d = {0};
    md_render(&d, md, strlen(md), 24);
    assert_true(d.n >= 3);
    char row[256];
    for (int i = 0; i < d.n; i++) {
        assert_true(d.lines[i].n <= 24);
        doc_row(&d, i, row, sizeof row);
        assert_true(row[strlen(row) - 1] != ' '); /* broken at spaces */
    }
    md_doc_free(&d);
}

static void expect_in(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) {
        print_error("'%s' not in narration:\n%s\n", needle, hay);
        fail();
    }
}

/* One batch of the XOR lesson, micro-step by micro-step: every phase is narrated with the
 * engine's own numbers. */
static void test_narration_follows_the_engine(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    assert_true((app_run(&a) != NULL));
    session *s = app_run(&a);
    char text[4096], want[200];
    narration(s, text, sizeof text);
    expect_in(text, "Press n (or Space) to take the first micro-step");
    const trainer_phase phases[] = {PHASE_LOAD_BATCH, PHASE_FORWARD, PHASE_FORWARD, PHASE_LOSS, PHASE_BACKWARD,
                                    PHASE_BACKWARD, PHASE_UPDATE, PHASE_UPDATE, PHASE_END_BATCH};
    for (int k = 0; k < 9; k++) {
        app_key(&a, 'n');
        assert_int_equal(s->last.phase, phases[k]);
        narration(s, text, sizeof text);
        const trainer *t = &s->t;
        switch (phases[k]) {
        case PHASE_LOAD_BATCH:
            expect_in(text, "Load batch 1 of 1 (epoch 1): 4 rows");
            break;
        case PHASE_FORWARD: {
            int i = s->last.layer;
            snprintf(want, sizeof want, "= %.4g\n", (double)t->net.train.z[i][0]);
            expect_in(text, "z[0][0] = b[0] + sum_i W[0][i]*x[i]");
            expect_in(text, want); /* the z the engine computed */
            break;
        }
        case PHASE_LOSS:
            snprintf(want, sizeof want, "batch loss L = %.4g", t->state.loss);
            expect_in(text, "Loss: binary cross-entropy");
            expect_in(text, want);
            break;
        case PHASE_BACKWARD:
            snprintf(want, sizeof want, "|dL/dW, dL/db| = %.4g", (double)t->stats[s->last.layer].grad_norm);
            expect_in(text, want);
            break;
        case PHASE_UPDATE: {
            const layer *L = &t->net.layers[s->last.layer];
            size_t q = 0; /* with nothing selected, the narration follows the largest gradient */
            for (size_t w = 1; w < L->n_weights; w++)
                if (fabsf(L->dW[w]) > fabsf(L->dW[q]))
                    q = w;
            snprintf(want, sizeof want, "w <- w - lr*g = %.4g - 1*", (double)L->W_prev[q]);
            expect_in(text, want);
            snprintf(want, sizeof want, " = %.4g\n", (double)L->W[q]);
            expect_in(text, want); /* the weight after the engine's update */
            break;
        }
        default:
            expect_in(text, "Step 1 done (epoch 1, batch 1 of 1)");
            expect_in(text, "layer health: 0:");
        }
    }
    /* back one micro-step and forward again: the same words and numbers */
    app_key(&a, 'b');
    app_key(&a, 'b');
    assert_int_equal(s->last.phase, PHASE_UPDATE);
    char again[4096];
    app_key(&a, 'n');
    narration(s, again, sizeof again);
    app_key(&a, 'b');
    app_key(&a, 'n');
    narration(s, text, sizeof text);
    assert_string_equal(text, again);
    app_free(&a);
}

static void test_lesson_screen_panels(void **state)
{
    (void)state;
    const int sizes[][2] = {{80, 24}, {160, 48}};
    for (int k = 0; k < 2; k++) {
        app a;
        app_init(&a);
        ds_error err = {0};
        assert_int_equal(app_open_lesson(&a, "lessons/12-digits.md", &err), 0);
        app_key(&a, 'N');
        app_key(&a, 'n');
        frame f;
        frame_init(&f, sizes[k][0], sizes[k][1]);
        view_draw(&a, &f);
        assert_true(frame_contains(&f, "Network (2 layers, 9610 parameters)"));
        assert_true(frame_contains(&f, "What just happened"));
        assert_true(frame_contains(&f, "Load batch 2 of 45"));
        assert_true(frame_contains(&f, "Inspector: layer 0, a (32x128)"));
        assert_true(frame_contains(&f, "epoch 1/30  batch 2/45  step 1  next: forward L0"));
        if (k == 1) { /* room for everything */
            assert_true(frame_contains(&f, "Activation ranges"));
            assert_true(frame_contains(&f, "Gradient norms"));
            assert_true(frame_contains(&f, "Loss per step"));
        }
        app_key(&a, K_TAB); /* focus moves to the network */
        assert_int_equal(a.les->focus, P_NETWORK);
        app_key(&a, K_RIGHT);
        assert_int_equal(app_run(&a)->layer, 1);
        frame_free(&f);
        app_free(&a);
    }
}

static void test_inspector_keys_and_weight_edit(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    session *s = app_run(&a);
    app_key(&a, 'N'); /* one full step */
    app_key(&a, 'i'); /* a -> W */
    assert_int_equal(s->buf, BUF_W);
    app_key(&a, 'g'); /* W -> dL/dW */
    assert_int_equal(s->buf, BUF_DW);
    app_key(&a, 'g');
    a.les->focus = P_INSPECTOR;
    app_key(&a, K_DOWN);
    app_key(&a, K_RIGHT);
    assert_int_equal(s->row, 1);
    assert_int_equal(s->col, 1);
    long j = session_selected_param(s);
    assert_int_equal(j, (long)(1 * 2 + 1));
    app_key(&a, 'x');
    assert_true(a.les->prompting);
    for (const char *p = "\b\b\b\b\b\b\b\b\b\b"; *p; p++)
        app_key(&a, K_BACKSPACE);
    for (const char *p = "0.25"; *p; p++)
        app_key(&a, *p);
    app_key(&a, K_ENTER);
    assert_false(a.les->prompting);
    assert_true(s->t.net.params[j] == 0.25f);
    /* typing replaces the pre-filled value (it used to append: "50" gave -0.1446775 50) */
    app_key(&a, 'x');
    app_key(&a, '5');
    app_key(&a, '0');
    assert_string_equal(a.les->prompt, "50");
    app_key(&a, K_CTRL_U); /* clears */
    assert_string_equal(a.les->prompt, "");
    for (const char *p = "0.25"; *p; p++)
        app_key(&a, *p);
    app_key(&a, K_ENTER);
    assert_true(s->t.net.params[j] == 0.25f);
    /* the inspector tells the edit, not the last update's story (which led to the old value) */
    frame fe;
    frame_init(&fe, a.cols, a.rows);
    a.les->focus = P_INSPECTOR;
    app_sync(&a);
    view_draw(&a, &fe);
    assert_true(frame_contains(&fe, "[1][1] = 0.25   set with x (was 0.25)"));
    app_key(&a, 'n');
    view_draw(&a, &fe);
    assert_false(frame_contains(&fe, "set with x"));
    app_key(&a, 'b'); /* back at the edit: it is told again */
    view_draw(&a, &fe);
    assert_true(frame_contains(&fe, "set with x (was 0.25)"));
    frame_free(&fe);
    /* the edit is the new beginning: stepping back stops there */
    app_key(&a, 'n');
    app_key(&a, 'b');
    assert_true(s->t.net.params[j] == 0.25f);
    assert_false(session_back(s));
    /* d: the numerical gradient check of the selected layer agrees with backprop */
    app_key(&a, 'N');
    app_key(&a, 'd');
    assert_non_null(strstr(s->gradcheck, "(they agree)"));
    app_free(&a);
}

static void test_running_and_speed(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    app_key(&a, 'r');
    assert_true(app_run(&a)->running);
    app_run(&a)->speed = 1; /* 4 micro-steps a frame */
    assert_true(app_tick(&a, 1000.0));
    assert_int_equal(app_run(&a)->t.state.micro, 4);
    app_key(&a, 'r');
    assert_false(app_run(&a)->running);
    assert_false(app_tick(&a, 1000.0));
    app_key(&a, '[');
    assert_close(app_run(&a)->t.cfg.opt.lr, 0.5, 1e-7);
    app_key(&a, 'c');
    assert_int_equal(app_run(&a)->t.cfg.clip, CLIP_NORM);
    app_key(&a, 'R');
    assert_int_equal(app_run(&a)->t.state.micro, 0);
    app_free(&a);
}

static void test_divergence_stops_the_run_and_is_named(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/09-gradient-clipping.md", &err), 0);
    app_key(&a, K_PGDN); /* "Without clipping" */
    assert_int_equal(a.les->experiment, 0);
    app_key(&a, 'r');
    app_run(&a)->speed = SPEED_MAX;
    for (int i = 0; i < 50 && app_run(&a)->running; i++)
        app_tick(&a, 50.0);
    assert_false(app_run(&a)->running);
    assert_true(app_run(&a)->t.state.div.happened);
    char text[4096];
    narration(app_run(&a), text, sizeof text);
    expect_in(text, "Training stopped: a value became NaN or Inf.");
    /* nan or -inf depending on the summation order of the kernel in use */
    expect_in(text, "training diverged at step 4 (epoch 1, batch 4): the forward pass of layer 1 made z[0][0] = ");
    frame f;
    frame_init(&f, 160, 48);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "Training stopped: a value became NaN or Inf."));
    assert_true(frame_contains(&f, "exploding"));
    frame_free(&f);
    app_free(&a);
}

static void test_float_lab(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    app_key(&a, 'F');
    assert_int_equal(a.screen, SCREEN_LAB);
    frame f;
    frame_init(&f, 110, 30);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "float lab"));
    assert_true(frame_contains(&f, "0 10100000 00101010000001011111001 = 10000000000")); /* fp32 of 1e10 */
    assert_true(frame_contains(&f, "fp32  10000000000   = A: B was absorbed"));
    /* type 1.5, flip fp32's sign bit: -1.5 */
    app_key(&a, 'x');
    for (const char *p = "1.5"; *p; p++)
        app_key(&a, *p);
    app_key(&a, ' ');
    assert_string_equal(a.lab.text[0], "-1.5");
    /* the lowest fraction bit of 1.0 in fp16: 1 + 2^-10 */
    app_key(&a, 'x');
    app_key(&a, '1');
    app_key(&a, K_DOWN);
    app_key(&a, K_DOWN); /* fp32 -> bf16 -> fp16 */
    assert_int_equal(a.lab.format, FP16);
    for (int i = 0; i < 15; i++)
        app_key(&a, K_RIGHT);
    assert_int_equal(a.lab.bit, 15);
    app_key(&a, ' ');
    assert_true(lab_value(&a.lab, 0) == 1.0 + 0x1p-10);
    app_key(&a, K_ESC);
    assert_int_equal(a.screen, SCREEN_LESSON);
    frame_free(&f);
    app_free(&a);
}

static void test_compare_screen_in_lockstep(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/04-vanishing-gradients.md", &err), 0);
    app_key(&a, 'C');
    assert_int_equal(a.screen, SCREEN_COMPARE);
    assert_int_equal(a.cmp->n, 3);
    app_key(&a, 'N');
    app_key(&a, 'N');
    for (int k = 0; k < 3; k++)
        assert_int_equal(a.cmp->runs[k].t.state.step, 2); /* every experiment one batch per key */
    frame f;
    frame_init(&f, 120, 36);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "compare: plain batchnorm residual"));
    assert_true(frame_contains(&f, "plain: gradient norms"));
    assert_true(frame_contains(&f, "residual: gradient norms"));
    assert_true(frame_contains(&f, "Loss per step, overlaid"));
    app_key(&a, 'C');
    assert_int_equal(a.screen, SCREEN_LESSON);
    assert_null(a.cmp); /* closed */
    frame_free(&f);
    app_free(&a);
}

static void test_race_screen(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/08-optimizers.md", &err), 0);
    while (a.les->page + 1 < a.les->lesson.n_pages)
        app_key(&a, K_PGDN);
    app_key(&a, 'C'); /* the last page's block is the saddle race */
    assert_int_equal(a.screen, SCREEN_RACE);
    assert_int_equal(a.race->race.surface, SURF_SADDLE);
    app_key(&a, 'N');
    assert_int_equal(a.race->race.step, 100);
    frame f;
    frame_init(&f, 100, 30);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "optimizer race on the saddle surface: step 100 of 120"));
    assert_true(frame_contains(&f, "momentum"));
    app_key(&a, 'C');
    assert_int_equal(a.screen, SCREEN_LESSON);
    frame_free(&f);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson_view_shows_title_pages_and_text),
        cmocka_unit_test(test_too_small_and_recovers),
        cmocka_unit_test(test_lesson_by_path_lists_its_folder),
        cmocka_unit_test(test_browser_lists_lessons),
        cmocka_unit_test(test_frame_utf8_and_clipping),
        cmocka_unit_test(test_markdown_rendering),
        cmocka_unit_test(test_markdown_wraps_to_width),
        cmocka_unit_test(test_narration_follows_the_engine),
        cmocka_unit_test(test_lesson_screen_panels),
        cmocka_unit_test(test_inspector_keys_and_weight_edit),
        cmocka_unit_test(test_running_and_speed),
        cmocka_unit_test(test_divergence_stops_the_run_and_is_named),
        cmocka_unit_test(test_float_lab),
        cmocka_unit_test(test_compare_screen_in_lockstep),
        cmocka_unit_test(test_race_screen),
    };
    return cmocka_run_group_tests_name("ui", tests, NULL, NULL);
}
