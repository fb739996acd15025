/* The screens' key tables: every key is in its screen's `?` help, every row has a handler,
 * and keys dispatched through the tables do what the old switch statements did. */
#include "test_common.h"
#include "ui/app.h"
#include "ui/keys.h"

/* The help's name of a key, as the labels spell it. */
static const char *key_name(int key, char *buf)
{
    switch (key) {
    case K_ENTER: return "Enter";
    case K_ESC: return "Esc";
    case K_TAB: return "Tab";
    case K_BTAB: return "Shift-Tab";
    case ' ': return "Space";
    case K_BACKSPACE: return "Backspace";
    case K_PGUP: return "PgUp";
    case K_PGDN: return "PgDn";
    case K_HOME: return "Home";
    case K_END: return "End";
    case K_MOUSE: return "mouse";
    case K_WHEEL_UP: case K_WHEEL_DOWN: return "wheel";
    default: buf[0] = (char)key, buf[1] = '\0'; return buf;
    }
}

/* A label names a key by its name, "arrows" for the four arrows, "a..b" for a range. */
static bool label_names(const char *label, int key)
{
    static const struct { int key; const char *name; } arrows[] = {
        {K_UP, "Up"}, {K_DOWN, "Down"}, {K_LEFT, "Left"}, {K_RIGHT, "Right"}};
    for (size_t i = 0; i < sizeof arrows / sizeof *arrows; i++)
        if (key == arrows[i].key)
            return strstr(label, arrows[i].name) || strstr(label, "arrows");
    const char *dots = strstr(label, "..");
    if (dots && dots > label && key >= dots[-1] && key <= dots[2])
        return true;
    char buf[2];
    return strstr(label, key_name(key, buf)) != NULL;
}

/* The overlay as drawn at 80x24: the rows from the table's title to the closing line. */
static void help_text(app *a, char *out, size_t cap)
{
    frame f;
    frame_init(&f, 80, 24);
    a->help = true;
    view_draw(a, &f);
    const char *title = keys_of(a->screen)->title;
    bool in = false;
    out[0] = '\0';
    for (int y = 0; y < f.h; y++) {
        char row[512];
        frame_row_text(&f, y, row, sizeof row);
        in = in || strstr(row, title);
        if (in && strlen(out) + strlen(row) + 2 < cap)
            strcat(strcat(out, row), "\n");
        if (in && strstr(row, "any key closes this help"))
            break;
    }
    assert_non_null(strstr(out, "any key closes this help")); /* the whole overlay fits */
    frame_free(&f);
    a->help = false;
}

static void check_table(app *a)
{
    const key_table *t = keys_of(a->screen);
    char help[8192];
    help_text(a, help, sizeof help);
    assert_true(t->n > 0);
    for (int i = 0; i < t->n; i++) {
        const key_binding *b = &t->rows[i];
        if (!b->handler || !b->keys[0] || b->keys[KEY_ROW_KEYS - 1] || !strstr(help, b->label) || !strstr(help, b->help)) {
            print_error("%s: row '%s' (%s): no handler, no keys or no 0 after them, or not in the help:\n%s", t->title, b->label,
                        b->help, help);
            fail();
        }
        for (const int *k = b->keys; *k; k++)
            if (!label_names(b->label, *k)) {
                print_error("%s: key %d is not named by '%s'\n", t->title, *k, b->label);
                fail();
            }
    }
}

static void test_every_key_is_in_its_screens_help(void **state)
{
    (void)state;
    app a;
    app_init(&a);
    check_table(&a); /* the lesson list, empty */
    a.screen = SCREEN_LAB;
    check_table(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/04-vanishing-gradients.md", &err), 0);
    check_table(&a);
    app_key(&a, 'C');
    assert_int_equal(a.screen, SCREEN_COMPARE);
    check_table(&a);
    app_free(&a);
    app_init(&a);
    assert_int_equal(app_open_lesson(&a, "lessons/08-optimizers.md", &err), 0);
    while (a.les->page + 1 < a.les->lesson.n_pages)
        app_key(&a, K_PGDN);
    app_key(&a, 'C');
    assert_int_equal(a.screen, SCREEN_RACE);
    check_table(&a);
    app_free(&a);
}

/* A key is on one row only: a second row with it would never run. */
static void test_no_key_is_bound_twice(void **state)
{
    (void)state;
    const key_table *tables[] = {&keys_browser, &keys_lesson, &keys_compare, &keys_race, &keys_lab};
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
        for (int i = 0; i < tables[t]->n; i++)
            for (const int *k = tables[t]->rows[i].keys; *k; k++)
                assert_ptr_equal(keys_find(tables[t], *k), &tables[t]->rows[i]);
}

static void test_dispatch_does_what_the_switch_did(void **state)
{
    (void)state;
    app a, ref;
    app_init(&a);
    app_init(&ref);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    assert_int_equal(app_open_lesson(&ref, "lessons/00-welcome.md", &err), 0);
    /* n: one micro-step, as session_step(MICRO) takes it */
    for (int i = 0; i < 3; i++) {
        int flags = app_key(&a, 'n');
        assert_true(flags & KEY_REDRAW);
        session_step(app_run(&ref), STEP_MICRO);
        assert_int_equal(app_run(&a)->t.state.step, app_run(&ref)->t.state.step);
        assert_int_equal(app_run(&a)->t.state.next_phase, app_run(&ref)->t.state.next_phase);
        assert_int_equal(app_run(&a)->t.state.next_layer, app_run(&ref)->t.state.next_layer);
    }
    assert_true(app_run(&a)->t.state.next_phase != PHASE_FORWARD || app_run(&a)->t.state.next_layer != 0); /* it moved */
    /* S asks the front end to save the frame; no key of the lesson list does */
    assert_true(app_key(&a, 'S') & KEY_SAVE_SCREEN);
    assert_int_equal(app_key(&a, '@'), 0); /* no row: nothing to redraw */
    /* q sets quit */
    int flags = app_key(&a, 'q');
    assert_true(flags & KEY_QUIT);
    assert_true(a.quit);
    app_free(&a);
    app_free(&ref);

    /* ? on the lesson list shows the lesson list's keys, not the stepper's */
    app_init(&a);
    assert_int_equal(app_key(&a, '?') & KEY_REDRAW, KEY_REDRAW);
    assert_true(a.help);
    frame f;
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "Keys on the lesson list"));
    assert_true(frame_contains(&f, "open the lesson"));
    assert_false(frame_contains(&f, "one micro-step"));
    assert_true(frame_contains(&f, "any key closes this help"));
    app_key(&a, 'x'); /* any key closes it */
    assert_false(a.help);
    assert_false(a.quit);
    assert_true(app_key(&a, K_ESC) & KEY_QUIT); /* Esc on the list quits, as before */
    assert_int_equal(app_key(&a, 'S') & KEY_SAVE_SCREEN, 0);
    frame_free(&f);
    app_free(&a);
}

/* S saves the race and the comparison too (it did nothing there), under names that say which
 * screen it was: the race's step is not the lesson run's. */
static void test_save_screen_on_the_race(void **state)
{
    (void)state;
    app a;
    ds_error err = {0};
    app_init(&a);
    assert_int_equal(app_open_lesson(&a, "lessons/08-optimizers.md", &err), 0);
    snprintf(a.snapshot_dir, sizeof a.snapshot_dir, "%s", "build/tmp");
    bool race_here = false;
    while (!race_here) {
        for (int k = 0; k < a.les->lesson.n_races; k++)
            race_here |= a.les->lesson.races[k].page == a.les->page;
        if (!race_here) {
            assert_true(a.les->page + 1 < a.les->lesson.n_pages);
            app_key(&a, K_PGDN);
        }
    }
    app_key(&a, 'C');
    assert_int_equal(a.screen, SCREEN_RACE);
    app_key(&a, 'n');
    app_key(&a, 'n');
    assert_true(app_key(&a, 'S') & KEY_SAVE_SCREEN);
    frame f;
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    assert_int_equal(app_save_screen(&a, &f), 0);
    assert_non_null(strstr(a.message, "build/tmp/08-optimizers-race-step2.txt"));
    FILE *in = fopen("build/tmp/08-optimizers-race-step2.txt", "r");
    assert_non_null(in);
    char line[200];
    assert_non_null(fgets(line, sizeof line, in)); /* the frame's first row, as drawn */
    fclose(in);
    char row[400];
    frame_row_text(&f, 0, row, sizeof row);
    line[strcspn(line, "\n")] = '\0';
    assert_string_equal(line, row);
    remove("build/tmp/08-optimizers-race-step2.txt");
    frame_free(&f);
    app_free(&a);
}

/* The status bar's hints come from the tables: each names a key its row has, and the lesson's
 * bar at 160x48 shows them (they were written by hand beside the tables). */
static void test_status_hints_from_the_tables(void **state)
{
    (void)state;
    const key_table *tables[] = {&keys_browser, &keys_lesson, &keys_compare, &keys_race};
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
        for (int i = 0; i < tables[t]->n; i++) {
            const key_binding *b = &tables[t]->rows[i];
            if (!b->hint)
                continue;
            char first[32];
            sscanf(b->hint, "%31s", first);
            if (!strstr(b->label, first) && strcmp(first, "PgUp/PgDn") != 0 && strncmp(first, "\xE2\x86\x91", 3) != 0)
                fail_msg("hint '%s' names no key of its row '%s'", b->hint, b->label);
        }
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(&a, "lessons/00-welcome.md", &err), 0);
    frame f;
    frame_init(&f, 160, 48);
    view_draw(&a, &f);
    char hints[200], row[512];
    keys_hints(&keys_lesson, true, hints, sizeof hints);
    frame_row_text(&f, 47, row, sizeof row);
    assert_non_null(strstr(row, hints));
    assert_non_null(strstr(hints, "n step"));
    keys_hints(&keys_lesson, false, hints, sizeof hints); /* without a run: not the stepper's */
    assert_null(strstr(hints, "n step"));
    frame_free(&f);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_is_in_its_screens_help),
        cmocka_unit_test(test_no_key_is_bound_twice),
        cmocka_unit_test(test_dispatch_does_what_the_switch_did),
        cmocka_unit_test(test_status_hints_from_the_tables),
        cmocka_unit_test(test_save_screen_on_the_race),
    };
    return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
