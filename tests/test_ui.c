/* The UI's model and views, without a terminal: render frames, assert on their text. */
#include "test_common.h"
#include "ui/app.h"

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
    assert_non_null(strstr(row, "q quit"));
    app_key(&a, K_PGDN);
    app_key(&a, K_PGDN);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "page 3/5"));
    assert_true(frame_contains(&f, "The experiment"));
    assert_true(frame_contains(&f, "--- experiment ---"));
    assert_true(frame_contains(&f, "layer     = dense 4 tanh init=xavier"));
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

static void test_browser_lists_lessons(void **s)
{
    (void)s;
    app a;
    app_init(&a);
    ds_error err = {0};
    assert_int_equal(app_scan_lessons(&a, "lessons", &err), 0);
    assert_true(a.n_entries >= 2);
    assert_string_equal(a.entries[0].path, "lessons/00-welcome.md");
    frame f;
    frame_init(&f, 100, 30);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "00-welcome.md"));
    assert_true(frame_contains(&f, "Capstone: reading handwritten digits"));
    app_key(&a, K_ENTER);
    assert_int_equal(a.screen, SCREEN_LESSON);
    app_key(&a, K_ESC);
    assert_int_equal(a.screen, SCREEN_BROWSER);
    app_key(&a, '?');
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "Any key closes this help."));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson_view_shows_title_pages_and_text),
        cmocka_unit_test(test_too_small_and_recovers),
        cmocka_unit_test(test_browser_lists_lessons),
        cmocka_unit_test(test_frame_utf8_and_clipping),
    };
    return cmocka_run_group_tests_name("ui", tests, NULL, NULL);
}
