/* The asciicast writer (--record): a v2 header, one event per changed frame, JSON escaping,
 * and a file that appears only when the recording is closed. */
#include "test_common.h"
#include "ui/cast.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void sgr(unsigned r, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", r == ROLE_BAD ? "1;31" : "");
}

static void test_header_events_and_escapes(void **state)
{
    (void)state;
    const char *path = "build/tmp/test.cast";
    remove(path);
    cast_writer c;
    ds_error err = {0};
    assert_int_equal(cast_open(&c, path, 20, 2, "a \"quoted\" title", sgr, &err), 0);
    frame f;
    frame_init(&f, 20, 2);
    frame_put(&f, 0, 0, ROLE_NORMAL, "say \"hi\" \\ m\xCC\x82", 20);
    frame_put(&f, 0, 1, ROLE_BAD, "exploding", 20);
    cast_frame(&c, &f, 0.25);
    cast_frame(&c, &f, 0.5); /* the same frame: no event */
    FILE *absent = fopen(path, "rb");
    assert_null(absent); /* not there until it is whole */
    frame_put(&f, 0, 1, ROLE_NORMAL, "ok       ", 20);
    cast_frame(&c, &f, 1.5);
    assert_int_equal(c.events, 2);
    assert_int_equal(cast_close(&c, &err), 0);
    frame_free(&f);
    char *text = slurp(path);
    const char *header = "{\"version\": 2, \"width\": 20, \"height\": 2, \"timestamp\": ";
    assert_memory_equal(text, header, strlen(header));
    assert_non_null(strstr(text, "\"title\": \"a \\\"quoted\\\" title\""));
    char *l1 = strchr(text, '\n') + 1, *l2 = strchr(l1, '\n') + 1;
    assert_memory_equal(l1, "[0.250000, \"o\", \"", 17);
    assert_memory_equal(l2, "[1.500000, \"o\", \"", 17);
    assert_string_equal(strchr(l2, '\n'), "\n"); /* two events, no more */
    /* quotes and backslashes escaped, escapes as \u001b, the combining hat kept after its m */
    assert_non_null(strstr(l1, "say \\\"hi\\\" \\\\ m\xCC\x82"));
    assert_non_null(strstr(l1, "\\u001b[0;1;31mexploding"));
    assert_non_null(strstr(l2, "ok"));
    assert_null(strstr(l2, "exploding"));
}

static void test_bad_path(void **state)
{
    (void)state;
    cast_writer c;
    ds_error err = {0};
    assert_int_equal(cast_open(&c, "build/tmp/no/such/dir/x.cast", 80, 24, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "cannot create"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_events_and_escapes),
        cmocka_unit_test(test_bad_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
