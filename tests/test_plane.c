/* test_plane.c - the Data panel's input plane: the grid, the unit maps and the marks against
 * values computed here independently (a forward pass in double written out below, and
 * trainer_predict on the data rows), the axis labels against the data's own units, the cache
 * recomputing exactly when the net changes, and frames at 80x24, 120x40, 160x48 in colour,
 * monochrome and ASCII with nothing cut. */
#include "test_app.h"

#include "engine/act.h"
#include "ui/insight.h"
#include "ui/palette.h"
#include "ui/plane.h"
#include "ui/view.h"

#define XOR "lessons/00-welcome.md"
#define SPIRAL "lessons/10-learning-rate-decay.md"

/* A two-moons lesson normalised by zscore, so the axis labels must undo a real scale and shift. */
static const char *moons_lesson(void)
{
    static const char *path = "build/tmp/test_plane_moons.md";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# Moons\n\n## Run\n\n```deepstep\nname = moons\ndata = moons samples=200 noise=0.1\nnormalize = zscore\n"
          "validation = 0.2\ntest = 0.1\nlayer = dense 6 relu\nlayer = dense 2 linear\nloss = cross_entropy\n"
          "optimizer = sgd lr=0.3\nbatch = 16\nepochs = 5\nseed = 2\n```\n",
          f);
    fclose(f);
    return path;
}

/* Open a lesson at w x h on the page pages_down from the first, the Data panel in view. */
static session *open_plane(app *a, const char *path, int pages_down, int w, int h)
{
    open_at(a, path, w, h);
    for (int i = 0; i < pages_down; i++)
        app_key(a, K_PGDN);
    session *s = app_run(a);
    assert_non_null(s);
    assert_int_equal(s->t.data->d, 2);
    app_key(a, '8');
    app_sync(a);
    assert_int_equal(data_view_current(a, s), DV_PLANE);
    return s;
}

static rect data_rect(const app *a)
{
    layout L;
    layout_compute(a, a->cols, a->rows, &L);
    assert_true(L.visible[P_DATA]);
    return L.r[P_DATA];
}

/* ---- an independent forward pass: dense layers only, in double ---------------------- */

static double act_d(activation f, double z)
{
    switch (f) {
    case ACT_TANH: return tanh(z);
    case ACT_RELU: return z > 0 ? z : 0;
    case ACT_SIGMOID: return 1 / (1 + exp(-z));
    default: return z; /* linear; softmax is applied below over the whole output */
    }
}

/* Activations of layer `upto` at input x (n_in values) into out; returns its width. */
static int forward_d(const net *n, const double *x, int upto, double *out)
{
    double buf[2][256];
    int w = n->n_in;
    memcpy(buf[0], x, (size_t)w * sizeof(double));
    for (int i = 0; i <= upto; i++) {
        const layer *L = &n->layers[i];
        assert_int_equal(L->kind, LAYER_DENSE);
        assert_true(L->n_out <= 256);
        double *in = buf[i % 2], *o = buf[(i + 1) % 2];
        for (int u = 0; u < L->n_out; u++) {
            double z = L->b[u];
            for (int j = 0; j < L->n_in; j++)
                z += (double)L->W[(size_t)u * L->n_in + j] * in[j];
            o[u] = z;
        }
        if (L->act == ACT_SOFTMAX || (i == n->n_layers - 1 && n->loss == LOSS_CROSS_ENTROPY)) {
            double m = o[0], sum = 0;
            for (int u = 1; u < L->n_out; u++)
                m = o[u] > m ? o[u] : m;
            for (int u = 0; u < L->n_out; u++)
                sum += (o[u] = exp(o[u] - m));
            for (int u = 0; u < L->n_out; u++)
                o[u] /= sum;
        } else if (i == n->n_layers - 1 && n->loss == LOSS_BCE) {
            for (int u = 0; u < L->n_out; u++)
                o[u] = 1 / (1 + exp(-o[u]));
        } else {
            for (int u = 0; u < L->n_out; u++)
                o[u] = act_d(L->act, o[u]);
        }
        w = L->n_out;
    }
    memcpy(out, buf[(upto + 1) % 2], (size_t)w * sizeof(double));
    return w;
}

/* The input at the centre of pixel (i, j) of a cols x rows grid over the cache's range, as a
 * learner reads the picture: x grows to the right, y upwards. */
static void pixel_input(const plane_cache *p, int i, int j, int cols, int rows, double *x)
{
    x[0] = p->x0 + (i + 0.5) * (p->x1 - p->x0) / cols;
    x[1] = p->y1 - (j + 0.5) * (p->y1 - p->y0) / rows;
}

/* Every pixel's class and confidence against the double forward pass. */
static void check_grid(const session *s)
{
    const plane_cache *p = s->plane;
    const net *n = &s->t.net;
    int K = net_out_width(n), checked = 0;
    for (int j = 0; j < p->ph; j++)
        for (int i = 0; i < p->pw; i++) {
            double x[2], pr[256];
            pixel_input(p, i, j, p->pw, p->ph, x);
            x[0] = (float)x[0], x[1] = (float)x[1]; /* the engine's inputs are floats */
            forward_d(n, x, n->n_layers - 1, pr);
            int best = 0;
            double conf;
            if (K == 1) {
                best = pr[0] > 0.5;
                conf = best ? pr[0] : 1 - pr[0];
            } else {
                for (int k = 1; k < K; k++)
                    best = pr[k] > pr[best] ? k : best;
                conf = pr[best];
            }
            size_t at = (size_t)j * p->pw + i;
            assert_true(fabs(p->conf[at] - conf) < 2e-5);
            double second = 0; /* skip a class decided by a rounding */
            for (int k = 0; k < K && K > 1; k++)
                second = k != best && pr[k] > second ? pr[k] : second;
            if ((K == 1 && fabs(pr[0] - 0.5) > 1e-5) || (K > 1 && conf - second > 1e-5)) {
                assert_int_equal(p->cls[at], best);
                checked++;
            }
        }
    assert_true(checked > p->pw * p->ph * 9 / 10);
}

/* Each tile's activations against the double forward pass up to the tiles' layer. */
static void check_tiles(const session *s)
{
    const plane_cache *p = s->plane;
    assert_true(p->tiles_layer >= 0 && p->n_tiles > 0);
    size_t ntp = (size_t)p->tw * p->th;
    float top = 0;
    for (int j = 0; j < p->th; j++)
        for (int i = 0; i < p->tw; i++) {
            double x[2], a[256];
            pixel_input(p, i, j, p->tw, p->th, x);
            x[0] = (float)x[0], x[1] = (float)x[1];
            int w = forward_d(&s->t.net, x, p->tiles_layer, a);
            assert_int_equal(w, p->n_units);
            for (int u = 0; u < w; u++) {
                assert_true(fabs(p->unit_a[(size_t)u * ntp + (size_t)j * p->tw + i] - a[u]) < 1e-5);
                top = fabsf((float)a[u]) > top ? fabsf((float)a[u]) : top;
            }
        }
    assert_true(fabsf(p->unit_scale - top) < 1e-5f);
}

/* Every row's mark against trainer_predict on that row, and the count of wrong ones. */
static void check_points(session *s)
{
    const plane_cache *p = s->plane;
    const split *sp = s->t.split;
    int n = sp->n_train + sp->n_val + sp->n_test;
    assert_int_equal(p->stride, (n + PLANE_MAX_POINTS - 1) / PLANE_MAX_POINTS);
    /* every stride-th row of each split */
    assert_int_equal(p->n_pts, (sp->n_train + p->stride - 1) / p->stride + (sp->n_val + p->stride - 1) / p->stride +
                                   (sp->n_test + p->stride - 1) / p->stride);
    int K = net_out_width(&s->t.net), wrong = 0;
    for (int k = 0; k < p->n_pts; k++) {
        const plane_point *q = &p->pts[k];
        float pr[64];
        trainer_predict(&s->t, &q->row, 1, pr);
        int c = 0;
        if (K == 1)
            c = s->t.net.loss == LOSS_BCE ? pr[0] > 0.5f : pr[0] >= 0.5f;
        else
            for (int j = 1; j < K; j++)
                c = pr[j] > pr[c] ? j : c;
        assert_int_equal(q->label, s->t.data->labels[q->row]);
        assert_int_equal(q->wrong, c != q->label);
        wrong += q->wrong;
        /* its pixel holds its normalised position */
        float x[2];
        dataset_gather(s->t.data, &q->row, 1, x, NULL);
        double fx = (x[0] - p->x0) / (p->x1 - p->x0) * p->pw, fy = (p->y1 - x[1]) / (p->y1 - p->y0) * p->ph;
        assert_true(fx > 0 && fx < p->pw && fy > 0 && fy < p->ph); /* the range holds every row */
        assert_int_equal(q->col, (int)floor(fx));
        assert_int_equal(q->prow, (int)floor(fy));
    }
    assert_int_equal(wrong, p->n_wrong);
}

/* A big 2-D set (20,000 rows): every 5th row of each split is predicted and drawn, so an update
 * stays cheap, and the legend says the count is of the rows drawn. */
static void test_big_data_draws_a_stride(void **state)
{
    (void)state;
    static const char *path = "build/tmp/test_plane_big.md";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# Big\n\n## Run\n\n```deepstep\ndata = moons samples=20000 noise=0.1\nvalidation = 0.2\n"
          "layer = dense 4 tanh\nlayer = dense 2 linear\nloss = cross_entropy\nbatch = 64\nepochs = 1\n```\n",
          f);
    fclose(f);
    app a;
    session *s = open_plane(&a, path, 1, 120, 40);
    app_key(&a, 'N');
    assert_non_null(s->plane);
    assert_int_equal(s->plane->stride, 5);
    assert_true(s->plane->n_pts <= PLANE_MAX_POINTS);
    check_points(s);
    frame fr;
    frame_init(&fr, 120, 40);
    view_draw(&a, &fr);
    char want[64];
    snprintf(want, sizeof want, "wrong now: %d of %d drawn", s->plane->n_wrong, s->plane->n_pts);
    assert_true(frame_contains(&fr, want));
    frame_free(&fr);
    app_free(&a);
}

static void test_eval_inputs_is_predict(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, SPIRAL, 1, 160, 48);
    for (int i = 0; i < 20; i++)
        session_step(s, STEP_BATCH);
    /* 700 rows: more than one chunk of the eval workspace */
    int n = 700, K = 3, *rows = calloc((size_t)n, sizeof(int));
    float *x = calloc((size_t)n * 2, sizeof(float)), *p1 = calloc((size_t)n * K, sizeof(float));
    float *p2 = calloc((size_t)n * K, sizeof(float)), *a0 = calloc((size_t)n * 64, sizeof(float));
    for (int i = 0; i < n; i++)
        rows[i] = (i * 7) % s->t.data->n;
    dataset_gather(s->t.data, rows, n, x, NULL);
    trainer_predict(&s->t, rows, n, p1);
    trainer_eval_inputs(&s->t, x, n, p2, 1, a0);
    assert_memory_equal(p1, p2, (size_t)n * K * sizeof(float));
    for (int r = 0; r < n; r += 37) {
        double xd[2] = {x[2 * r], x[2 * r + 1]}, h[64];
        forward_d(&s->t.net, xd, 1, h);
        for (int u = 0; u < 64; u++)
            assert_true(fabs(a0[(size_t)r * 64 + u] - h[u]) < 1e-5);
    }
    free(rows), free(x), free(p1), free(p2), free(a0);
    app_free(&a);
}

static void test_grid_tiles_points_xor(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, XOR, 2, 160, 48);
    for (int i = 0; i < 40; i++)
        session_step(s, STEP_EPOCH);
    app_sync(&a);
    rect r = data_rect(&a);
    const plane_cache *p = s->plane;
    assert_non_null(p);
    assert_true(p->valid && p->w == r.w && p->h == r.h);
    assert_true(p->bce && p->K == 2);
    assert_int_equal(p->tiles_layer, 0);
    assert_int_equal(p->n_tiles, 4); /* all four hidden units have a map */
    check_grid(s);
    check_tiles(s);
    check_points(s);
    /* the output layer selected: no tiles */
    s->layer = 1;
    app_sync(&a);
    assert_int_equal(s->plane->tiles_layer, -1);
    check_grid(s);
    app_free(&a);
}

static void test_grid_tiles_points_spiral(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, SPIRAL, 1, 120, 40);
    for (int i = 0; i < 30; i++)
        session_step(s, STEP_BATCH);
    app_sync(&a);
    const plane_cache *p = s->plane;
    assert_true(p->valid && !p->bce && p->K == 3);
    check_grid(s);
    check_tiles(s);
    check_points(s);
    assert_true(p->n_wrong > 0); /* 30 steps in: plenty of rows still wrong, so the marks are tested */
    assert_true(p->n_tiles < 64 && p->more_x >= 0);
    /* the second hidden layer's maps */
    s->layer = 1;
    app_sync(&a);
    check_tiles(s);
    app_free(&a);
}

/* Each label's value falls in the row (column) it is drawn on, once the normalisation is undone;
 * with zscore the labels are not the normalised values. */
static void test_axis_labels_original_units(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, moons_lesson(), 1, 120, 40);
    const dataset *ds = s->t.data;
    assert_true(fabsf(ds->scale[0] - 1) > 0.05f && fabsf(ds->shift[1]) > 0.05f);
    const plane_cache *p = s->plane;
    assert_true(p->n_y >= 2 && p->n_x >= 2);
    int P = p->ph / 2;
    for (int k = 0; k < p->n_y; k++) {
        assert_true(fabs(strtod(p->ylab[k], NULL) - p->yval[k]) <= 1e-9 * fmax(1, fabs(p->yval[k])));
        double yn = p->yval[k] * ds->scale[1] + ds->shift[1], row = (p->y1 - yn) / (p->y1 - p->y0) * P;
        assert_int_equal(p->py + (int)floor(row), p->yrow[k]);
        /* and the raw value read back from the data's own rows: within their range, padded */
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < ds->n; i++)
            lo = fmin(lo, ds->raw_f32[2 * i + 1]), hi = fmax(hi, ds->raw_f32[2 * i + 1]);
        assert_true(p->yval[k] > lo - 0.1 * (hi - lo) && p->yval[k] < hi + 0.1 * (hi - lo));
    }
    for (int k = 0; k < p->n_x; k++) {
        double xn = p->xval[k] * ds->scale[0] + ds->shift[0];
        assert_int_equal(p->px + (int)floor((xn - p->x0) / (p->x1 - p->x0) * p->pw), p->xtick[k]);
        assert_true(fabs(strtod(p->xlab[k], NULL) - p->xval[k]) <= 1e-9 * fmax(1, fabs(p->xval[k])));
    }
    /* on screen where the model says */
    frame f;
    frame_init(&f, a.cols, a.rows);
    view_draw(&a, &f);
    rect r = data_rect(&a);
    char row[2048];
    for (int k = 0; k < p->n_y; k++) {
        frame_row_text(&f, r.y + p->yrow[k], row, sizeof row);
        assert_non_null(strstr(row, p->ylab[k]));
    }
    frame_row_text(&f, r.y + p->xrow, row, sizeof row);
    for (int k = 0; k < p->n_x; k++)
        assert_non_null(strstr(row, p->xlab[k]));
    frame_free(&f);
    app_free(&a);
}

/* XOR's labels are its raw corners: 0, 0.5 and 1 on both axes. */
static void test_axis_labels_xor(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, XOR, 2, 120, 40);
    const plane_cache *p = s->plane;
    assert_int_equal(p->n_y, 3); /* from the bottom up */
    assert_string_equal(p->ylab[0], "0");
    assert_string_equal(p->ylab[1], "0.5");
    assert_string_equal(p->ylab[2], "1");
    assert_true(p->yrow[0] > p->yrow[1] && p->yrow[1] > p->yrow[2]);
    assert_int_equal(p->n_x, 3);
    assert_string_equal(p->xlab[0], "0");
    assert_string_equal(p->xlab[2], "1");
    app_free(&a);
}

/* A weight typed with x changes the plane as soon as Enter sets it, not at the next step: the
 * edit is when a learner looks (the prompt's keys did not reach app_sync). */
static void test_weight_edit_redraws_the_plane(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, XOR, 2, 120, 40);
    s->layer = 0, s->buf = BUF_W, s->row = 0, s->col = 0; /* the Data panel keeps the focus */
    long c0 = s->plane->computed;
    app_key(&a, 'x');
    assert_true(a.les->prompting);
    app_key(&a, K_CTRL_U);
    for (const char *p = "-3"; *p; p++)
        app_key(&a, *p);
    app_key(&a, K_ENTER);
    assert_true(s->t.net.layers[0].W[0] == -3.0f);
    assert_int_equal(s->plane->computed, c0 + 1);
    assert_true(s->plane->params[s->t.net.layers[0].param_off] == -3.0f);
    check_grid(s);
    app_free(&a);
}

/* Recomputed exactly when the prediction can have changed; stepping back restores the picture. */
static void test_cache_follows_the_net(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, XOR, 2, 120, 40);
    rect r = data_rect(&a);
    long c0 = s->plane->computed;
    assert_true(c0 >= 1);
    plane_update(s, r.w, r.h);
    assert_int_equal(s->plane->computed, c0); /* nothing changed */
    for (int i = 0; i < 3; i++) /* load batch, forward 0, forward 1: no parameter changes */
        session_step(s, STEP_MICRO);
    plane_update(s, r.w, r.h);
    assert_int_equal(s->plane->computed, c0);
    size_t npx = (size_t)s->plane->pw * s->plane->ph;
    float *before = malloc(npx * sizeof(float));
    memcpy(before, s->plane->conf, npx * sizeof(float));
    while (s->last.phase != PHASE_UPDATE) /* to the first update */
        session_step(s, STEP_MICRO);
    plane_update(s, r.w, r.h);
    assert_int_equal(s->plane->computed, c0 + 1);
    assert_memory_not_equal(before, s->plane->conf, npx * sizeof(float));
    assert_true(session_back(s));
    plane_update(s, r.w, r.h);
    assert_int_equal(s->plane->computed, c0 + 2);
    assert_memory_equal(before, s->plane->conf, npx * sizeof(float));
    session_set_param(s, 0, 3.0f); /* the learner's edit */
    plane_update(s, r.w, r.h);
    assert_int_equal(s->plane->computed, c0 + 3);
    s->layer = 1; /* another layer */
    plane_update(s, r.w, r.h);
    assert_int_equal(s->plane->computed, c0 + 4);
    plane_update(s, r.w - 2, r.h); /* another size */
    assert_int_equal(s->plane->computed, c0 + 5);
    free(before);
    app_free(&a);
}

/* ---- frames ------------------------------------------------------------------------- */

static bool is_wrong_glyph(uint32_t ch, bool ascii) { return ch == (ascii ? 'X' : 0x2716); }

/* The Data panel drawn in one mode: the title, the plot's marks where the model has wrong rows
 * and nowhere else, nothing cut, painted only in colour, ASCII only under LANG=C. */
static void check_frame(app *a, session *s, bool colour, bool ascii)
{
    a->colour = colour, a->ascii = ascii;
    frame f;
    frame_init(&f, a->cols, a->rows);
    view_draw(a, &f);
    rect r = data_rect(a);
    const plane_cache *p = s->plane;
    char row[4096];
    frame_row_text(&f, r.y, row, sizeof row);
    assert_non_null(strstr(row, "Data: "));
    for (int y = r.y; y < r.y + r.h; y++) {
        frame_row_text(&f, y, row, sizeof row);
        assert_null(strstr(row, "\xE2\x80\xA6")); /* no ellipsis: nothing was cut */
        for (int x = r.x; x < r.x + r.w; x++) {
            const cell *c = &f.cells[(size_t)y * f.w + x];
            if (ascii && y > r.y && c->ch >= 128) /* the title's rule is term.c's to translate */
                fail_msg("non-ASCII U+%04X at %d,%d", (unsigned)c->ch, x - r.x, y - r.y);
            if (!colour)
                assert_false(role_is_paint(c->role));
        }
    }
    /* the marks: a cell of the plot shows one exactly when a wrong row falls in it */
    for (int cy = 0; cy < p->ph / 2; cy++)
        for (int cx = 0; cx < p->pw; cx++) {
            bool want = false;
            for (int k = 0; k < p->n_pts; k++)
                want |= p->pts[k].wrong && p->pts[k].col == cx && p->pts[k].prow / 2 == cy;
            const cell *c = &f.cells[(size_t)(r.y + p->py + cy) * f.w + r.x + p->px + cx];
            assert_int_equal(is_wrong_glyph(c->ch, ascii), want);
            if (colour && !ascii && !want && c->ch == 0x2580) /* a picture cell: two pixels */
                assert_true(role_is_paint(c->role));
        }
    char legend[64];
    snprintf(legend, sizeof legend, "wrong now: %d", p->n_wrong);
    frame_row_text(&f, r.y + p->legend_row, row, sizeof row);
    assert_non_null(strstr(row, legend));
    for (int k = 0; k < p->n_tiles; k++) {
        char lab[16];
        snprintf(lab, sizeof lab, "u%d", p->tiles[k].unit);
        frame_row_text(&f, r.y + p->tiles[k].y - 1, row, sizeof row);
        assert_non_null(strstr(row, lab));
    }
    if (p->more_x >= 0) {
        char more[16];
        snprintf(more, sizeof more, "+%d", p->n_units - p->n_tiles);
        assert_true(frame_contains(&f, more));
    }
    frame_free(&f);
}

static void frames_at(const char *path, int pages, int steps, int w, int h)
{
    app a;
    session *s = open_plane(&a, path, pages, w, h);
    for (int i = 0; i < steps; i++)
        session_step(s, STEP_BATCH);
    for (int li = 0; li < s->t.net.n_layers; li++) {
        s->layer = li;
        app_sync(&a);
        assert_true(s->plane->valid);
        if (li < s->t.net.n_layers - 1)
            assert_true(s->plane->n_tiles > 0);
        check_frame(&a, s, true, false);
        check_frame(&a, s, false, false);
        check_frame(&a, s, false, true);
        check_frame(&a, s, true, true);
    }
    app_free(&a);
}

static void test_frames_xor(void **state)
{
    (void)state;
    frames_at(XOR, 2, 0, 80, 24); /* untrained: some rows wrong */
    frames_at(XOR, 2, 300, 80, 24);
    frames_at(XOR, 2, 0, 120, 40);
    frames_at(XOR, 2, 0, 160, 48);
}

static void test_frames_spiral(void **state)
{
    (void)state;
    frames_at(SPIRAL, 1, 10, 80, 24);
    frames_at(SPIRAL, 1, 10, 120, 40);
    frames_at(SPIRAL, 1, 10, 160, 48);
    frames_at(moons_lesson(), 1, 10, 80, 24);
}

/* Trained XOR: both classes' regions on the picture, no row wrong, no mark drawn. */
static void test_xor_trained_regions(void **state)
{
    (void)state;
    app a;
    session *s = open_plane(&a, XOR, 2, 80, 24);
    for (int i = 0; i < 1000 && !trainer_done(&s->t); i++)
        session_step(s, STEP_EPOCH);
    app_sync(&a);
    const plane_cache *p = s->plane;
    assert_int_equal(p->n_wrong, 0);
    int count[2] = {0, 0};
    for (int i = 0; i < p->pw * p->ph; i++)
        count[p->cls[i]]++;
    assert_true(count[0] > p->pw * p->ph / 5 && count[1] > p->pw * p->ph / 5);
    check_frame(&a, s, true, false);
    check_frame(&a, s, false, false);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_inputs_is_predict),
        cmocka_unit_test(test_big_data_draws_a_stride),
        cmocka_unit_test(test_weight_edit_redraws_the_plane),
        cmocka_unit_test(test_grid_tiles_points_xor),
        cmocka_unit_test(test_grid_tiles_points_spiral),
        cmocka_unit_test(test_axis_labels_original_units),
        cmocka_unit_test(test_axis_labels_xor),
        cmocka_unit_test(test_cache_follows_the_net),
        cmocka_unit_test(test_frames_xor),
        cmocka_unit_test(test_frames_spiral),
        cmocka_unit_test(test_xor_trained_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
