/* The Data panel's pictures are drawn whole, never cropped: digits among the worst examples at
 * 80x24 without colour, MNIST's 28x28 sample and weights painted or halved (and said so). */
#include <ctype.h>

#include "test_common.h"
#include "test_samples.h"
#include "ui/palette.h"
#include "ui/samples.h"

/* Image v (side x side) shown as q x q dots (each the mean of its block of pixels, or one
 * pixel enlarged), drawn whole somewhere in f: painted half blocks, grey from the image's
 * darkest to its lightest pixel, or glyph pairs from the shading ramp. */
static bool picture_in(const frame *f, const float *v, int side, int q, bool paint, bool ascii)
{
    static const char ramp[] = " .:-=+*#%@";
    static const uint32_t shades[] = {' ', 0x2591, 0x2592, 0x2593, 0x2588};
    float lo = v[0], hi = v[0], dots[64 * 64];
    for (int k = 1; k < side * side; k++)
        lo = v[k] < lo ? v[k] : lo, hi = v[k] > hi ? v[k] : hi;
    assert_true(q <= 64 && hi > lo);
    for (int i = 0; i < q; i++)
        for (int j = 0; j < q; j++) {
            int b = q < side ? side / q : 1, r0 = q < side ? i * b : i * side / q, c0 = q < side ? j * b : j * side / q;
            double sum = 0;
            for (int y = r0; y < r0 + b; y++)
                for (int x = c0; x < c0 + b; x++)
                    sum += v[y * side + x];
            dots[i * q + j] = (float)(sum / (b * b));
        }
    int cols = paint ? q : 2 * q, rows = paint ? q / 2 : q;
    for (int y0 = 0; y0 + rows <= f->h; y0++)
        for (int x0 = 0; x0 + cols <= f->w; x0++) {
            bool all = true;
            for (int i = 0; i < rows && all; i++)
                for (int j = 0; j < cols && all; j++) {
                    cell c = f->cells[(y0 + i) * f->w + x0 + j];
                    if (paint) {
                        int top = pal_grey((int)lroundf((dots[2 * i * q + j] - lo) / (hi - lo) * 7));
                        int bot = pal_grey((int)lroundf((dots[(2 * i + 1) * q + j] - lo) / (hi - lo) * 7));
                        all = c.ch == 0x2580 && role_is_paint(c.role) && paint_fg(c.role) == top &&
                              paint_bg(c.role) == bot;
                    } else {
                        float t = (dots[i * q + j / 2] - lo) / (hi - lo);
                        t = t < 0 ? 0 : t > 1 ? 1 : t;
                        uint32_t g = ascii ? (uint32_t)ramp[lroundf(t * 9)] : shades[lroundf(t * 4)];
                        all = c.ch == g;
                    }
                }
            if (all)
                return true;
        }
    return false;
}

/* Lesson 12 at 80x24, worst examples: each 8x8 digit drawn whole (all 8 pixel rows), in
 * colour, in shading glyphs and in ASCII; the captions beside the tiles when under them
 * there is no room. */
static void test_worst_pictures_whole(void **state)
{
    (void)state;
    for (int mode = 0; mode < 3; mode++) {
        app a;
        session *s = open_digits(&a, 80, 24, DV_WORST);
        app_key(&a, 'e');
        a.colour = mode == 0;
        a.ascii = mode == 2;
        confusion cm;
        assert_true(samples_confusion(s, &cm));
        assert_true(cm.n_worst >= 2);
        frame f;
        frame_init(&f, 80, 24);
        view_draw(&a, &f);
        float v[64];
        for (int k = 0; k < 2; k++) {
            samples_row_values(s, cm.worst[k].row, v);
            if (!picture_in(&f, v, 8, 8, mode == 0, mode == 2)) {
                static char text[65536];
                panel_text(&a, &f, text, sizeof text);
                fail_msg("mode %d: worst example %d not whole:\n%s", mode, k, text);
            }
        }
        char cap[32];
        snprintf(cap, sizeof cap, "%d%s%d", cm.worst[0].truth, mode == 2 ? "->" : "\xE2\x86\x92", cm.worst[0].pred);
        assert_true(frame_contains(&f, cap));
        frame_free(&f);
        app_free(&a);
    }
}

/* Lesson 06 (MNIST, 28x28) at 160x48: the sample and the weights whole, 28 columns by 14
 * half-block rows with colour; without colour 28 rows do not fit, so 14x14 dots of 2x2
 * pixels, said so. At 80x24 without colour: not even that fits, said so with the way out. */
static void test_mnist_pictures_whole(void **state)
{
    (void)state;
    for (int mode = 0; mode < 3; mode++) {
        app a;
        int w = mode < 2 ? 160 : 80, h = mode < 2 ? 48 : 24;
        open_at(&a, "lessons/06-dropout.md", w, h);
        app_key(&a, K_PGDN);
        app_key(&a, K_PGDN);
        session *s = app_run(&a);
        assert_non_null(s);
        assert_int_equal(data_image_side(s), 28);
        a.les->focus = P_DATA;
        a.les->data_view = 0;
        a.colour = mode == 0;
        for (int i = 0; i < 3; i++)
            app_key(&a, 'n');
        assert_int_equal(data_view_current(&a, s), DV_SAMPLE);
        frame f;
        frame_init(&f, w, h);
        view_draw(&a, &f);
        static char text[65536];
        panel_text(&a, &f, text, sizeof text);
        float v[784];
        samples_row_values(s, samples_batch_data_row(s, 0), v);
        if (mode == 2) { /* the words, whatever the wrapping */
            static char flat[65536];
            int o = 0;
            for (const char *c = text; *c; c++)
                if (!(isspace((unsigned char)*c) && o && flat[o - 1] == ' '))
                    flat[o++] = isspace((unsigned char)*c) ? ' ' : *c;
            flat[o] = 0;
            assert_non_null(strstr(flat, "no room for a whole 28x28 picture"));
            assert_non_null(strstr(flat, "4 hides What just happened"));
            assert_non_null(strstr(text, "label "));
        } else if (!picture_in(&f, v, 28, mode == 0 ? 28 : 14, mode == 0, false)) {
            fail_msg("mode %d: the sample is not whole:\n%s", mode, text);
        }
        assert_int_equal(strstr(text, "2x2 pixels a cell") != NULL, mode == 1);
        /* the weights: the same size, and the legend's words */
        a.les->data_view = 3;
        assert_int_equal(data_view_current(&a, s), DV_WEIGHTS);
        frame_clear(&f);
        view_draw(&a, &f);
        panel_text(&a, &f, text, sizeof text);
        assert_non_null(strstr(text, "weights of unit 0 of 128"));
        int cells = 0;
        for (int i = 0; i < w * h; i++)
            cells += mode == 0 ? f.cells[i].ch == 0x2580 : 0;
        if (mode == 0)
            assert_int_equal(cells, 28 * 14);
        if (mode == 1) {
            assert_non_null(strstr(text, "positive: + #"));
            assert_non_null(strstr(text, "negative: - ="));
            assert_non_null(strstr(text, "2x2 pixels a cell"));
        }
        frame_free(&f);
        app_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worst_pictures_whole),
        cmocka_unit_test(test_mnist_pictures_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
