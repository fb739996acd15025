/* The stepper: the order of micro-steps, batches in file order, what each step exposes,
 * learning-rate schedules, clipping numbers, divergence tracing and determinism. */
#include "test_common.h"
#include <fcntl.h>

#include "cli/check.h"
#include "cli/run.h"
#include "engine/trainer.h"
#include "lesson/experiment_data.h"
#include "lesson/lesson.h"

static lesson the_lesson;

/* A trainer and the data it borrows, freed together: t first, so a trainer * is one. */
typedef struct trainer_with_data {
    trainer t;
    experiment_data data;
} trainer_with_data;

static trainer *make_trainer(const char *block, long max_steps)
{
    char text[2048];
    snprintf(text, sizeof text, "# t\n\n```deepstep\n%s```\n", block);
    ds_error err = {0};
    lesson_free(&the_lesson);
    if (lesson_parse(&the_lesson, "tests/fixtures/inline.md", text, strlen(text), &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        return NULL;
    }
    trainer_with_data *o = calloc(1, sizeof *o);
    const experiment *x = &the_lesson.experiments[0];
    if (experiment_data_load(x, &o->data, &err) != 0 ||
        experiment_trainer_create(&o->t, x, &o->data, 0, 0, max_steps, &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        experiment_data_free(&o->data);
        free(o);
        return NULL;
    }
    return &o->t;
}

static void free_trainer(trainer *t)
{
    trainer_with_data *o = (trainer_with_data *)t;
    trainer_destroy(&o->t);
    experiment_data_free(&o->data);
    free(o);
}

#define TINY "data = tiny.csv\nbatch = 3\nshuffle = no\nlayer = dense 4 tanh\nlayer = dense 2 linear\n"

static void test_micro_step_order(void **s)
{
    (void)s;
    trainer *t = make_trainer(TINY "clip = norm 1\nepochs = 1\n", 0);
    assert_non_null(t);
    const trainer_phase want[] = {PHASE_LOAD_BATCH, PHASE_FORWARD, PHASE_FORWARD, PHASE_LOSS, PHASE_BACKWARD,
                                  PHASE_BACKWARD, PHASE_CLIP, PHASE_UPDATE, PHASE_UPDATE, PHASE_END_BATCH};
    const int want_layer[] = {-1, 0, 1, -1, 1, 0, -1, 0, 1, -1};
    for (int i = 0; i < 10; i++) {
        trainer_event ev = trainer_step(t, STEP_MICRO);
        assert_int_equal(ev.phase, want[i]);
        assert_int_equal(ev.layer, want_layer[i]);
        assert_int_equal(ev.epoch, 1);
        assert_int_equal(ev.batch, 1);
    }
    assert_int_equal(t->state.step, 1);
    /* second batch, then the end of the epoch, then done */
    trainer_event ev = trainer_step(t, STEP_BATCH);
    assert_int_equal(ev.phase, PHASE_END_BATCH);
    assert_int_equal(ev.batch, 2);
    ev = trainer_step(t, STEP_MICRO);
    assert_int_equal(ev.phase, PHASE_END_EPOCH);
    assert_true(trainer_done(t));
    free_trainer(t);
}

static void test_batches_in_file_order_without_shuffle(void **s)
{
    (void)s;
    /* step t uses batch t mod 2: rows 0-2, then 3-5, then 0-2 again */
    trainer *t = make_trainer(TINY "epochs = 3\n", 0);
    assert_non_null(t);
    const float first_col[] = {0.5f, 0.0f, 0.5f};
    for (int step = 0; step < 3; step++) {
        while (trainer_step(t, STEP_MICRO).phase != PHASE_LOAD_BATCH) /* past the end of an epoch */
            ;
        assert_true(t->net.train.x[0] == first_col[step]);
        assert_int_equal(t->net.train.rows, 3);
        trainer_step(t, STEP_BATCH);
    }
    free_trainer(t);
}

static void test_exposes_weights_before_and_after(void **s)
{
    (void)s;
    trainer *t = make_trainer(TINY "optimizer = sgd lr=0.5\nepochs = 1\n", 0);
    assert_non_null(t);
    while (trainer_step(t, STEP_MICRO).phase != PHASE_BACKWARD || t->state.next_phase != PHASE_UPDATE)
        ;
    const layer *L = &t->net.layers[0];
    float w = L->W[5], g = L->dW[5];
    trainer_step(t, STEP_MICRO); /* update layer 0 */
    assert_true(L->W_prev[5] == w);
    assert_close(L->W[5], w - 0.5f * g, 1e-6);
    /* the stats of that update: log10(std(dW) / std(W)) from exposed values */
    assert_true(isfinite(t->stats[0].update_ratio));
    free_trainer(t);
}

static void test_shuffle_is_seeded(void **s)
{
    (void)s;
    float seen[2][6];
    for (int run = 0; run < 2; run++) {
        trainer *t = make_trainer("data = tiny.csv\nbatch = full\nshuffle = yes\nlayer = dense 2 linear\nseed = 9\n", 0);
        assert_non_null(t);
        trainer_step(t, STEP_BATCH); /* epoch 1 */
        trainer_step(t, STEP_MICRO); /* end epoch */
        trainer_step(t, STEP_MICRO); /* load epoch 2's batch */
        for (int r = 0; r < 6; r++)
            seen[run][r] = t->net.train.x[r * 3];
        free_trainer(t);
    }
    assert_memory_equal(seen[0], seen[1], sizeof seen[0]);
}

/* The orders deepstep export writes are the ones training then uses, and asking for them
 * changes nothing: the trained weights are those of a trainer never asked. */
static void test_epoch_orders_are_the_training_orders(void **s)
{
    (void)s;
    const char *block = "data = moons samples=30\nbatch = 8\nshuffle = yes\nlayer = dense 4 tanh\n"
                        "layer = dense 2 linear\nepochs = 3\n";
    trainer *t = make_trainer(block, 0), *u = make_trainer(block, 0);
    int n = t->split->n_train;
    int *orders = calloc((size_t)3 * n, sizeof(int));
    trainer_epoch_orders(t, 3, orders);
    assert_int_not_equal(memcmp(orders, orders + n, (size_t)n * sizeof(int)), 0); /* shuffled afresh */
    for (int e = 0; e < 3; e++) {
        trainer_step(t, STEP_MICRO); /* load the epoch's first batch: t->order is the epoch's */
        for (int k = 0; k < n; k++)
            assert_int_equal(t->order[k], t->split->train[orders[(size_t)e * n + k]]);
        trainer_step(t, STEP_EPOCH);
    }
    while (!trainer_done(u))
        trainer_step(u, STEP_EPOCH);
    assert_memory_equal(t->net.params, u->net.params, t->net.n_params * sizeof(float));
    free(orders);
    free_trainer(t);
    free_trainer(u);
}

static void test_lr_schedules(void **s)
{
    (void)s;
    trainer *t = make_trainer(TINY "optimizer = sgd lr=0.2\nschedule = exp 0.98\nepochs = 10\n", 0);
    assert_non_null(t);
    assert_close(trainer_lr_at(t, 0, 0), 0.2, 1e-6);
    assert_close(trainer_lr_at(t, 0, 3), 0.2 * pow(0.98, 3), 1e-6);
    free_trainer(t);
    t = make_trainer(TINY "optimizer = sgd lr=0.2\nschedule = step 4 0.5\nepochs = 10\n", 0);
    assert_close(trainer_lr_at(t, 0, 3), 0.2, 1e-6);
    assert_close(trainer_lr_at(t, 0, 4), 0.1, 1e-6);
    assert_close(trainer_lr_at(t, 0, 9), 0.05, 1e-6);
    free_trainer(t);
    t = make_trainer(TINY "optimizer = sgd lr=0.2\nschedule = cosine warmup=4\nepochs = 10\n", 0);
    assert_close(trainer_lr_at(t, 0, 0), 0.2 * 0.25, 1e-6); /* warm-up: (step + 1) / 4 */
    assert_close(trainer_lr_at(t, 100, 5), 0.2 * 0.5, 1e-6); /* half way: cos(pi/2) = 0 */
    assert_close(trainer_lr_at(t, 100, 10), 0.0, 1e-6);
    free_trainer(t);
}

static void test_clip_norm_numbers(void **s)
{
    (void)s;
    trainer *t = make_trainer(TINY "clip = norm 0.01\nepochs = 1\n", 0);
    assert_non_null(t);
    while (trainer_step(t, STEP_MICRO).phase != PHASE_CLIP)
        ;
    const clip_info *c = &t->state.clip;
    assert_true(c->norm_before > 0.01);
    assert_close(c->factor, 0.01 / (c->norm_before + 1e-6), 1e-6); /* threshold is float 0.01f */
    assert_close(c->norm_after, c->norm_before * c->factor, 1e-5);
    free_trainer(t);
}

static void test_divergence_is_traced(void **s)
{
    (void)s;
    trainer *t = make_trainer("data = tiny.csv\nbatch = full\nlayer = dense 64 relu init=gaussian\n"
                              "layer = dense 64 relu init=gaussian\nlayer = dense 2 linear init=gaussian\n"
                              "optimizer = sgd lr=1000\nepochs = 200\n", 0);
    assert_non_null(t);
    trainer_event ev = {0};
    while (!trainer_done(t))
        ev = trainer_step(t, STEP_MICRO);
    assert_true(ev.diverged);
    assert_true(t->state.div.happened);
    assert_non_null(strstr(t->state.div.message, "training diverged at step"));
    assert_true(t->state.div.value != t->state.div.value || isinf(t->state.div.value));
    /* Nothing before the reported point was already non-finite: the step before is clean. */
    assert_true(t->state.div.step >= 1);
    free_trainer(t);
}

static void test_same_seed_same_weights(void **s)
{
    (void)s;
    float *w[2];
    size_t n = 0;
    for (int run = 0; run < 2; run++) {
        trainer *t = make_trainer("data = moons samples=64\nbatch = 8\nshuffle = yes\nlayer = dense 8 tanh init=he\n"
                                  "layer = dense 2 linear\nepochs = 3\nseed = 77\n", 0);
        assert_non_null(t);
        while (!trainer_done(t))
            trainer_step(t, STEP_EPOCH);
        n = t->net.n_params;
        w[run] = malloc(n * sizeof(float));
        memcpy(w[run], t->net.params, n * sizeof(float));
        free_trainer(t);
    }
    assert_memory_equal(w[0], w[1], n * sizeof(float));
    free(w[0]);
    free(w[1]);
}

static void test_max_steps_stops_inside_an_epoch(void **s)
{
    (void)s;
    trainer *t = make_trainer(TINY "epochs = 10\n", 3);
    assert_non_null(t);
    while (!trainer_done(t))
        trainer_step(t, STEP_MICRO);
    assert_int_equal(t->state.step, 3);
    assert_int_equal(t->state.epoch, 1); /* epoch 2, batch 1 finished */
    free_trainer(t);
}

static void test_stats_match_definitions(void **s)
{
    (void)s;
    trainer *t = make_trainer("data = tiny.csv\nbatch = full\nlayer = dense 3 relu\nlayer = dense 2 linear\nepochs = 1\n", 0);
    assert_non_null(t);
    trainer_step(t, STEP_BATCH);
    const workspace *ws = &t->net.train;
    double sum = 0, sq = 0;
    float lo = INFINITY;
    for (int i = 0; i < 6 * 3; i++)
        sum += ws->a[0][i], lo = fminf(lo, ws->a[0][i]);
    for (int i = 0; i < 6 * 3; i++)
        sq += (ws->a[0][i] - sum / 18) * (ws->a[0][i] - sum / 18);
    assert_close(t->stats[0].act_mean, sum / 18, 1e-5);
    assert_close(t->stats[0].act_std, sqrt(sq / 18), 1e-5);
    assert_true(t->stats[0].act_min == lo);
    double g = 0;
    for (size_t k = 0; k < t->net.layers[1].n_params; k++)
        g += (double)t->net.layers[1].dW[k] * t->net.layers[1].dW[k];
    assert_close(t->stats[1].grad_norm, sqrt(g), 1e-5);
    free_trainer(t);
}

static void test_predict_matches_evaluate(void **s)
{
    (void)s;
    trainer *t = make_trainer("data = blobs samples=90\nvalidation = 0.3\nbatch = 10\nlayer = dense 8 tanh\n"
                              "layer = dense 3 linear\nepochs = 3\n", 0);
    assert_non_null(t);
    while (!trainer_done(t))
        trainer_step(t, STEP_EPOCH);
    int n = t->split->n_val;
    float *p = malloc(sizeof(float) * n * 3);
    trainer_predict(t, t->split->val, n, p);
    int correct = 0;
    for (int r = 0; r < n; r++) {
        float *q = p + r * 3;
        assert_close(q[0] + q[1] + q[2], 1.0, 1e-5);
        int best = q[1] > q[0] ? 1 : 0;
        best = q[2] > q[best] ? 2 : best;
        correct += best == t->data->labels[t->split->val[r]];
    }
    double loss, acc;
    trainer_evaluate(t, t->split->val, n, &loss, &acc);
    assert_close((double)correct / n, acc, 1e-12);
    assert_close(acc, t->state.last_epoch.val_acc, 1e-12);
    free(p);
    free_trainer(t);
}

static void test_param_story(void **s)
{
    (void)s;
    trainer *t = make_trainer(TINY "optimizer = sgd lr=0.5\nepochs = 1\n", 0);
    assert_non_null(t);
    trainer_step(t, STEP_BATCH);
    param_story p = trainer_param_story(t, 3);
    assert_int_equal(p.layer, 0);
    assert_close(p.delta, -0.5 * p.grad, 1e-5);
    assert_close(p.step_over_lr_grad, -1.0, 1e-4); /* plain SGD moves exactly lr * g */
    assert_null(p.state_name[0]);
    free_trainer(t);
    t = make_trainer(TINY "optimizer = adam lr=0.01\nepochs = 1\n", 0);
    trainer_step(t, STEP_BATCH);
    p = trainer_param_story(t, (size_t)t->net.layers[1].param_off + 1);
    assert_int_equal(p.layer, 1);
    assert_string_equal(p.state_name[0], "m");
    assert_string_equal(p.state_name[1], "v");
    assert_close(p.m_hat, p.grad, 1e-5);                 /* first step: m_hat = g */
    assert_close(p.v_hat, p.grad * p.grad, 1e-4);       /* v_hat = g^2 */
    assert_close(p.delta, -0.01 * (p.grad > 0 ? 1 : -1), 1e-4); /* a step of lr * sign(g) */
    free_trainer(t);
}

static void test_clip_layer_shares_sum_to_one(void **s)
{
    (void)s;
    trainer *t = make_trainer(TINY "clip = norm 100\nepochs = 1\n", 0);
    while (trainer_step(t, STEP_MICRO).phase != PHASE_CLIP)
        ;
    double sum = t->clip_share[0] + t->clip_share[1];
    assert_close(sum, 1.0, 1e-5);
    assert_true(t->state.clip.factor == 1.0); /* under the threshold: untouched */
    assert_close(t->state.clip.norm_after, t->state.clip.norm_before, 1e-12);
    free_trainer(t);
}

/* Step forward, step back through a snapshot and replay: the same numbers, bit for bit,
 * with dropout masks, batchnorm statistics, shuffling and adam state all in play. */
static void test_step_back_and_forward_reproduces(void **s)
{
    (void)s;
    trainer *t = make_trainer("data = moons samples=60\nbatch = 8\nshuffle = yes\nlayer = dense 6 tanh\n"
                              "layer = batchnorm relu\nlayer = dropout 0.3\nlayer = dense 2 linear\n"
                              "optimizer = adam lr=0.01\nclip = norm 1\nepochs = 4\n", 0);
    assert_non_null(t);
    for (int i = 0; i < 9; i++) /* past an epoch boundary (8 batches per epoch) */
        trainer_step(t, STEP_BATCH);
    trainer_snapshot snap = {0};
    trainer_snapshot_save(t, &snap); /* at a batch start */
    long start = t->state.micro;
    for (int i = 0; i < 7; i++)
        trainer_step(t, STEP_MICRO);
    size_t np = t->net.n_params, nw = t->net.train.block_floats;
    float *p1 = malloc(np * sizeof(float)), *w1 = malloc(nw * sizeof(float));
    memcpy(p1, t->net.params, np * sizeof(float));
    memcpy(w1, t->net.train.block, nw * sizeof(float));
    long micro = t->state.micro;
    /* keep going, then go back to `micro` by restoring and replaying */
    trainer_step(t, STEP_BATCH);
    trainer_step(t, STEP_BATCH);
    trainer_snapshot_restore(t, &snap);
    assert_int_equal(t->state.micro, start);
    while (t->state.micro < micro)
        trainer_step(t, STEP_MICRO);
    assert_memory_equal(t->net.params, p1, np * sizeof(float));
    assert_memory_equal(t->net.train.block, w1, nw * sizeof(float));
    /* and on to the end of the batch, identical to a run that never went back */
    trainer_step(t, STEP_BATCH);
    float *p2 = malloc(np * sizeof(float));
    memcpy(p2, t->net.params, np * sizeof(float));
    trainer *u = make_trainer("data = moons samples=60\nbatch = 8\nshuffle = yes\nlayer = dense 6 tanh\n"
                              "layer = batchnorm relu\nlayer = dropout 0.3\nlayer = dense 2 linear\n"
                              "optimizer = adam lr=0.01\nclip = norm 1\nepochs = 4\n", 0);
    while (u->state.micro < t->state.micro)
        trainer_step(u, STEP_MICRO);
    assert_memory_equal(u->net.params, p2, np * sizeof(float));
    assert_memory_equal(u->net.buffers, t->net.buffers, t->net.n_buffers * sizeof(float));
    free(p1), free(w1), free(p2);
    trainer_snapshot_free(&snap);
    free_trainer(t);
    free_trainer(u);
}

/* A snapshot inside a batch (the UI takes one where the learner edits a weight) holds whether
 * the loss scale is already divided out of this step's gradients: restored after the update
 * has run and replayed, the update sees the same gradients, not ones still 1024 times too big. */
static void test_mid_batch_snapshot_keeps_loss_scale_state(void **s)
{
    (void)s;
    trainer *t = make_trainer("data = moons samples=60\nbatch = 8\nlayer = dense 6 tanh\n"
                              "layer = dense 2 linear\nloss_scale = 1024\nepochs = 2\n", 0);
    assert_non_null(t);
    trainer_step(t, STEP_BATCH);
    while (t->state.next_phase != PHASE_UPDATE)
        trainer_step(t, STEP_MICRO);
    trainer_snapshot snap = {0};
    trainer_snapshot_save(t, &snap); /* gradients still scaled */
    trainer_step(t, STEP_BATCH);      /* the update divides the scale out */
    size_t np = t->net.n_params;
    float *want = malloc(np * sizeof(float));
    memcpy(want, t->net.params, np * sizeof(float));
    trainer_snapshot_restore(t, &snap);
    trainer_step(t, STEP_BATCH);
    assert_memory_equal(t->net.params, want, np * sizeof(float));
    free(want);
    trainer_snapshot_free(&snap);
    free_trainer(t);
}

/* In bf16 every stored weight is a bf16 number, and the lost-update count is exactly the
 * number of weights whose fp32 update rounded back to the old value. */
static void test_precision_rounds_and_counts(void **s)
{
    (void)s;
    trainer *t = make_trainer("data = moons samples=40\nbatch = full\nlayer = dense 8 tanh\nlayer = dense 2 linear\n"
                              "optimizer = sgd lr=0.01\nprecision = bf16\nepochs = 5\n", 0);
    assert_non_null(t);
    while (trainer_step(t, STEP_MICRO).phase != PHASE_BACKWARD || t->state.next_phase != PHASE_UPDATE)
        ;
    layer *L = &t->net.layers[0];
    /* the update by hand, in fp32 */
    long expect_lost = 0;
    for (size_t k = 0; k < L->n_params; k++) {
        float intended = L->W[k] - 0.01f * L->dW[k];
        expect_lost += intended != L->W[k] && fp_round(intended, BF16) == L->W[k];
    }
    trainer_step(t, STEP_MICRO); /* update layer 0 */
    assert_int_equal(t->stats[0].lost_updates, expect_lost);
    assert_true(expect_lost > 0);
    for (size_t k = 0; k < t->net.n_params; k++)
        assert_true(t->net.params[k] == (float)fp_round(t->net.params[k], BF16));
    for (int i = 0; i < 40 * 2; i++)
        assert_true(t->net.train.x[i] == (float)fp_round(t->net.train.x[i], BF16));
    free_trainer(t);
}

static int teardown(void **s)
{
    (void)s;
    lesson_free(&the_lesson);
    return 0;
}

/* The trainer holds a train_config and borrows its data. While it copied the parser's whole
 * experiment it was 6,216 bytes (59 KB before that), and every step-back snapshot copied all
 * of it (6,248 bytes); a snapshot now holds the trainer_state and four scalars beside it. */
static void test_trainer_is_small(void **s)
{
    (void)s;
    print_message("sizeof(trainer) = %zu, sizeof(trainer_snapshot) = %zu, sizeof(train_config) = %zu\n",
                  sizeof(trainer), sizeof(trainer_snapshot), sizeof(train_config));
    assert_true(sizeof(trainer) < 4096);
    assert_true(sizeof(trainer_snapshot) < 2048);
}

/* An ensemble's K members share one load of the data, in deepstep check (run_quiet) and in
 * deepstep run: K loads, one per member, before the data moved out of the trainer. */
static void test_ensemble_loads_data_once(void **s)
{
    (void)s;
    char cwd[512], text[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "# e\n\n```deepstep\ndata = %s/tests/fixtures/tiny.csv\nvalidation = 0.5\nbatch = 3\n"
             "layer = dense 4 tanh\nlayer = dense 2 linear\nepochs = 2\nensemble = 4\n```\n", cwd);
    lesson l;
    ds_error err = {0};
    if (lesson_parse(&l, "tests/fixtures/inline.md", text, strlen(text), &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        fail();
    }
    assert_int_equal(l.experiments[0].train.ensemble, 4);
    long before = dataset_load_count();
    run_result r;
    run_quiet(&l.experiments[0], &r);
    assert_int_equal(r.status, 0);
    assert_false(isnan(r.ensemble_acc)); /* all four members ran and were averaged */
    assert_int_equal(dataset_load_count() - before, 1);
    run_result_free(&r);
    lesson_free(&l);

    char dir[] = "/tmp/ds_ensemble_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/e.md", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    fflush(stdout); /* the members' lines go to /dev/null */
    int saved = dup(STDOUT_FILENO), null_fd = open("/dev/null", O_WRONLY);
    assert_true(saved >= 0 && null_fd >= 0);
    dup2(null_fd, STDOUT_FILENO);
    close(null_fd);
    before = dataset_load_count();
    char *argv[] = {"run", path, "--quiet", NULL};
    int rc = cmd_run(3, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    unlink(path);
    rmdir(dir);
    assert_int_equal(rc, 0);
    assert_int_equal(dataset_load_count() - before, 1);
}

/* loss_scale multiplies the gradients in the backward pass only, so the per-layer gradient
 * norms and health are those of the true gradient, the same as without scaling. Before,
 * they were of the scaled one: the output layer read 256 times its norm, "exploding". */
static void test_loss_scale_keeps_grad_norms_and_health(void **s)
{
    (void)s;
    static const char *const precision[] = {"fp32", "fp16"};
    for (int p = 0; p < 2; p++) {
        char a_cfg[512], b_cfg[512];
        const char *block = "data = spiral samples=120 classes=3\nnormalize = zscore\nbatch = 40\nlayer = dense 16 tanh\n"
                          "layer = dense 16 tanh\nlayer = dense 3 linear\noptimizer = sgd lr=0.5\nepochs = 2\n";
        snprintf(a_cfg, sizeof a_cfg, "%sprecision = %s\nloss_scale = 1\n", block, precision[p]);
        snprintf(b_cfg, sizeof b_cfg, "%sprecision = %s\nloss_scale = 256\n", block, precision[p]);
        trainer *a = make_trainer(a_cfg, 0), *b = make_trainer(b_cfg, 0);
        assert_non_null(a);
        assert_non_null(b);
        /* fp32: 256 is a power of 2, so the scaled pass is the unscaled one times 256 exactly;
         * fp16 rounds differently at each scale: its first batch only, to 1% */
        double tol = p == 0 ? 1e-6 : 1e-2, largest = 0;
        long batches = p == 0 ? 1000 : 1;
        while (!trainer_done(a) && a->state.step < batches) {
            trainer_event ea = trainer_step(a, STEP_MICRO), eb = trainer_step(b, STEP_MICRO);
            assert_int_equal(ea.phase, eb.phase);
            if (ea.phase == PHASE_BACKWARD && a->net.layers[ea.layer].n_params) {
                assert_close(b->stats[ea.layer].grad_norm, a->stats[ea.layer].grad_norm, tol);
                largest = fmax(largest, a->stats[ea.layer].grad_norm);
            }
            for (int i = 0; ea.phase == PHASE_END_BATCH && i < a->net.n_layers; i++)
                assert_int_equal(b->stats[i].health, a->stats[i].health);
        }
        assert_true(largest * 256 > HEALTH_EXPLODING_GRAD_NORM); /* scaled, it would read "exploding" */
        free_trainer(a);
        free_trainer(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_micro_step_order),
        cmocka_unit_test(test_batches_in_file_order_without_shuffle),
        cmocka_unit_test(test_exposes_weights_before_and_after),
        cmocka_unit_test(test_shuffle_is_seeded),
        cmocka_unit_test(test_epoch_orders_are_the_training_orders),
        cmocka_unit_test(test_lr_schedules),
        cmocka_unit_test(test_clip_norm_numbers),
        cmocka_unit_test(test_divergence_is_traced),
        cmocka_unit_test(test_same_seed_same_weights),
        cmocka_unit_test(test_max_steps_stops_inside_an_epoch),
        cmocka_unit_test(test_stats_match_definitions),
        cmocka_unit_test(test_predict_matches_evaluate),
        cmocka_unit_test(test_param_story),
        cmocka_unit_test(test_clip_layer_shares_sum_to_one),
        cmocka_unit_test(test_step_back_and_forward_reproduces),
        cmocka_unit_test(test_mid_batch_snapshot_keeps_loss_scale_state),
        cmocka_unit_test(test_precision_rounds_and_counts),
        cmocka_unit_test(test_trainer_is_small),
        cmocka_unit_test(test_ensemble_loads_data_once),
        cmocka_unit_test(test_loss_scale_keeps_grad_norms_and_health),
    };
    return cmocka_run_group_tests_name("trainer", tests, NULL, teardown);
}
