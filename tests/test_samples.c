/* The Data panel's image views (samples.c, view_sample.c) on lesson 12's digits: the
 * confusion matrix and worst examples against trainer_predict on the same validation rows,
 * the sample's probabilities against the output layer, the weight picture against W, a step
 * back keeping the last finished epoch's matrix, whole pictures, and the views drawn whole at three sizes with and without colour. */
#include <ctype.h>

#include "test_common.h"
#include "test_app.h"
#include "test_samples.h"
#include "engine/act.h"
#include "ui/insight.h"
#include "ui/palette.h"
#include "ui/samples.h"
#include "ui/view.h"


/* Class by the largest probability (the first of equal ones). */
static int argmax(const float *p, int K)
{
    int best = 0;
    for (int k = 1; k < K; k++)
        if (p[k] > p[best])
            best = k;
    return best;
}

/* The matrix and worst examples, recomputed here from trainer_predict on the validation rows. */
static void check_against_predict(session *s)
{
    confusion cm;
    samples_update(s);
    assert_true(samples_confusion(s, &cm));
    trainer *t = &s->t;
    const split *sp = t->split;
    int K = t->net.layers[t->net.n_layers - 1].n_out, C = cm.classes;
    assert_int_equal(C, 10);
    float *probs = calloc((size_t)sp->n_val * K, sizeof(float));
    trainer_predict(t, sp->val, sp->n_val, probs);
    long want[10][10] = {{0}}, sum = 0, diag = 0, wrong = 0;
    for (int r = 0; r < sp->n_val; r++)
        want[t->data->labels[sp->val[r]]][argmax(probs + (size_t)r * K, K)]++;
    for (int i = 0; i < C; i++)
        for (int j = 0; j < C; j++) {
            assert_int_equal(cm.counts[i * C + j], want[i][j]);
            sum += want[i][j];
            diag += i == j ? want[i][j] : 0;
            wrong += i != j ? want[i][j] : 0;
        }
    assert_int_equal(sum, sp->n_val);
    assert_int_equal(cm.n, sp->n_val);
    assert_int_equal(cm.correct, diag);
    /* the diagonal is the accuracy the epoch printed, to the row */
    const epoch_metrics *em = &s->epochs[s->n_epochs - 1];
    assert_int_equal(cm.epoch, em->epoch);
    assert_int_equal(diag, lround(em->val_acc * sp->n_val));
    assert_float_equal(cm.val_acc, em->val_acc, 0);
    /* worst examples: every wrong row once, most confident first, with its probabilities */
    assert_int_equal(cm.n_worst, wrong);
    assert_true(wrong > 0);
    for (int k = 0; k < cm.n_worst; k++) {
        const worst_example *e = &cm.worst[k];
        int r = 0;
        while (sp->val[r] != e->row)
            r++;
        const float *p = probs + (size_t)r * K;
        assert_int_equal(e->truth, t->data->labels[e->row]);
        assert_int_equal(e->pred, argmax(p, K));
        assert_true(e->pred != e->truth);
        assert_float_equal(e->p_pred, p[e->pred], 0);
        assert_float_equal(e->p_truth, p[e->truth], 0);
        if (k)
            assert_true(cm.worst[k - 1].p_pred >= e->p_pred);
    }
    free(probs);
}

static void test_confusion_equals_trainer_predict(void **state)
{
    (void)state;
    app a;
    session *s = open_digits(&a, 80, 24, DV_CONFUSION);
    confusion cm;
    assert_false(samples_confusion(s, &cm));
    assert_int_equal(samples_count(s, DV_CONFUSION), 0);
    app_key(&a, 'e');
    check_against_predict(s);
    assert_int_equal(samples_count(s, DV_CONFUSION), 10);
    assert_true(samples_count(s, DV_WORST) > 0);
    app_key(&a, 'e');
    app_key(&a, 'e');
    check_against_predict(s); /* epoch 3's, not a stale one */
    assert_true(samples_confusion(s, &cm));
    assert_int_equal(cm.epoch, 3);
    app_free(&a);
}

/* The Data panel's text, rows of its rectangle joined. */

/* A step back across an epoch's end shows the matrix of the last epoch that ended before
 * that point (the same screen as going forwards to it), never one from the future; stepping
 * forward again takes the later one again, equal. */
static void test_step_back_keeps_finished_epochs(void **state)
{
    (void)state;
    app a;
    session *s = open_digits(&a, 120, 40, DV_CONFUSION);
    app_key(&a, 'e');
    confusion cm;
    assert_true(samples_confusion(s, &cm));
    long first[100], second[100];
    memcpy(first, cm.counts, sizeof first);
    int first_worst = cm.n_worst;
    app_key(&a, 'e');
    samples_update(s);
    assert_true(samples_confusion(s, &cm));
    assert_int_equal(cm.epoch, 2);
    memcpy(second, cm.counts, sizeof second);
    assert_true(memcmp(first, second, sizeof first) != 0);
    app_key(&a, 'b'); /* undoes epoch 2's end */
    samples_update(s);
    assert_int_equal(s->n_epochs, 1);
    assert_true(samples_confusion(s, &cm));
    assert_int_equal(cm.epoch, 1);
    assert_memory_equal(cm.counts, first, sizeof first);
    assert_int_equal(cm.n_worst, first_worst);
    assert_int_equal(samples_count(s, DV_CONFUSION), 10);
    frame f, g;
    frame_init(&f, 120, 40);
    frame_init(&g, 120, 40);
    view_draw(&a, &f);
    static char back[65536], fwd[65536];
    panel_text(&a, &f, back, sizeof back);
    assert_non_null(strstr(back, "Data: confusion matrix, epoch 1"));
    assert_non_null(strstr(back, "/359 right"));
    /* the same point reached forwards, in a fresh run: the same panel */
    app b;
    session *t = open_digits(&b, 120, 40, DV_CONFUSION);
    while (t->t.state.micro < s->t.state.micro)
        session_step(t, STEP_MICRO);
    view_draw(&b, &g);
    panel_text(&b, &g, fwd, sizeof fwd);
    assert_string_equal(back, fwd);
    /* the worst examples too */
    a.les->data_view++, b.les->data_view++;
    assert_int_equal(data_view_current(&a, s), DV_WORST);
    frame_clear(&f), frame_clear(&g);
    view_draw(&a, &f), view_draw(&b, &g);
    panel_text(&a, &f, back, sizeof back), panel_text(&b, &g, fwd, sizeof fwd);
    assert_non_null(strstr(back, "(epoch 1)"));
    assert_string_equal(back, fwd);
    app_free(&b);
    session_step(s, STEP_MICRO); /* epoch 2's end again: its matrix, equal */
    samples_update(s);
    assert_true(samples_confusion(s, &cm));
    assert_int_equal(cm.epoch, 2);
    assert_memory_equal(cm.counts, second, sizeof second);
    /* back micro-step by micro-step: epoch 1's all the way into epoch 1, then none */
    while (s->n_epochs > 0) {
        assert_true(samples_confusion(s, &cm));
        assert_int_equal(cm.epoch, s->n_epochs);
        assert_true(session_back(s));
    }
    samples_update(s);
    assert_false(samples_confusion(s, &cm));
    session_reset(s);
    samples_update(s);
    assert_false(samples_confusion(s, &cm));
    a.les->data_view--;
    frame_clear(&f);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "appears after the first epoch"));
    frame_free(&f);
    frame_free(&g);
    app_free(&a);
}

/* Each batch row's dataset row (through epoch ends and the finish), and its probabilities
 * equal to the softmax of the output layer's z and to trainer_predict on that row (this net
 * has no dropout or batchnorm, so training and evaluation forward passes agree). */
static void test_sample_rows_and_probabilities(void **state)
{
    (void)state;
    app a;
    session *s = open_digits(&a, 80, 24, DV_SAMPLE);
    trainer *t = &s->t;
    float probs[10], want[10], x[64];
    int pred;
    assert_int_equal(samples_batch_rows(s), 0);
    assert_int_equal(samples_classes(s), 10);
    long checked = 0;
    for (int step = 0; step < 2 * 8 * t->batches_per_epoch + 4; step++) {
        session_step(s, STEP_MICRO);
        int n = samples_batch_rows(s);
        assert_int_equal(n, t->net.train.rows);
        for (int r = 0; r < n; r++) {
            int row = samples_batch_data_row(s, r);
            assert_int_equal(t->data->labels[row], t->labels[r]);
            dataset_gather(t->data, &row, 1, x, NULL);
            assert_memory_equal(x, t->net.train.x + (size_t)r * 64, sizeof x);
        }
        bool ready = samples_batch_probs(s, 0, probs, &pred);
        assert_int_equal(ready, !(t->state.next_phase == PHASE_FORWARD));
        if (!ready || t->state.next_phase == PHASE_LOAD_BATCH)
            continue;
        /* before this batch's update, the eval pass on the same row gives the same numbers */
        if (t->state.next_phase != PHASE_LOSS)
            continue;
        for (int r = 0; r < n; r++) {
            assert_true(samples_batch_probs(s, r, probs, &pred));
            const float *z = t->net.train.z[1] + (size_t)r * 10;
            double m = z[0], sum = 0;
            for (int k = 1; k < 10; k++)
                m = z[k] > m ? z[k] : m;
            for (int k = 0; k < 10; k++)
                sum += exp(z[k] - m);
            for (int k = 0; k < 10; k++)
                assert_float_equal(probs[k], exp(z[k] - m) / sum, 1e-6);
            int row = samples_batch_data_row(s, r);
            trainer_predict(t, &row, 1, want);
            for (int k = 0; k < 10; k++)
                assert_float_equal(probs[k], want[k], 1e-5);
            assert_int_equal(pred, argmax(z, 10));
            checked++;
        }
    }
    assert_true(checked > 1000);
    while (!trainer_done(t)) /* finished: the last batch of the last epoch is still there */
        session_step(s, STEP_EPOCH);
    for (int r = 0; r < samples_batch_rows(s); r++)
        assert_int_equal(t->data->labels[samples_batch_data_row(s, r)], t->labels[r]);
    app_free(&a);
}

/* Glyph (no colour) and paint (colour) of the weight picture against W, pixel by pixel, at a
 * size where one picture pixel is one weight. */
static void test_weight_picture_is_w(void **state)
{
    (void)state;
    app a;
    session *s = open_digits(&a, 80, 24, DV_WEIGHTS);
    app_key(&a, 'e');
    assert_int_equal(samples_weight_layer(s), 0);
    assert_int_equal(samples_count(s, DV_WEIGHTS), 128);
    s->data_sel = 5;
    int n_in = 0;
    const float *W = samples_unit_weights(s, 5, &n_in);
    assert_int_equal(n_in, 64);
    assert_ptr_equal(W, s->t.net.layers[0].W + 5 * 64);
    float big = 0;
    for (int k = 0; k < 64; k++)
        big = fabsf(W[k]) > big ? fabsf(W[k]) : big;
    frame f;
    frame_init(&f, 60, 9);
    rect r = {0, 0, 60, 9}; /* 8 rows: 8 pixels as glyphs (2 columns each), 16 painted */
    a.colour = false;
    draw_weights(&a, s, &f, r);
    assert_true(frame_contains(&f, "Data: weights of unit 5 of 128"));
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            float w = W[i * 8 + j];
            long level = lroundf(fabsf(w) / big * 4);
            uint32_t g = level == 0 ? ' ' : w > 0 ? (level > 2 ? '#' : '+') : (level > 2 ? '=' : '-');
            assert_int_equal(f.cells[(1 + i) * 60 + 1 + 2 * j].ch, g);
        }
    frame_clear(&f);
    a.colour = true;
    draw_weights(&a, s, &f, r);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 16; j++) {
            float w = W[i * 8 + j / 2];
            long level = lroundf(fabsf(w) / big * 4);
            int want = level == 0 ? pal_grey(6) : pal_class(w > 0 ? 1 : 0, (int)level - 1);
            cell c = f.cells[(1 + i) * 60 + 1 + j];
            assert_int_equal(c.ch, 0x2580);
            assert_true(role_is_paint(c.role));
            assert_int_equal(paint_fg(c.role), want);
            assert_int_equal(paint_bg(c.role), want);
        }
    /* live: an update changes the picture's source */
    float before[64];
    memcpy(before, W, sizeof before);
    app_key(&a, 'e');
    assert_true(memcmp(before, W, sizeof before) != 0);
    frame_free(&f);
    app_free(&a);
}


/* Every view at 80x24, 120x40 and 160x48, with colour, without, and in ASCII: nothing cut
 * ("…"), what each must say is there, pictures painted only with colour and UTF-8. */
static void test_views_whole_at_every_size(void **state)
{
    (void)state;
    const int sizes[][2] = {{80, 24}, {120, 40}, {160, 48}};
    const data_view views[] = {DV_SAMPLE, DV_CONFUSION, DV_WORST, DV_WEIGHTS};
    const char *must[][2] = {{"label ", "predicted "}, {"right", "t\\p"}, {"worst examples, #", "row"}, {"min w", "bias "}};
    for (int k = 0; k < 3; k++)
        for (int v = 0; v < 4; v++)
            for (int mode = 0; mode < 3; mode++) {
                app a;
                int w = sizes[k][0], h = sizes[k][1];
                session *s = open_digits(&a, w, h, views[v]);
                app_key(&a, 'e');
                for (int i = 0; i < 3; i++) /* a batch and its forward pass: the sample has a prediction */
                    app_key(&a, 'n');
                app_key(&a, K_DOWN);
                assert_int_equal(s->data_sel, 1);
                a.colour = mode == 0;
                a.ascii = mode == 2;
                frame f;
                frame_init(&f, w, h);
                view_draw(&a, &f);
                static char text[65536];
                panel_text(&a, &f, text, sizeof text);
                if (strstr(text, "\xE2\x80\xA6"))
                    fail_msg("%dx%d view %d mode %d: cut text:\n%s", w, h, v, mode, text);
                for (int m = 0; m < 2; m++)
                    if (!strstr(text, must[v][m]))
                        fail_msg("%dx%d view %d mode %d: no '%s' in:\n%s", w, h, v, mode, must[v][m], text);
                if (views[v] == DV_SAMPLE && !strstr(text, "row 2 of 32, up/down"))
                    fail_msg("%dx%d: the sample's title does not say the row:\n%s", w, h, text);
                if (views[v] == DV_CONFUSION && h < 48 && !strstr(text, "up/down"))
                    fail_msg("%dx%d: a matrix that does not fit does not say so:\n%s", w, h, text);
                int painted = 0, wide = 0;
                for (int i = 0; i < w * h; i++) {
                    painted += role_is_paint(f.cells[i].role);
                    wide += f.cells[i].ch == 0x2580;
                }
                if (mode == 0)
                    assert_true(painted > 0);
                else if (mode == 1)
                    assert_int_equal(painted, 0);
                if (mode != 0)
                    assert_int_equal(wide, 0); /* no half blocks: glyphs say it */
                frame_free(&f);
                app_free(&a);
            }
}

/* At 120x40 the ten probability bars stand in two columns, 0-4 and 5-9 side by side. */
static void test_prob_bars_in_column_order(void **state)
{
    (void)state;
    app a;
    session *s = open_digits(&a, 120, 40, DV_SAMPLE);
    for (int i = 0; i < 3; i++)
        app_key(&a, 'n');
    float p[10];
    int pred;
    assert_true(samples_batch_probs(s, 0, p, &pred));
    frame f;
    frame_init(&f, 120, 40);
    view_draw(&a, &f);
    static char text[65536];
    panel_text(&a, &f, text, sizeof text);
    int pairs = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        for (int k = 0; k < 5; k++) {
            char left[8], right[8];
            snprintf(left, sizeof left, " %d ", k);
            snprintf(right, sizeof right, "%% %d ", k + 5);
            char *l = strstr(line, left), *r = strstr(line, right);
            pairs += l && r && l < r;
        }
    assert_int_equal(pairs, 5);
    frame_free(&f);
    app_free(&a);
}

/* Breast cancer's 30 features are not an image: the sample shows the row's values, and the
 * confusion matrix is 2x2 and adds up. */
static void test_features_when_not_an_image(void **state)
{
    (void)state;
    app a;
    open_at(&a, "lessons/01-values-in-range.md", 120, 40);
    for (int i = 0; i < 12 && !app_run(&a); i++)
        app_key(&a, K_PGDN);
    session *s = app_run(&a);
    assert_non_null(s);
    if (data_image_side(s) != 0 || !data_classifies(s)) {
        app_free(&a);
        skip();
    }
    a.les->focus = P_DATA;
    a.les->data_view = 0;
    app_key(&a, 'n');
    app_key(&a, 'e');
    frame f;
    frame_init(&f, 120, 40);
    view_draw(&a, &f);
    assert_true(frame_contains(&f, "label "));
    assert_true(frame_contains(&f, "more features") || s->t.data->d <= 20);
    confusion cm;
    samples_update(s);
    assert_true(samples_confusion(s, &cm));
    long sum = 0;
    for (int i = 0; i < cm.classes * cm.classes; i++)
        sum += cm.counts[i];
    assert_int_equal(sum, s->t.split->n_val);
    assert_int_equal(cm.correct, lround(s->epochs[s->n_epochs - 1].val_acc * s->t.split->n_val));
    frame_free(&f);
    app_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confusion_equals_trainer_predict),
        cmocka_unit_test(test_step_back_keeps_finished_epochs),
        cmocka_unit_test(test_sample_rows_and_probabilities),
        cmocka_unit_test(test_weight_picture_is_w),
        cmocka_unit_test(test_views_whole_at_every_size),
        cmocka_unit_test(test_features_when_not_an_image),
        cmocka_unit_test(test_prob_bars_in_column_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
