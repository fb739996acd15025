/* The Distributions panel (9): the recorded histograms against counts made here from the
 * workspace by a sort, the ratio against the engine's statistics, the ring's order after more
 * than DIST_STEPS steps, a step back and forward giving the same history, and the panel drawn
 * whole at 80x24, 120x40 and 160x48 with and without colour and UTF-8. */

#include "test_app.h"
#include "ui/dist.h"
#include "ui/palette.h"
#include "ui/view.h"

/* A deep sigmoid net with a batchnorm layer, a dropout layer and a loss scale, so that every
 * kind of layer and the unscaling of dL/dz are recorded. */
static const char block[] = "data       = ../datasets/digits8x8.csv\n"
                            "normalize  = zscore\n"
                            "batch      = 32\n"
                            "shuffle    = yes\n"
                            "layer      = dense 16 sigmoid init=xavier\n"
                            "layer      = dense 16 linear init=xavier\n"
                            "layer      = batchnorm sigmoid\n"
                            "layer      = dropout 0.2\n"
                            "layer      = dense 10 linear\n"
                            "optimizer  = sgd lr=0.1\n"
                            "loss_scale = 8\n"
                            "epochs     = 3\n"
                            "seed       = 7\n";

static void start(session *s, const char *text)
{
    experiment x;
    ds_error err = {0};
    assert_int_equal(experiment_parse(&x, text, strlen(text), "t.md", 1, 2, "lessons", &err), 0);
    assert_int_equal(session_start(s, &x, &err), 0);
    experiment_free(&x); /* the session copied what it needs; the block has no expects */
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The summary of buffer v (len values, holding `scale` times the true ones), checked against
 * a sorted copy: range, count, and the count below each bin edge. A value within rounding of
 * an edge may fall on either side of it; there are none or few of those, and they are allowed. */
static void check_summary(const dist_summary *o, const float *v, size_t len, float scale)
{
    assert_non_null(o);
    float *sorted = malloc(len * sizeof *sorted);
    memcpy(sorted, v, len * sizeof *sorted);
    qsort(sorted, len, sizeof *sorted, cmp_float);
    assert_int_equal(o->n, len);
    assert_int_equal(o->nonfinite, 0);
    assert_true(o->min == sorted[0] / scale);
    assert_true(o->max == sorted[len - 1] / scale);
    double lo = sorted[0], hi = sorted[len - 1];
    long below = 0, total = 0;
    for (int k = 0; k < DIST_BINS; k++) {
        double edge = lo + k * (hi - lo) / DIST_BINS, tol = 1e-6 * (hi - lo);
        long exact = 0, near = 0;
        for (size_t j = 0; j < len; j++) {
            exact += sorted[j] < edge;
            near += fabs(sorted[j] - edge) <= tol;
        }
        assert_true(labs(below - exact) <= near);
        below += o->count[k];
        total += o->count[k];
    }
    assert_int_equal(total, len);
    /* the histogram is not flat: the test would pass a summary of zeros otherwise */
    uint32_t top = 0;
    for (int k = 0; k < DIST_BINS; k++)
        top = o->count[k] > top ? o->count[k] : top;
    assert_true(top > 0 && top < len);
    free(sorted);
}

static void test_summaries_match_the_workspace(void **state)
{
    (void)state;
    session s;
    start(&s, block);
    assert_null(s.dist); /* nothing allocated before the first step */
    for (int step = 1; step <= 3; step++) {
        session_step(&s, STEP_BATCH);
        assert_int_equal(s.t.state.step, step);
        const net *n = &s.t.net;
        size_t rows = (size_t)n->train.rows;
        for (int i = 0; i < n->n_layers; i++) {
            size_t len = rows * n->layers[i].n_out;
            check_summary(dist_at(&s, i, DIST_A, step), n->train.a[i], len, 1.0f);
            check_summary(dist_at(&s, i, DIST_DZ, step), n->train.dz[i], len, 8.0f);
            float r = dist_ratio(&s, i, step), want = s.t.stats[i].update_ratio;
            if (n->layers[i].n_weights) {
                assert_true(isfinite(want));
                assert_true(r == want);
            } else
                assert_true(isnan(r) && isnan(want));
        }
        assert_null(dist_at(&s, 0, DIST_A, step + 1)); /* not yet */
    }
    long first;
    assert_int_equal(dist_steps(&s, &first), 3);
    assert_int_equal(first, 1);
    session_free(&s);
}

/* Re-binned onto the step's own range with DIST_BINS bins, the counts come back; onto a wider
 * axis, nothing is lost; values beyond the axis land in its end bins. */
static void test_rebin_conserves(void **state)
{
    (void)state;
    session s;
    start(&s, block);
    session_step(&s, STEP_BATCH);
    const dist_summary *o = dist_at(&s, 0, DIST_A, 1);
    double out[DIST_BINS] = {0};
    assert_true(dist_rebin(&s, 0, DIST_A, 1, o->min, o->max, DIST_BINS, out));
    for (int k = 0; k < DIST_BINS; k++)
        assert_true(fabs(out[k] - o->count[k]) < 1e-6);
    double wide[7] = {0}, sum = 0;
    assert_true(dist_rebin(&s, 0, DIST_A, 1, -1.0, 2.0, 7, wide)); /* sigmoid: all in (0, 1) */
    for (int k = 0; k < 7; k++)
        sum += wide[k];
    assert_true(fabs(sum - o->n) < 1e-6);
    assert_true(wide[0] == 0 && wide[6] == 0 && wide[5] == 0); /* -1..-0.57 and 1.14..2 hold none */
    double narrow[2] = {0};
    double mid = 0.5 * (o->min + o->max);
    assert_true(dist_rebin(&s, 0, DIST_A, 1, mid - 1e-3, mid + 1e-3, 2, narrow));
    assert_true(fabs(narrow[0] + narrow[1] - o->n) < 1e-6);
    assert_false(dist_rebin(&s, 0, DIST_A, 2, 0, 1, 2, narrow)); /* not held */
    session_free(&s);
}

/* More than DIST_STEPS steps: the last DIST_STEPS are held, in order (each step's ratio and
 * range as they were after that step), and older ones are gone. */
static void test_ring_keeps_the_last_steps_in_order(void **state)
{
    (void)state;
    session s;
    start(&s, block);
    enum { STEPS = DIST_STEPS + 21 };
    static float ratio[STEPS + 1], amin[STEPS + 1];
    for (int step = 1; step <= STEPS; step++) {
        session_step(&s, STEP_BATCH);
        ratio[step] = s.t.stats[0].update_ratio;
        amin[step] = s.t.stats[4].act_min;
    }
    long first;
    assert_int_equal(dist_steps(&s, &first), DIST_STEPS);
    assert_int_equal(first, STEPS - DIST_STEPS + 1);
    assert_null(dist_at(&s, 0, DIST_A, first - 1));
    for (long st = first; st <= STEPS; st++) {
        assert_true(dist_ratio(&s, 0, st) == ratio[st]);
        assert_true(dist_at(&s, 4, DIST_A, st)->min == amin[st]);
    }
    session_free(&s);
}

/* Back over a few steps and forward again: the same history, bit for bit; while back, the
 * steps after the current one are not shown. */
static void test_back_and_forward_same_history(void **state)
{
    (void)state;
    session s;
    start(&s, block);
    enum { STEPS = DIST_STEPS + 6 };
    for (int step = 1; step <= STEPS; step++)
        session_step(&s, STEP_BATCH);
    const net *n = &s.t.net;
    size_t per = (size_t)n->n_layers * DIST_KINDS;
    dist_summary *before = calloc((size_t)DIST_STEPS * per, sizeof *before);
    float *rb = calloc((size_t)DIST_STEPS * n->n_layers, sizeof *rb);
    long first;
    assert_int_equal(dist_steps(&s, &first), DIST_STEPS);
    for (int c = 0; c < DIST_STEPS; c++)
        for (int i = 0; i < n->n_layers; i++) {
            for (int k = 0; k < DIST_KINDS; k++)
                before[c * per + (size_t)i * DIST_KINDS + k] = *dist_at(&s, i, (dist_kind)k, first + c);
            rb[c * n->n_layers + i] = dist_ratio(&s, i, first + c);
        }
    while (s.t.state.step > STEPS - 4)
        assert_true(session_back(&s));
    assert_null(dist_at(&s, 0, DIST_A, STEPS - 3));
    long f2;
    int held = dist_steps(&s, &f2);
    assert_true(held >= 1 && f2 + held - 1 == STEPS - 4);
    while (s.t.state.step < STEPS)
        session_step(&s, STEP_BATCH);
    for (int c = 0; c < DIST_STEPS; c++)
        for (int i = 0; i < n->n_layers; i++) {
            for (int k = 0; k < DIST_KINDS; k++)
                assert_memory_equal(dist_at(&s, i, (dist_kind)k, first + c), &before[c * per + (size_t)i * DIST_KINDS + k],
                                    sizeof(dist_summary));
            float r = dist_ratio(&s, i, first + c), w = rb[c * n->n_layers + i];
            assert_true(r == w || (isnan(r) && isnan(w)));
        }
    /* back to the start: nothing is shown, and the first step records afresh */
    session_reset(&s);
    assert_int_equal(dist_steps(&s, &f2), 0);
    session_step(&s, STEP_BATCH);
    assert_int_equal(dist_steps(&s, &f2), 1);
    free(before);
    free(rb);
    session_free(&s);
}

/* ---- the panel --------------------------------------------------------------------- */

static bool has_paint(const frame *f, rect r)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            if (role_is_paint(f->cells[(size_t)y * f->w + x].role))
                return true;
    return false;
}

/* Below the title (whose rule term.c draws with '-' without UTF-8): only ASCII. */
static bool all_ascii(const frame *f, rect r)
{
    for (int y = r.y + 1; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            if (f->cells[(size_t)y * f->w + x].ch >= 0x80)
                return false;
    return true;
}

/* The panel's rows as text, for asserting on what it shows and not elsewhere. */
static bool panel_has(const frame *f, rect r, const char *text)
{
    char row[2048];
    frame sub;
    frame_init(&sub, r.w, 1);
    bool found = false;
    for (int y = r.y; y < r.y + r.h && !found; y++) {
        memcpy(sub.cells, &f->cells[(size_t)y * f->w + r.x], (size_t)r.w * sizeof(cell));
        memcpy(sub.marks, &f->marks[(size_t)y * f->w + r.x], (size_t)r.w * sizeof *sub.marks);
        frame_row_text(&sub, 0, row, sizeof row);
        found = strstr(row, text) != NULL;
    }
    frame_free(&sub);
    return found;
}

static void test_panel_at_each_size(void **state)
{
    (void)state;
    /* 160x200: a strip taller than its bins (it read cnt[-2] there; make check's UBSan sees it) */
    const int sizes[][2] = {{80, 24}, {120, 40}, {160, 48}, {160, 200}};
    for (int z = 0; z < 4; z++)
        for (int mode = 0; mode < 3; mode++) { /* colour + UTF-8, no colour, colour + ASCII */
            app a;
            open_at(&a, "lessons/04-vanishing-gradients.md", sizes[z][0], sizes[z][1]);
            a.colour = mode != 1;
            a.ascii = mode == 2;
            app_key(&a, K_PGDN); /* the plain deep sigmoid net */
            while (a.les->focus != P_DIST)
                app_key(&a, K_TAB);
            layout L;
            layout_compute(&a, a.cols, a.rows, &L);
            assert_true(L.visible[P_DIST]);
            rect r = L.r[P_DIST];
            frame f;
            frame_init(&f, a.cols, a.rows);
            view_draw(&a, &f);
            assert_true(panel_has(&f, r, "Distributions: layer 0"));
            assert_true(panel_has(&f, r, "Press N"));
            for (int k = 0; k < 5; k++)
                app_key(&a, 'N');
            app_key(&a, K_DOWN); /* the next layer */
            assert_int_equal(app_run(&a)->layer, 1);
            frame_clear(&f);
            view_draw(&a, &f);
            /* the step range is kept whole; the layer's kind when there is room */
            assert_true(panel_has(&f, r, r.w >= 58 ? "Distributions: layer 1 (dense sigmoid), steps 1-5"
                                                   : "Distributions: layer 1, steps 1-5"));
            assert_true(panel_has(&f, r, "dL/dz"));
            assert_true(panel_has(&f, r, "1e-3"));
            assert_false(panel_has(&f, r, "\xE2\x80\xA6")); /* no ellipsis: nothing cut */
            assert_false(panel_has(&f, r, "~"));            /* nor its ASCII stand-in */
            if (sizes[z][1] >= 40)                           /* a legend: which line is which layer */
                assert_true(panel_has(&f, r, " L1 "));
            if (sizes[z][1] >= 48)
                assert_true(panel_has(&f, r, "step 1"));
            assert_int_equal(has_paint(&f, r), mode != 1);
            if (mode == 2)
                assert_true(all_ascii(&f, r));
            frame_free(&f);
            app_free(&a);
        }
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summaries_match_the_workspace),
        cmocka_unit_test(test_rebin_conserves),
        cmocka_unit_test(test_ring_keeps_the_last_steps_in_order),
        cmocka_unit_test(test_back_and_forward_same_history),
        cmocka_unit_test(test_panel_at_each_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
