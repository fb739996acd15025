/* The lesson screen as a learner meets it, without a terminal: runs kept across pages, Tab,
 * scrolling, divergence, ensembles, panels that agree, and the regressions a code review and a
 * newcomer's walk-through found. (The basics of the model and views are in test_ui.c.) */
#include <math.h>

#include "test_app.h"
#include "ui/insight.h"
#include "test_narration.h"
#include "ui/view.h"
#include "cli/runner.h"

/* Paging away and back keeps a run where the learner left it (it used to restart at step 0),
 * and o picks the other experiment of a page that has two. */
static void test_runs_survive_paging_and_o_picks(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/03-weight-initialisation.md", &err), 0);
    app_key(&a, K_PGDN); /* page 2: gaussian-linear and gaussian */
    assert_string_equal(app_run(&a)->cfg.name, "gaussian-linear");
    for (int i = 0; i < 3; i++)
        app_key(&a, 'n');
    assert_int_equal(app_run(&a)->t.state.micro, 3);
    app_key(&a, 'o');
    assert_string_equal(app_run(&a)->cfg.name, "gaussian");
    assert_non_null(strstr(a.message, "experiment gaussian (2 of 2 on this page"));
    assert_int_equal(app_run(&a)->t.state.micro, 0);
    app_key(&a, 'n');
    app_key(&a, K_PGDN);
    assert_string_equal(app_run(&a)->cfg.name, "uniform");
    app_key(&a, K_PGUP); /* back: the run picked with o, at its step */
    assert_string_equal(app_run(&a)->cfg.name, "gaussian");
    assert_int_equal(app_run(&a)->t.state.micro, 1);
    app_key(&a, 'o');
    assert_string_equal(app_run(&a)->cfg.name, "gaussian-linear");
    assert_int_equal(app_run(&a)->t.state.micro, 3); /* kept too */
    app_key(&a, K_PGDN);
    app_key(&a, 'o');
    assert_non_null(strstr(a.message, "this page has one experiment"));
    /* Esc to the list and Enter on the same lesson: as it was */
    snprintf(a.opened_path, sizeof a.opened_path, "lessons/03-weight-initialisation.md");
    app_key(&a, K_PGUP);
    app_key(&a, K_ESC);
    assert_int_equal(a.screen, SCREEN_BROWSER);
    app_key(&a, K_ENTER);
    assert_int_equal(a.screen, SCREEN_LESSON);
    assert_int_equal(app_run(&a)->t.state.micro, 3);
    app_free(&a);
}

/* Scrolling is clamped by the model to the page as laid out, whatever the view draws. */
static void test_scroll_clamped_by_the_model(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/00-welcome.md", 80, 24);
    app_key(&a, K_PGDN);
    app_key(&a, K_PGDN); /* page 3: longer than the panel */
    for (int i = 0; i < 500; i++)
        app_key(&a, K_DOWN);
    int lines = a.les->text.doc.n, body = 24 - 2 - 5 - 1; /* bars, network strip, panel title */
    assert_true(a.les->scroll > 0);
    assert_int_equal(a.les->scroll, lines - body);
    app_key(&a, K_UP);
    assert_int_equal(a.les->scroll, lines - body - 1);
    app_resize(&a, 160, 48); /* taller: less to scroll */
    int room = a.les->text.doc.n - (48 - 2 - 5 - 1);
    assert_true(a.les->scroll <= (room > 0 ? room : 0));
    app_free(&a);
}

/* The first m brings the Data panel into view on its first view (it skipped to the second);
 * with the panel in view, m moves to the next. */
static void test_first_m_shows_the_first_view(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/12-digits.md", 120, 40);
    app_key(&a, K_PGDN);
    app_key(&a, K_PGDN);
    session *s = app_run(&a);
    assert_non_null(s);
    app_key(&a, '8');
    app_key(&a, '8'); /* hidden */
    assert_true(a.les->hidden[P_DATA]);
    app_key(&a, 'm');
    assert_false(a.les->hidden[P_DATA]);
    assert_int_equal(data_view_current(&a, s), DV_SAMPLE);
    app_key(&a, 'm');
    assert_int_equal(data_view_current(&a, s), DV_CONFUSION);
    a.les->focus = P_INSPECTOR; /* the Data panel waits for the shared place */
    layout L;
    layout_compute(&a, a.cols, a.rows, &L);
    assert_false(L.visible[P_DATA]);
    app_key(&a, 'm');
    assert_int_equal(data_view_current(&a, s), DV_CONFUSION); /* shown as it was */
    app_free(&a);
}

/* Tab visits every panel at 80x24, 120x40 and 160x48, drawing each one's title. */
static void test_tab_reaches_every_panel(void **state)
{
    (void)state;
    const int sizes[][2] = {{80, 24}, {120, 40}, {160, 48}};
    const char *titles[P_COUNT] = {"Lesson ", "Network (", "Inspector:", "What just happened", "Activation ranges",
                                   "Gradient norms", "Loss per step", "Data: ", "Distributions"};
    for (int k = 0; k < 3; k++) {
        app a;
        app_init(&a);
        ds_error err = {0};
        assert_int_equal(app_open_lesson(&a, "lessons/01-values-in-range.md", &err), 0);
        app_resize(&a, sizes[k][0], sizes[k][1]);
        app_key(&a, K_PGDN);
        app_key(&a, 'N');
        frame f;
        frame_init(&f, sizes[k][0], sizes[k][1]);
        bool seen[P_COUNT] = {false};
        for (int i = 0; i < P_COUNT; i++) {
            app_key(&a, K_TAB);
            view_draw(&a, &f);
            for (int p = 0; p < P_COUNT; p++)
                seen[p] = seen[p] || frame_contains(&f, titles[p]);
        }
        for (int p = 0; p < P_COUNT; p++)
            if (!seen[p])
                fail_msg("%dx%d: Tab never showed '%s'", sizes[k][0], sizes[k][1], titles[p]);
        frame_free(&f);
        app_free(&a);
    }
}

/* A divergence is named as one everywhere (not "finished"), with one step number, and the
 * activation panel shows which layer went non-finite instead of "scale -inf .. inf". */
static void test_divergence_is_said(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/09-gradient-clipping.md", 120, 40);
    for (int i = 0; i < 3 && !app_run(&a)->t.state.div.happened; i++)
        app_key(&a, 'e');
    const trainer *t = &app_run(&a)->t;
    assert_true(t->state.div.happened);
    frame f;
    frame_init(&f, 120, 40);
    a.les->focus = P_ACTIVATIONS;
    view_draw(&a, &f);
    char want[64], said[64];
    snprintf(want, sizeof want, "diverged: %s at step %ld", isnan(t->state.div.value) ? "NaN" : "Inf", t->state.div.step + 1);
    snprintf(said, sizeof said, "training diverged at step %ld", t->state.div.step + 1);
    assert_true(frame_contains(&f, want));
    assert_true(strstr(t->state.div.message, said) != NULL); /* the narration's number is the same */
    assert_false(frame_contains(&f, "finished"));
    assert_false(frame_contains(&f, "inf .. inf"));
    assert_true(frame_contains(&f, "NaN/Inf: first here"));
    char row[512];
    frame_row_text(&f, 39, row, sizeof row);
    assert_non_null(strstr(row, want)); /* in the status bar too */
    frame_free(&f);
    app_free(&a);
}

/* The narration scrolls when it is longer than its panel, and says there is more. */
static void test_narration_scrolls(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/00-welcome.md", 80, 24);
    for (int i = 0; i < 5; i++)
        app_key(&a, 'n'); /* backward, layer 1: a long story */
    frame f;
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "Tab here, arrows scroll"));
    assert_false(frame_contains(&f, "dL/db[0] = sum of"));
    while (a.les->focus != P_NARRATION)
        app_key(&a, K_TAB);
    for (int i = 0; i < 50; i++)
        app_key(&a, K_DOWN);
    int most = a.les->narr_scroll;
    assert_true(most > 0 && most < 50); /* clamped by the model */
    view_draw(&a, &f);
    /* the end of the story is on screen: its last line, the step in PyTorch */
    assert_true(frame_contains(&f, "PyTorch: loss.backward()"));
    app_key(&a, K_UP);
    assert_int_equal(a.les->narr_scroll, most - 1);
    app_key(&a, 'n'); /* a new step starts at the top */
    assert_int_equal(a.les->narr_scroll, 0);
    frame_free(&f);
    app_free(&a);
}

/* Mid-step the panels agree: after lesson 01's raw forward pass the network panel says
 * "saturated" where the activation panel shows 99% sat and the narration gives the same share
 * (they said ok, 99% sat and "some saturated"). */
static void test_panels_agree_mid_step(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/01-values-in-range.md", &err), 0);
    app_key(&a, K_PGDN);
    app_key(&a, 'n');
    app_key(&a, 'n');
    const trainer *t = &app_run(&a)->t;
    layer_health h[NET_MAX_LAYERS];
    live_health(t, h);
    assert_int_equal(h[0], HEALTH_SATURATED);
    assert_true(t->stats[0].frac_saturated >= HEALTH_SATURATED_FRACTION);
    char pct[32];
    snprintf(pct, sizeof pct, "%.0f%% saturated", 100.0 * t->stats[0].frac_saturated);
    assert_true(narration_contains(app_run(&a), pct));
    a.les->focus = P_ACTIVATIONS;
    app_resize(&a, 120, 40);
    frame f;
    frame_init(&f, 120, 40);
    view_draw(&a, &f);
    snprintf(pct, sizeof pct, "%3.0f%% sat", 100.0 * t->stats[0].frac_saturated);
    assert_true(frame_contains(&f, pct));
    char row[512];
    frame_row_text(&f, 5, row, sizeof row); /* the network strip's health row */
    assert_non_null(strstr(row, "saturated"));
    assert_null(strstr(row, "ok"));
    frame_free(&f);
    app_free(&a);
}

/* An ensemble page trains all its members in the UI and shows the ensemble's accuracy, the
 * very figure `run` and `check` compute (it trained one net and said "finished"); with a test
 * split the figure is the test split's, and the loss panel's last line gives test accuracy. */
static void test_ensemble_in_the_ui(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "tests/fixtures/seeds.md", &err), 0);
    for (int k = 0; k < 3 && strcmp(app_run(&a)->cfg.name, "pair") != 0; k++)
        app_key(&a, 'o');
    session *s = app_run(&a);
    assert_string_equal(s->cfg.name, "pair");
    assert_int_equal(s->ens_members, 2);
    while (!trainer_done(&s->t))
        app_key(&a, 'e');
    assert_true(s->ens_done);
    assert_non_null(strstr(a.message, "ensemble of 2: the other 1 members trained"));
    assert_non_null(strstr(a.message, "averaged, test acc"));
    runner_hooks h = {0};
    runner_result res;
    assert_int_equal(runner_run(&s->cfg, s->data, 0, 0, &h, false, &res, &err), 0);
    assert_true(s->ens_acc == res.ensemble_acc); /* to the bit */
    assert_true(s->ens_test_acc == res.ensemble_test_acc);
    assert_true(s->ens_member_test_acc == s->t.state.last_epoch.test_acc);
    frame f;
    frame_init(&f, 160, 48);
    app_resize(&a, 160, 48);
    view_draw(&a, &f);
    char want[96];
    snprintf(want, sizeof want, "ensemble of 2: test acc %.1f%% (this net %.1f%%)", 100 * s->ens_test_acc,
             100 * s->ens_member_test_acc);
    assert_true(frame_contains(&f, want));
    snprintf(want, sizeof want, "epoch 3: acc train %.1f%% val %.1f%% test %.1f%%", 100 * s->t.state.last_epoch.train_acc,
             100 * s->t.state.last_epoch.val_acc, 100 * s->t.state.last_epoch.test_acc);
    assert_true(frame_contains(&f, want));
    snprintf(want, sizeof want, "test (held out, never used to choose anything): loss %.4f, accuracy %.1f%%",
             s->t.state.last_epoch.test_loss, 100 * s->t.state.last_epoch.test_acc);
    assert_true(frame_contains(&f, want));
    frame_free(&f);
    app_free(&a);
}

/* Without a test split the ensemble line and message give validation accuracy. */
static void test_ensemble_without_a_test_split(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "tests/fixtures/overfit.md", &err), 0);
    for (int k = 0; k < 3 && strcmp(app_run(&a)->cfg.name, "ensemble") != 0; k++)
        app_key(&a, 'o');
    session *s = app_run(&a);
    assert_string_equal(s->cfg.name, "ensemble");
    while (!trainer_done(&s->t))
        app_key(&a, 'e');
    assert_true(s->ens_done);
    assert_true(isnan(s->ens_test_acc));
    char want[96];
    snprintf(want, sizeof want, "averaged, val acc %.1f%% against this net's %.1f%%", 100 * s->ens_acc,
             100 * s->ens_member_acc[0]);
    assert_non_null(strstr(a.message, want));
    frame f;
    frame_init(&f, 160, 48);
    app_resize(&a, 160, 48);
    view_draw(&a, &f);
    snprintf(want, sizeof want, "ensemble of 5: val acc %.1f%%", 100 * s->ens_acc);
    assert_true(frame_contains(&f, want));
    assert_false(frame_contains(&f, "test acc"));
    frame_free(&f);
    app_free(&a);
}

/* Review findings, each a regression test. R after a weight edit goes back to step 0 with the
 * lesson's settings (it went back to the edit, with its histories emptied: a later b wrote past
 * them); b after a divergence shows the state just before the step that diverged; a running
 * frame keeps the last key's message; the narration's last row can be scrolled to; a click on
 * the network strip selects the layer drawn under it. */
static void test_review_regressions(void **state)
{
    (void)state;
    app a;
    ds_error err = {0};
    open_at(&a, "lessons/00-welcome.md", 80, 24);
    session *s = app_run(&a);
    float lr0 = s->t.cfg.opt.lr;
    for (int i = 0; i < 3; i++)
        app_key(&a, 'N');
    s->buf = BUF_W;
    session_set_param(s, session_selected_param(s), 3.0f);
    app_key(&a, ']');
    app_key(&a, 'R');
    assert_int_equal(s->t.state.step, 0);
    assert_int_equal(s->t.state.micro, 0);
    assert_true(s->t.cfg.opt.lr == lr0);
    for (int i = 0; i < 4; i++)
        app_key(&a, 'N');
    app_key(&a, 'b');
    /* the histories match the run (the last step is recorded at its end-of-batch micro-step) */
    assert_true(s->n_steps == s->t.state.step || s->n_steps == s->t.state.step - 1);
    assert_true(s->n_steps <= s->cap_steps);
    /* a running frame keeps the message of the last key */
    app_key(&a, ']');
    s->running = true;
    app_tick(&a, 5.0);
    assert_non_null(strstr(a.message, "learning rate"));
    s->running = false;
    /* the narration scrolls to its very last row */
    app_key(&a, 'R');
    for (int i = 0; i < 5; i++)
        app_key(&a, 'n');
    while (a.les->focus != P_NARRATION)
        app_key(&a, K_TAB);
    for (int i = 0; i < 60; i++)
        app_key(&a, K_DOWN);
    layout L;
    layout_compute(&a, 80, 24, &L);
    static narration_text nr;
    narration_layout(s, L.r[P_NARRATION].w - 2, &nr);
    char last[NARRATE_COLS];
    const narration_row *lr = &nr.rows[nr.n_rows - 1];
    snprintf(last, sizeof last, "%.*s", lr->len, nr.text[lr->line] + lr->start);
    frame f;
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, last));
    app_free(&a);

    /* b after a divergence: one micro-step back is the state before the one that diverged */
    app_init(&a);
    assert_int_equal(app_open_lesson(&a, "lessons/09-gradient-clipping.md", &err), 0);
    s = app_run(&a);
    for (int i = 0; i < 5000 && !s->t.state.div.happened; i++)
        app_key(&a, 'n');
    assert_true(s->t.state.div.happened);
    long micro = s->t.state.micro;
    trainer_phase phase = s->t.state.div.phase;
    app_key(&a, 'b');
    assert_false(s->t.state.div.happened);
    assert_int_equal(s->t.state.micro, micro);
    assert_int_equal(s->t.state.next_phase, phase);
    app_free(&a);

    /* a click on the strip selects the layer drawn there (lesson 04: more layers than fit) */
    app_init(&a);
    assert_int_equal(app_open_lesson(&a, "lessons/04-vanishing-gradients.md", &err), 0);
    app_resize(&a, 80, 24);
    s = app_run(&a);
    layout_compute(&a, 80, 24, &L);
    int first, width, shown;
    net_strip(s->t.net.n_layers, s->layer, L.r[P_NETWORK].w, &first, &width, &shown);
    int slot = first + shown - 1; /* the last slot drawn */
    a.mouse_x = L.r[P_NETWORK].x + (shown - 1) * width + 2;
    a.mouse_y = L.r[P_NETWORK].y + 1;
    app_key(&a, K_MOUSE);
    assert_int_equal(s->layer, slot - 1);
    frame_free(&f);
    app_free(&a);
}

/* A newcomer's walk: a digit brings a waiting detail panel into view (it hid it silently);
 * the status bar cuts at a word, never inside a number ("loss 3." for 3.29e+28). */
static void test_walkthrough_regressions(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/01-values-in-range.md", 80, 24);
    app_key(&a, K_PGDN);
    app_key(&a, 'N');
    app_key(&a, '5');
    assert_int_equal(a.les->focus, P_ACTIVATIONS);
    assert_false(a.les->hidden[P_ACTIVATIONS]);
    assert_non_null(strstr(a.message, "5 Activation ranges shown"));
    app_key(&a, '5'); /* now on screen: the digit hides it, and says so */
    assert_true(a.les->hidden[P_ACTIVATIONS]);
    assert_non_null(strstr(a.message, "hidden"));
    app_free(&a);

    open_at(&a, "lessons/09-gradient-clipping.md", 80, 24);
    session *s = app_run(&a);
    for (int i = 0; i < 10 && !s->t.state.div.happened; i++)
        app_key(&a, 'N');
    assert_true(s->t.state.div.happened);
    frame f;
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    char row[512], loss[32];
    frame_row_text(&f, 23, row, sizeof row);
    fmt_compact(loss, sizeof loss, s->t.state.loss);
    const char *at = strstr(row, "loss ");
    assert_true(at == NULL || strncmp(at + 5, loss, strlen(loss)) == 0);
    frame_free(&f);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_survive_paging_and_o_picks),
        cmocka_unit_test(test_scroll_clamped_by_the_model),
        cmocka_unit_test(test_tab_reaches_every_panel),
        cmocka_unit_test(test_first_m_shows_the_first_view),
        cmocka_unit_test(test_divergence_is_said),
        cmocka_unit_test(test_narration_scrolls),
        cmocka_unit_test(test_panels_agree_mid_step),
        cmocka_unit_test(test_ensemble_in_the_ui),
        cmocka_unit_test(test_ensemble_without_a_test_split),
        cmocka_unit_test(test_review_regressions),
        cmocka_unit_test(test_walkthrough_regressions),
    };
    return cmocka_run_group_tests_name("ui_screen", tests, NULL, NULL);
}
