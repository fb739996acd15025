/* test_samples.h - what the tests of the Data panel's sample views share: lesson 12 opened on
 * a view, and the panel's text. */
#ifndef DS_TEST_SAMPLES_H
#define DS_TEST_SAMPLES_H

#include "test_app.h"
#include "ui/insight.h"
#include "ui/view.h"

#define DIGITS "lessons/12-digits.md"

/* Lesson 12's first experiment (mlp: 64 -> 128 relu -> 10, no dropout, no batchnorm), the
 * Data panel focused on view v. */
static inline session *open_digits(app *a, int w, int h, data_view v)
{
    open_at(a, DIGITS, w, h);
    app_key(a, K_PGDN);
    app_key(a, K_PGDN);
    session *s = app_run(a);
    assert_non_null(s);
    assert_int_equal(data_image_side(s), 8);
    data_view vs[DV_COUNT];
    int n = data_views(s, vs);
    for (int k = 0; k < n; k++)
        if (vs[k] == v)
            a->les->data_view = k;
    assert_int_equal(data_view_current(a, s), v);
    a->les->focus = P_DATA;
    return s;
}

/* The Data panel's text, rows of its rectangle joined. */
static inline void panel_text(const app *a, const frame *f, char *out, size_t cap)
{
    layout L;
    layout_compute(a, f->w, f->h, &L);
    assert_true(L.visible[P_DATA]);
    rect r = L.r[P_DATA];
    size_t o = 0;
    out[0] = 0;
    for (int y = r.y; y < r.y + r.h && o + 1024 < cap; y++) {
        char row[4096];
        frame_row_text(f, y, row, sizeof row);
        /* the panel's columns of the row: count cells, not bytes */
        const char *p = row;
        int col = 0;
        while (*p && col < r.x) {
            uint32_t cp;
            p += utf8_decode(p, &cp);
            col += cp_cols(cp) ? 1 : 0;
        }
        const char *e = p;
        while (*e && col < r.x + r.w) {
            uint32_t cp;
            e += utf8_decode(e, &cp);
            col += cp_cols(cp) ? 1 : 0;
        }
        o += (size_t)snprintf(out + o, cap - o, "%.*s\n", (int)(e - p), p);
    }
}

#endif
