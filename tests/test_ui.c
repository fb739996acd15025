/* The UI's model and views, without a terminal: render frames, assert on their text. */
#include "test_common.h"
#include "ui/app.h"
#include "ui/markdown.h"

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
    assert_true(frame_contains(&f, "\xE2\x94\x80\xE2\x94\x80 experiment \xE2\x94\x80\xE2\x94\x80"));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson_view_shows_title_pages_and_text),
        cmocka_unit_test(test_too_small_and_recovers),
        cmocka_unit_test(test_browser_lists_lessons),
        cmocka_unit_test(test_frame_utf8_and_clipping),
        cmocka_unit_test(test_markdown_rendering),
        cmocka_unit_test(test_markdown_wraps_to_width),
    };
    return cmocka_run_group_tests_name("ui", tests, NULL, NULL);
}
