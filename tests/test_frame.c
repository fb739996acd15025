/* The frame's cells: a combining mark shares its base's cell (lesson 08 showed "m̂n" as m, a
 * hat in a column of its own, n), a wide character takes two cells and is never cut in half,
 * and the text read back from a row is what was put there. */
#include "test_common.h"
#include "ui/frame.h"
#include "ui/palette.h"

#define HAT "\xCC\x82" /* U+0302 COMBINING CIRCUMFLEX ACCENT */
#define ZHONG "\xE4\xB8\xAD" /* U+4E2D, two columns wide */

static const cell *at(const frame *f, int x, int y)
{
    return &f->cells[(size_t)y * f->w + x];
}

static const uint16_t *marks_at(const frame *f, int x, int y)
{
    return f->marks[(size_t)y * f->w + x];
}

static void row_is(const frame *f, int y, const char *want)
{
    char row[512];
    frame_row_text(f, y, row, sizeof row);
    assert_string_equal(row, want);
}

static void test_mark_shares_its_base_cell(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 10, 2);
    assert_int_equal(frame_put(&f, 0, 0, ROLE_NORMAL, "m" HAT "n", 0), 2);
    assert_int_equal(at(&f, 0, 0)->ch, 'm');
    assert_int_equal(marks_at(&f, 0, 0)[0], 0x302);
    assert_int_equal(at(&f, 1, 0)->ch, 'n');
    assert_int_equal(marks_at(&f, 1, 0)[0], 0);
    row_is(&f, 0, "m" HAT "n");
    /* lesson 08's formula round-trips and is found */
    const char *adam = "w \xE2\x86\x90 w \xE2\x88\x92 \xCE\xB7\xC2\xB7m" HAT "/(\xE2\x88\x9Av" HAT " + 1e-8)";
    assert_int_equal(frame_put(&f, 0, 1, ROLE_NORMAL, adam, 0), 10); /* clipped at the edge */
    frame_free(&f);
    frame_init(&f, 40, 1);
    assert_int_equal(frame_put(&f, 0, 0, ROLE_NORMAL, adam, 0), 23);
    row_is(&f, 0, adam);
    assert_true(frame_contains(&f, "\xE2\x88\x9Av" HAT " + 1e-8"));
    /* rewriting a cell drops the old marks */
    frame_put(&f, 0, 0, ROLE_NORMAL, "x", 0);
    frame_put(&f, 9, 0, ROLE_NORMAL, "y", 0); /* was m̂ */
    assert_int_equal(marks_at(&f, 9, 0)[0], 0);
    frame_clear(&f);
    row_is(&f, 0, "");
    frame_free(&f);
}

static void test_two_marks_and_a_third(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 5, 1);
    /* v with acute and dot below: both kept; a third mark on one base is dropped, not a cell */
    assert_int_equal(frame_put(&f, 0, 0, ROLE_NORMAL, "v\xCC\x81\xCC\xA3\xCC\x82z", 0), 2);
    row_is(&f, 0, "v\xCC\x81\xCC\xA3z");
    frame_free(&f);
}

/* A mark with nothing before it must not touch memory before the row or another text's cell. */
static void test_mark_without_base(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 6, 2);
    assert_int_equal(frame_put(&f, 0, 0, ROLE_NORMAL, HAT "x", 0), 2); /* at column 0 */
    assert_int_equal(at(&f, 0, 0)->ch, ' ');
    assert_int_equal(marks_at(&f, 0, 0)[0], 0x302);
    row_is(&f, 0, " " HAT "x");
    frame_put(&f, 0, 1, ROLE_NORMAL, "ab", 0);
    assert_int_equal(frame_put(&f, 2, 1, ROLE_NORMAL, HAT, 0), 1); /* "b" is another text's */
    assert_int_equal(marks_at(&f, 1, 1)[0], 0);
    row_is(&f, 1, "ab " HAT);
    /* base off the left edge: its mark goes with it */
    frame_clear(&f);
    assert_int_equal(frame_put(&f, -1, 0, ROLE_NORMAL, "a" HAT "b", 0), 2);
    row_is(&f, 0, "b");
    /* a mark alone at the last column, and past it */
    assert_int_equal(frame_put(&f, 5, 1, ROLE_NORMAL, HAT, 0), 1);
    assert_int_equal(frame_put(&f, 6, 1, ROLE_NORMAL, HAT, 0), 0);
    frame_add_mark(&f, -1, 0, 0x302);
    frame_add_mark(&f, 6, 0, 0x302);
    frame_add_mark(&f, 0, 2, 0x302);
    frame_free(&f);
}

static void test_wide_characters(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 6, 2);
    assert_int_equal(cp_cols(0x4E2D), 2);
    assert_int_equal(frame_put(&f, 0, 0, ROLE_NORMAL, ZHONG HAT "a", 0), 3);
    assert_int_equal(at(&f, 0, 0)->ch, 0x4E2D);
    assert_int_equal(marks_at(&f, 0, 0)[0], 0x302); /* on the wide base, not its right half */
    assert_int_equal(at(&f, 1, 0)->ch, 0);
    row_is(&f, 0, ZHONG HAT "a");
    /* a mark added on a right half goes to the character it belongs to */
    frame_add_mark(&f, 1, 0, 0x301);
    row_is(&f, 0, ZHONG HAT "\xCC\x81" "a");
    /* overwriting either half leaves a space, never half a character */
    frame_put(&f, 1, 0, ROLE_NORMAL, "b", 0);
    row_is(&f, 0, " ba");
    frame_put(&f, 2, 0, ROLE_NORMAL, ZHONG, 0);
    frame_put(&f, 2, 0, ROLE_NORMAL, "c", 0);
    assert_int_equal(at(&f, 3, 0)->ch, ' ');
    /* a wide character that does not fit whole is not drawn */
    assert_int_equal(frame_put(&f, 5, 1, ROLE_NORMAL, ZHONG, 0), 0);
    assert_int_equal(frame_put(&f, 0, 1, ROLE_NORMAL, "abc" ZHONG, 4), 3);
    row_is(&f, 1, "abc");
    frame_set(&f, -1, 1, 0x4E2D, ROLE_NORMAL); /* half off the left edge: a space */
    assert_int_equal(at(&f, 0, 1)->ch, ' ');
    frame_free(&f);
}

static void test_putn_and_bad_utf8(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 10, 1);
    assert_int_equal(frame_putn(&f, 0, 0, ROLE_NORMAL, "abc", 2, 0), 2);
    row_is(&f, 0, "ab");
    /* a sequence cut by n is one invalid byte, never read past n */
    uint32_t cp;
    assert_int_equal(utf8_decode_n("\xE2\x86\x92", 2, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode_n("\xE2\x86\x92", 3, &cp), 3);
    assert_int_equal(cp, 0x2192);
    /* control characters draw nothing; tab and newline are a space */
    frame_clear(&f);
    assert_int_equal(frame_put(&f, 0, 0, ROLE_NORMAL, "a\x01\x7F" "b\tc\nd", 0), 6);
    row_is(&f, 0, "ab c d");
    frame_free(&f);
}

/* frame_contains read rows into a fixed 4096-byte buffer: text at the end of a wide row of
 * 3-byte characters was never found. */
static void test_contains_on_a_wide_row(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 2000, 2);
    frame_fill(&f, 0, 1, 1990, 0x2500, ROLE_DIM); /* ─, 3 bytes each */
    frame_put(&f, 1990, 1, ROLE_NORMAL, "m" HAT "end", 0);
    assert_true(frame_contains(&f, "m" HAT "end"));
    assert_false(frame_contains(&f, "absent"));
    frame_free(&f);
}

/* A painted cell keeps both palette colours through the frame, apart from every role; the
 * palette's entries are distinct colours of the 256-colour table (else two classes, or two
 * shades of one, would look alike) and fall back to basic colours 0..7. */
static void test_painted_cells(void **s)
{
    (void)s;
    frame f;
    frame_init(&f, 4, 1);
    role r = role_paint(pal_class(1, 3), pal_grey(2));
    frame_set(&f, 0, 0, 0x2580, r);
    assert_true(role_is_paint(at(&f, 0, 0)->role));
    assert_int_equal(paint_fg(at(&f, 0, 0)->role), pal_class(1, 3));
    assert_int_equal(paint_bg(at(&f, 0, 0)->role), pal_grey(2));
    for (int k = 0; k < ROLE_COUNT; k++)
        assert_false(role_is_paint((unsigned)k));
    int seen[256] = {0};
    for (int p = 0; p < PAL_COUNT; p++) {
        int x = pal_xterm256(p);
        assert_true(x >= 16 && x <= 255);
        assert_true(pal_basic(p) >= 0 && pal_basic(p) <= 7);
        seen[x]++;
    }
    for (int p = 0; p < PAL_COUNT; p++)
        assert_int_equal(seen[pal_xterm256(p)], 1);
    /* indices clamp rather than run off the table */
    assert_int_equal(pal_grey(99), pal_grey(PAL_GREYS - 1));
    assert_int_equal(pal_class(11, 0), pal_class(1, 0));
    assert_int_equal(pal_heat(-3), pal_heat(0));
    frame_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mark_shares_its_base_cell),
        cmocka_unit_test(test_two_marks_and_a_third),
        cmocka_unit_test(test_mark_without_base),
        cmocka_unit_test(test_wide_characters),
        cmocka_unit_test(test_putn_and_bad_utf8),
        cmocka_unit_test(test_contains_on_a_wide_row),
        cmocka_unit_test(test_painted_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
