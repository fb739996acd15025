/* The computation trace (t): after real steps, every number a node shows is the engine's
 * buffer entry (==), every sum of shown terms adds up (recomputed here in double from the
 * engine's arrays), its keys open, close and move, it refuses what it cannot trace with a
 * message, and its box is drawn uncut at 80x24, 120x40 and 160x48, in UTF-8 and ASCII. */
#include "test_common.h"
#include "test_app.h"
#include "ui/keys.h"
#include "ui/trace.h"
#include "ui/view.h"

/* A net with every layer kind the trace names, a batch larger than the terms a sum shows
 * (so "+ N more terms" appears), softmax + cross-entropy. */
static const char *const fixture_mix =
    "# Trace fixture\n\n```deepstep\nname = mix\ndata = moons samples=64 noise=0.1\nbatch = 16\n"
    "layer = dense 12 relu init=he\nlayer = residual begin\nlayer = dense 12 tanh init=xavier\n"
    "layer = residual end\nlayer = dropout 0.25\nlayer = dense 2 linear init=xavier\n"
    "loss = cross_entropy\noptimizer = sgd lr=0.1\nepochs = 1\nseed = 7\n```\n";
/* mse on an unfused softmax, layernorm and batchnorm, in bf16 with a loss scale and clipping. */
static const char *const fixture_low =
    "# Trace fixture, low precision\n\n```deepstep\nname = low\ndata = moons samples=48 noise=0.1\nbatch = 12\n"
    "layer = dense 10 sigmoid init=xavier\nlayer = layernorm leaky_relu\nlayer = batchnorm tanh\n"
    "layer = dense 2 softmax init=xavier\nloss = mse\noptimizer = sgd lr=0.1\nclip = norm 0.001\n"
    "precision = bf16\nloss_scale = 256\nepochs = 1\nseed = 3\n```\n";

static void write_fixture(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void micro(app *a, int n)
{
    for (int i = 0; i < n; i++)
        session_step(app_run(a), STEP_MICRO);
}

static void select_value(app *a, int l, inspect_buffer b, int row, int col)
{
    session *s = app_run(a);
    s->layer = l, s->buf = b, s->row = row, s->col = col;
    session_clamp_selection(s);
}

/* The buffer entry a node names, read here from the net's own arrays; W and b as the passes
 * used them: the layers below `upd` have been updated, so theirs are in W_prev. */
static double expected(const trainer *t, const trace_node *nd, int upd)
{
    const net *n = &t->net;
    const workspace *ws = &n->train;
    int l = nd->layer, r = nd->row, k = nd->col;
    if (nd->what == TW_X)
        return ws->x[(size_t)r * n->n_in + k];
    const layer *L = &n->layers[l];
    size_t at = (size_t)r * L->n_out + k, wat = L->kind == LAYER_DENSE ? (size_t)r * L->n_in + k : (size_t)k;
    switch (nd->what) {
    case TW_Z: return ws->z[l][at];
    case TW_A: return ws->a[l][at];
    case TW_DA: return ws->da[l][at];
    case TW_DZ: return ws->dz[l][at];
    case TW_XHAT: return ws->aux[l][at];
    case TW_DW: return L->dW[wat];
    case TW_DB: return L->db[k];
    case TW_W: return (l < upd ? L->W_prev : L->W)[wat];
    case TW_B: return (l < upd ? L->b_prev : L->b)[k];
    default: fail_msg("not a buffer node"); return NAN;
    }
}

static bool is_buffer(trace_what w) { return w <= TW_B; }

/* The sum a dense layer's rule makes, from the engine's arrays: NAN when not one of these. */
static double recompute(const trainer *t, const trace_node *nd, int upd)
{
    const net *n = &t->net;
    const workspace *ws = &n->train;
    int l = nd->layer, r = nd->row, k = nd->col, B = ws->rows;
    const layer *L = &n->layers[l];
    const float *x = l == 0 ? ws->x : ws->a[l - 1];
    double s = 0;
    if (L->kind == LAYER_DENSE && nd->what == TW_DW) {
        for (int q = 0; q < B; q++)
            s += (double)ws->dz[l][(size_t)q * L->n_out + r] * x[(size_t)q * L->n_in + k];
        return s;
    }
    if (nd->what == TW_DB) {
        for (int q = 0; q < B; q++)
            s += ws->dz[l][(size_t)q * L->n_out + k];
        return s;
    }
    if (L->kind == LAYER_DENSE && nd->what == TW_Z) {
        const float *W = l < upd ? L->W_prev : L->W, *b = l < upd ? L->b_prev : L->b;
        s = b[k];
        for (int j = 0; j < L->n_in; j++)
            s += (double)W[(size_t)k * L->n_in + j] * x[(size_t)r * L->n_in + j];
        return s;
    }
    if (nd->what == TW_DA && l + 1 < n->n_layers && n->layers[l + 1].kind == LAYER_DENSE) {
        const layer *M = &n->layers[l + 1];
        const float *W = l + 1 < upd ? M->W_prev : M->W;
        for (int q = 0; q < M->n_out; q++)
            s += (double)ws->dz[l + 1][(size_t)r * M->n_out + q] * W[(size_t)q * M->n_in + k];
        for (int q = l + 2; q < n->n_layers; q++)
            if (n->layers[q].kind == LAYER_RESIDUAL_END && n->layers[q].partner == l)
                s += ws->dz[q][(size_t)r * L->n_out + k];
        return s;
    }
    if (nd->what == TW_A && L->act == ACT_TANH)
        return tanh(ws->z[l][(size_t)r * L->n_out + k]);
    return NAN;
}

/* Open every node, breadth first, until the tree has `most` nodes. */
static void expand_all(app *a, int most)
{
    trace_state *t = a->les->trace;
    for (int i = 0; i < t->n && t->n < most; i++)
        if (t->nodes[i].expandable && !t->nodes[i].built)
            trace_expand(a, i);
}

/* Every node against the engine; returns how many sums were checked. `tol` is the relative
 * error a sum may have against the buffer: fp32 adds in its own order, bf16 rounds. */
static int check_all(app *a, int upd, double tol, int *kinds)
{
    const trainer *tr = &app_run(a)->t;
    const trace_state *t = a->les->trace;
    int sums = 0;
    for (int i = 0; i < t->n; i++) {
        const trace_node *nd = &t->nodes[i];
        if (is_buffer(nd->what)) {
            assert_true(nd->value == expected(tr, nd, upd)); /* exactly the buffer's */
            kinds[nd->what]++;
            char v[32];
            snprintf(v, sizeof v, "= %.7g", nd->value == 0 ? 0.0 : nd->value);
            assert_non_null(strstr(nd->text, v)); /* and shown as it is */
        }
        if (nd->what == TW_TERM && nd->built) { /* the product of its factors, shown */
            double p = 1;
            for (int c = 0; c < nd->n_kids; c++)
                p *= t->nodes[nd->first + c].value;
            assert_true(p == nd->value);
        }
        if (nd->what != TW_SUM)
            continue;
        const trace_node *parent = &t->nodes[nd->parent];
        double shown = 0, mag = 0;
        bool is_sum = false;
        for (int c = 0; c < parent->n_kids; c++) {
            const trace_node *sib = &t->nodes[parent->first + c];
            if (sib->what == TW_TERM || sib->what == TW_REST || sib->what == TW_B)
                shown += sib->value, mag += fabs(sib->value), is_sum = true;
        }
        if (is_sum && fabs(shown - nd->sum) > 1e-12 * (mag + 1e-30)) /* the shown terms and the rest add up */
            fail_msg("%s: shown terms add to %.17g, the sum says %.17g (%s)", nd->text, shown, nd->sum, parent->text);
        double own = recompute(tr, parent, upd);
        if (!isnan(own)) {
            assert_true(fabs(own - nd->sum) <= 1e-12 * (fabs(own) + mag + 1e-30));
            sums++;
        }
        double buf = parent->value, scale = fabs(buf) + mag;
        if (fabs(nd->value - buf) > tol * scale + 1e-30)
            fail_msg("%s: %.9g vs the buffer's %.9g (parent %s)", nd->text, nd->value, buf, parent->text);
    }
    return sums;
}

static const char *message_of(app *a) { return a->message; }

static void test_dw_on_xor_equals_the_engine(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/00-welcome.md", 80, 24);
    micro(&a, 6); /* load, forward 0 and 1, loss, backward 1 and 0 */
    select_value(&a, 0, BUF_DW, 1, 1);
    app_key(&a, 't');
    trace_state *t = a.les->trace;
    assert_non_null(t);
    const layer *L0 = &app_run(&a)->t.net.layers[0];
    assert_true(t->nodes[0].value == L0->dW[1 * 2 + 1]);
    assert_int_equal(t->nodes[0].what, TW_DW);
    assert_true(t->nodes[0].open);
    assert_int_equal(t->nodes[0].n_kids, 4 + 1); /* the batch's 4 rows, then their sum */
    expand_all(&a, 3000);
    int kinds[TW_NOTE + 1] = {0};
    int sums = check_all(&a, 0, 2e-6, kinds);
    assert_true(sums >= 10);
    for (int w = TW_X; w <= TW_B; w++) /* the chain reaches the loss and back to the input */
        if (w != TW_XHAT && w != TW_DB && kinds[w] == 0)
            fail_msg("no node of kind %d", w);
    /* the output's dL/dz from the loss: (p - y)/n, as bce computes it */
    int k = trace_find(t, TW_DZ, 1, 0, 0);
    assert_true(k >= 0);
    assert_non_null(strstr(t->nodes[k].text, "(p - y)/n from the loss"));
    app_free(&a);
}

/* The header names the batch the buffers hold, as the narration does: once a batch has ended,
 * the stepper's cursor already points at the next one (it said "batch 4" after step 3), and
 * after an epoch's end at the next epoch. */
static void test_header_names_the_batch_shown(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/10-learning-rate-decay.md", 120, 40);
    app_key(&a, K_PGDN);
    session *s = app_run(&a);
    for (int i = 0; i < 3; i++)
        app_key(&a, 'N');
    assert_int_equal(s->t.state.step, 3);
    select_value(&a, 0, BUF_DW, 0, 0);
    app_key(&a, 't');
    assert_non_null(a.les->trace);
    assert_non_null(strstr(a.les->trace->header, "epoch 1, batch 3 ("));
    app_key(&a, K_ESC);
    app_key(&a, 'e'); /* to the end of epoch 1 */
    assert_int_equal(s->t.state.epoch, 1);
    app_key(&a, 't');
    assert_non_null(a.les->trace);
    char want[40];
    snprintf(want, sizeof want, "epoch 1, batch %d (", s->t.batches_per_epoch);
    assert_non_null(strstr(a.les->trace->header, want));
    app_free(&a);
}

static void test_after_the_update_the_passes_weights(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/00-welcome.md", 120, 40);
    micro(&a, 9); /* ... and both updates: W has moved, z was computed with W_prev */
    select_value(&a, 1, BUF_Z, 2, 0);
    app_key(&a, 't');
    trace_state *t = a.les->trace;
    assert_non_null(t);
    const layer *L1 = &app_run(&a)->t.net.layers[1];
    for (int i = 0; i < t->n; i++)
        if (t->nodes[i].what == TW_TERM)
            trace_expand(&a, i); /* every term's factors: W[0][j] among them */
    int w = trace_find(t, TW_W, 1, 0, 3);
    assert_true(w >= 0);
    assert_true(L1->W[3] != L1->W_prev[3]);
    assert_true(t->nodes[w].value == L1->W_prev[3]);
    int kinds[TW_NOTE + 1] = {0};
    assert_true(check_all(&a, 2, 2e-6, kinds) >= 1);
    app_free(&a);
}

static void trace_every_buffer(const char *path, int steps, int upd, double tol, int *kinds, int *rests)
{
    app a;
    open_at(&a, path, 160, 48);
    micro(&a, steps);
    const net *n = &app_run(&a)->t.net;
    static const inspect_buffer bufs[] = {BUF_INPUT, BUF_Z, BUF_A, BUF_DA, BUF_DZ, BUF_DW, BUF_DB};
    for (int l = 0; l < n->n_layers; l++)
        for (size_t b = 0; b < sizeof bufs / sizeof *bufs; b++) {
            int rows, cols;
            select_value(&a, l, bufs[b], 3, 1);
            if (!session_buffer(app_run(&a), bufs[b], &rows, &cols))
                continue;
            app_key(&a, 't');
            assert_non_null(a.les->trace);
            expand_all(&a, 600);
            check_all(&a, upd, tol, kinds);
            for (int i = 0; i < a.les->trace->n; i++)
                *rests += a.les->trace->nodes[i].what == TW_REST;
            app_key(&a, K_ESC);
            assert_null(a.les->trace);
        }
    app_free(&a);
}

static void test_every_buffer_of_every_layer_kind(void **state)
{
    (void)state;
    write_fixture("build/tmp/trace_mix.md", fixture_mix);
    int kinds[TW_NOTE + 1] = {0}, rests = 0;
    /* 6 layers: load, 6 forward, loss, 6 backward, then 3 updates (W_prev for layers 0..2) */
    trace_every_buffer("build/tmp/trace_mix.md", 1 + 6 + 1 + 6 + 3, 3, 2e-6, kinds, &rests);
    for (int w = TW_X; w <= TW_B; w++)
        assert_true(kinds[w] > 0); /* dropout's mask is the XHAT here */
    assert_true(rests > 0);        /* 16 rows and 12 units: "+ N more terms" */
}

static void test_bf16_loss_scale_and_clipping(void **state)
{
    (void)state;
    write_fixture("build/tmp/trace_low.md", fixture_low);
    int kinds[TW_NOTE + 1] = {0}, rests = 0;
    /* 4 layers: load, 4 forward, loss, 4 backward, clip, 1 update */
    trace_every_buffer("build/tmp/trace_low.md", 1 + 4 + 1 + 4 + 1 + 1, 1, 1e-2, kinds, &rests);
    assert_true(kinds[TW_XHAT] > 0 && kinds[TW_DW] > 0 && kinds[TW_DA] > 0);
    app a;
    open_at(&a, "build/tmp/trace_low.md", 160, 48);
    micro(&a, 11);
    select_value(&a, 3, BUF_DW, 1, 2);
    app_key(&a, 't');
    const trace_state *t = a.les->trace;
    const trace_node *sum = &t->nodes[t->nodes[0].first + t->nodes[0].n_kids - 1];
    assert_int_equal(sum->what, TW_SUM);
    assert_non_null(strstr(sum->text, "rounds to bf16"));
    assert_non_null(strstr(sum->text, "(the loss scale)"));
    assert_non_null(strstr(sum->text, "(clipping)"));
    assert_true(sum->value == t->nodes[0].value); /* rounded, unscaled and clipped as the engine did */
    app_key(&a, K_ESC);
    /* layernorm's input gradient comes from the batchnorm's backward: named, not expanded */
    select_value(&a, 1, BUF_DA, 0, 0);
    app_key(&a, 't');
    assert_non_null(strstr(a.les->trace->nodes[0].text, "the trace stops here"));
    assert_false(a.les->trace->nodes[0].expandable);
    app_free(&a);
}

static void test_messages_when_not_traceable(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/00-welcome.md", 80, 24);
    select_value(&a, 0, BUF_A, 0, 0);
    app_key(&a, 't');
    assert_null(a.les->trace);
    assert_non_null(strstr(message_of(&a), "no batch loaded yet"));
    micro(&a, 2); /* load, forward 0 */
    select_value(&a, 1, BUF_Z, 0, 0);
    app_key(&a, 't');
    assert_null(a.les->trace);
    assert_non_null(strstr(message_of(&a), "forward pass of layer 1"));
    select_value(&a, 0, BUF_DW, 0, 0);
    app_key(&a, 't');
    assert_null(a.les->trace);
    assert_non_null(strstr(message_of(&a), "backward pass of layer 0"));
    select_value(&a, 0, BUF_W, 0, 0);
    app_key(&a, 't');
    assert_null(a.les->trace);
    assert_non_null(strstr(message_of(&a), "set by the initialisation and the updates"));
    micro(&a, 2); /* forward 1, loss: the output's dL/da is there, layer 0's not yet */
    select_value(&a, 1, BUF_DA, 0, 0);
    app_key(&a, 't');
    assert_non_null(a.les->trace);
    app_key(&a, 't');
    assert_null(a.les->trace);
    select_value(&a, 0, BUF_DA, 0, 0);
    app_key(&a, 't');
    assert_null(a.les->trace);
    assert_non_null(strstr(message_of(&a), "backward pass of the layer above"));
    app_free(&a);
}

static void test_keys_open_close_and_move(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/00-welcome.md", 80, 24);
    micro(&a, 6);
    select_value(&a, 0, BUF_DW, 0, 0);
    app_run(&a)->running = true;
    app_key(&a, 't');
    trace_state *t = a.les->trace;
    assert_false(app_run(&a)->running); /* the numbers stay still while read */
    assert_int_equal(t->sel, 0);
    app_key(&a, K_DOWN);
    int term = t->sel;
    assert_int_equal(t->nodes[term].what, TW_TERM);
    assert_false(t->nodes[term].open);
    app_key(&a, K_RIGHT); /* opens the term: its two factors */
    assert_true(t->nodes[term].open);
    assert_int_equal(t->nodes[term].n_kids, 2);
    app_key(&a, K_RIGHT); /* to its first child */
    assert_int_equal(t->sel, t->nodes[term].first);
    assert_int_equal(t->nodes[t->sel].what, TW_DZ);
    app_key(&a, K_ENTER); /* opens dL/dz: dL/da, a and the product */
    assert_true(t->nodes[t->sel].open);
    app_key(&a, K_ENTER); /* and closes it */
    assert_false(t->nodes[t->sel].open);
    app_key(&a, K_LEFT); /* closed: to the parent */
    assert_int_equal(t->sel, term);
    app_key(&a, K_LEFT); /* open: closes */
    assert_false(t->nodes[term].open);
    app_key(&a, K_END);
    assert_int_equal(t->nodes[t->sel].what, TW_SUM);
    app_key(&a, K_HOME);
    assert_int_equal(t->sel, 0);
    app_key(&a, 'n'); /* the trace takes every key: no step */
    assert_int_equal(app_run(&a)->t.state.micro, 6);
    app_key(&a, K_ESC);
    assert_null(a.les->trace);
    app_key(&a, 't');
    assert_non_null(a.les->trace);
    app_key(&a, 'q');
    assert_null(a.les->trace);
    assert_true(a.quit);
    app_free(&a);
}

/* Every row of the layout in view is on screen whole, inside the box. */
static void assert_frame_uncut(const app *a, const frame *f)
{
    const trace_state *t = a->les->trace;
    rect b = trace_box(f->w, f->h);
    trace_row *rows;
    int n = trace_layout(t, b.w, &rows), room = trace_room(b.h);
    int top = t->top > n - room ? n - room : t->top;
    top = top < 0 ? 0 : top;
    char line[1024], piece[TRACE_TEXT];
    for (int i = 0; i < room && top + i < n; i++) {
        const trace_row *r = &rows[top + i];
        snprintf(piece, sizeof piece, "%.*s", r->len, t->nodes[r->node].text + r->start);
        frame_row_text(f, b.y + 3 + i, line, sizeof line);
        if (!strstr(line, piece))
            fail_msg("row %d cut: '%s' not in '%s'", i, piece, line);
    }
    for (int y = b.y; y < b.y + b.h; y++) /* the right border stands on every row */
        assert_true(f->cells[(size_t)y * f->w + b.x + b.w - 1].ch == (a->ascii ? (y == b.y || y == b.y + b.h - 1 ? '+' : '|')
                                                                                : (y == b.y ? 0x2510u : y == b.y + b.h - 1 ? 0x2518u : 0x2502u)));
    free(rows);
}

static void test_frames_fit_every_size(void **state)
{
    (void)state;
    static const int sizes[][2] = {{80, 24}, {120, 40}, {160, 48}};
    for (int s = 0; s < 3; s++)
        for (int ascii = 0; ascii < 2; ascii++) {
            app a;
            open_at(&a, "lessons/00-welcome.md", sizes[s][0], sizes[s][1]);
            a.ascii = ascii;
            micro(&a, 6);
            select_value(&a, 0, BUF_DW, 0, 0);
            app_key(&a, 't');
            expand_all(&a, 60); /* the tree outgrows 80x24 */
            app_key(&a, K_END);   /* the last row in view: scrolled */
            frame f;
            frame_init(&f, sizes[s][0], sizes[s][1]);
            view_draw(&a, &f);
            assert_true(frame_contains(&f, "Where L0 dL/dW[0][0] came from"));
            assert_true(frame_contains(&f, ascii ? "Esc/t close" : "\xE2\x86\x91\xE2\x86\x93 move"));
            char root[64];
            snprintf(root, sizeof root, "L0 dL/dW[0][0] = %.7g", (double)app_run(&a)->t.net.layers[0].dW[0]);
            assert_frame_uncut(&a, &f);
            rect bx = trace_box(f.w, f.h);
            if (ascii) /* the box in ASCII (the screen behind is the lesson's own business) */
                for (int y = bx.y; y < bx.y + bx.h; y++)
                    for (int x = bx.x; x < bx.x + bx.w; x++)
                        if (f.cells[(size_t)y * f.w + x].ch >= 0x80 || f.marks[(size_t)y * f.w + x][0])
                            fail_msg("not ASCII at %d,%d: U+%04X", x, y, f.cells[(size_t)y * f.w + x].ch);
            trace_row *rows;
            int n = trace_layout(a.les->trace, trace_box(f.w, f.h).w, &rows);
            free(rows);
            if (n > trace_room(trace_box(f.w, f.h).h)) { /* longer than the box: it says so */
                assert_true(frame_contains(&f, "rows above"));
                assert_false(frame_contains(&f, root));
                app_key(&a, K_HOME);
                view_draw(&a, &f);
                assert_frame_uncut(&a, &f);
                assert_true(frame_contains(&f, root));
                assert_true(frame_contains(&f, "more rows below"));
                assert_false(frame_contains(&f, "rows above"));
            } else
                assert_true(frame_contains(&f, root));
            if (sizes[s][0] == 80)
                assert_true(n > trace_room(trace_box(f.w, f.h).h)); /* the scrolling case is tested */
            frame_free(&f);
            app_free(&a);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dw_on_xor_equals_the_engine),
        cmocka_unit_test(test_after_the_update_the_passes_weights),
        cmocka_unit_test(test_every_buffer_of_every_layer_kind),
        cmocka_unit_test(test_bf16_loss_scale_and_clipping),
        cmocka_unit_test(test_messages_when_not_traceable),
        cmocka_unit_test(test_keys_open_close_and_move),
        cmocka_unit_test(test_frames_fit_every_size),
        cmocka_unit_test(test_header_names_the_batch_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
