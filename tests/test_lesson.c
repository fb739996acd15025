/* Lessons: pages, experiments, and each parse error with its exact line. */
#include "test_common.h"
#include "lesson/lesson.h"

static const char *good =
    "# Title here\n"                      /* 1 */
    "\n"                                  /* 2 */
    "The *first* paragraph is the summary.\n" /* 3 */
    "\n"                                  /* 4 */
    "## Page one\n"                       /* 5 */
    "\n"                                  /* 6 */
    "```deepstep\n"                       /* 7 */
    "name = first\n"                      /* 8 */
    "data = xor   # four points\n"        /* 9 */
    "layer = dense 4 tanh init=xavier\n"  /* 10 */
    "layer = dense 1 sigmoid\n"           /* 11 */
    "```\n"                               /* 12 */
    "\n"                                  /* 13 */
    "## Page two\n"                       /* 14 */
    "```python\nnot = an experiment\n```\n"
    "~~~deepstep\n"
    "name = second\n"
    "data = moons samples=50 noise=0.2\n"
    "layer = dense 3 linear\n"
    "optimizer = adam lr=0.01\n"
    "~~~\n";

static void test_pages_and_experiments(void **s)
{
    (void)s;
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "lessons/x.md", good, strlen(good), &err), 0);
    assert_string_equal(l.title, "Title here");
    assert_string_equal(l.summary, "The first paragraph is the summary.");
    assert_int_equal(l.n_pages, 3);
    assert_string_equal(l.pages[1].title, "Page one");
    assert_int_equal(l.pages[1].line, 5);
    assert_string_equal(l.pages[2].title, "Page two");
    assert_int_equal(l.n_experiments, 2);
    assert_int_equal(l.experiment_page[0], 1);
    assert_int_equal(l.experiment_page[1], 2);
    const experiment *x = &l.experiments[0];
    assert_int_equal(x->line, 7);
    assert_int_equal(x->line_layer[0], 10);
    assert_int_equal(x->train.n_layers, 2);
    assert_int_equal(x->train.layers[0].init, INIT_XAVIER);
    assert_int_equal(x->train.loss, LOSS_BCE); /* default for one output */
    assert_int_equal(x->source, DATA_SYNTH);
    const experiment *y = &l.experiments[1];
    assert_int_equal(y->train.loss, LOSS_CROSS_ENTROPY); /* default for several outputs */
    assert_int_equal(y->train.opt.kind, OPT_ADAM);
    assert_close(y->train.opt.lr, 0.01, 1e-7);
    assert_close(y->train.opt.beta2, 0.999, 1e-7);
    assert_int_equal(y->synth.samples, 50);
    assert_ptr_equal(lesson_find_experiment(&l, "2", &err), y);
    assert_ptr_equal(lesson_find_experiment(&l, "first", &err), x);
    assert_null(lesson_find_experiment(&l, "3", &err));
    assert_string_equal(err.msg, "no experiment 3: the lesson has 2 (numbered from 1)");
    assert_null(lesson_find_experiment(&l, "third", &err));
    assert_string_equal(err.msg, "no experiment named 'third' (choose one of 1 (first), 2 (second))");
    lesson_free(&l);
}

static void test_data_paths_resolve_against_the_lesson(void **s)
{
    (void)s;
    const char *t = "# T\n```deepstep\ndata = ../datasets/iris.csv\nlayer = dense 3 linear\n```\n"
                    "```deepstep\ndata = idx a.gz /abs/b.gz\nlayer = dense 10 linear\n```\n";
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "lessons/x.md", t, strlen(t), &err), 0);
    assert_string_equal(l.experiments[0].path[0], "lessons/../datasets/iris.csv");
    assert_string_equal(l.experiments[1].path[0], "lessons/a.gz");
    assert_string_equal(l.experiments[1].path[1], "/abs/b.gz");
    lesson_free(&l);
}

/* A block whose line `line_no` (1-based within the block) is `bad`: the error must name the
 * file line of that line and say exactly `msg`. */
static void expect_error(const char *body, int line, const char *msg)
{
    char text[2048];
    snprintf(text, sizeof text, "# Lesson\n\nSome text.\n\n```deepstep\n%s```\n", body); /* block starts at line 6 */
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "lessons/03-init.md", text, strlen(text), &err), -1);
    char got[1200];
    err_format(&err, got, sizeof got);
    char want[1200];
    snprintf(want, sizeof want, "lessons/03-init.md:%d: %s", line, msg);
    assert_string_equal(got, want);
}

#define OK_HEAD "data = xor\nlayer = dense 4 tanh\n"

static void test_parse_errors_name_the_line(void **s)
{
    (void)s;
    expect_error(OK_HEAD "layer = dense 1 tanhh\n", 8,
                 "layer: unknown activation 'tanhh' (expected one of linear, sigmoid, tanh, relu, leaky_relu, softmax)");
    expect_error("data = xor\n# comment\n\noptimiser = sgd\n", 9,
                 "unknown key 'optimiser' (expected one of name, data, normalize, validation, test, batch, shuffle, "
                 "layer, loss, optimizer, clip, schedule, epochs, seed, early_stop, ensemble, precision, loss_scale, "
                 "expect, expect@median)");
    expect_error(OK_HEAD "epochs = 5\nepochs = 6\n", 9, "'epochs' is given twice (first on line 8)");
    expect_error(OK_HEAD "layer = dense 0 relu\n", 8, "layer: width '0' is not a whole number from 1 to 65536");
    expect_error(OK_HEAD "layer = conv 3 relu\n", 8,
                 "layer: unknown layer type 'conv' (expected dense, batchnorm, layernorm, dropout or residual)");
    expect_error(OK_HEAD "layer = dense 2 relu init=glorot\n", 8,
                 "layer: unknown init 'glorot' (expected one of uniform, gaussian, lecun, xavier, he)");
    expect_error(OK_HEAD "layer = dense 1 sigmoid\nloss = hinge\n", 9, "loss: 'hinge' is not one of mse, cross_entropy, bce");
    expect_error(OK_HEAD "layer = dense 3 tanh\nloss = cross_entropy\n", 9,
                 "loss: cross_entropy needs a last layer 'dense K linear' (logits) or 'dense K softmax'");
    expect_error(OK_HEAD "layer = dense 1 relu\n", 8,
                 "loss: bce needs a last layer with sigmoid (probabilities) or linear (logits) activation");
    expect_error(OK_HEAD "optimizer = sgd lr=fast\n", 8, "optimizer: lr= needs a number from 0 to 1e+06");
    expect_error(OK_HEAD "optimizer = sgd momentum=0.9\n", 8, "optimizer: 'momentum' is not an option of sgd");
    expect_error(OK_HEAD "optimizer = lbfgs\n", 8,
                 "optimizer: unknown optimizer 'lbfgs' (expected one of sgd, momentum, adagrad, normalized, "
                 "rmsprop, adam, adamw)");
    expect_error(OK_HEAD "clip = norm -1\n", 8, "clip: threshold '-1' is not a positive number");
    expect_error(OK_HEAD "schedule = exp 1.5\n", 8, "schedule: exp G needs G in (0, 1], e.g. exp 0.98");
    expect_error(OK_HEAD "validation = 1\n", 8, "validation: '1' is not a fraction from 0 up to (not including) 1");
    expect_error(OK_HEAD "batch = many\n", 8, "batch: 'many' is not 'full' or a whole number from 1 to 1000000");
    expect_error(OK_HEAD "shuffle = maybe\n", 8, "shuffle: 'maybe' is not one of yes, no");
    expect_error(OK_HEAD "seed = -4\n", 8, "seed: '-4' is not a whole number from 0 to 2^64-1");
    expect_error(OK_HEAD "just words\n", 8, "expected 'key = value', found 'just words'");
    expect_error(OK_HEAD "epochs =\n", 8, "epochs: missing value");
    expect_error("data = spiral classes=1\n", 6, "data: classes= needs a whole number from 2 to 100");
    expect_error("data = xor classes=3\n", 6, "data: xor has 2 classes; classes= is for spiral, blobs and random");
    expect_error("data = mnist\n", 6,
                 "data: 'mnist' is not a CSV path, 'idx IMAGES LABELS', or one of xor, moons, circles, spiral, blobs, random");
    expect_error("data = idx only-one.gz\n", 6, "data: 'idx' takes two paths: idx IMAGES LABELS");
    expect_error("layer = dense 2 tanh\n", 5, "experiment has no 'data = ...' line");
    expect_error("data = xor\n", 5, "experiment has no 'layer = dense N ACTIVATION' line");
    expect_error("", 5, "experiment has no 'data = ...' line");
    /* layer kinds */
    expect_error(OK_HEAD "layer = dropout 1.5\n", 8,
                 "layer: dropout needs a probability from 0 up to (not including) 1: dropout P");
    expect_error(OK_HEAD "layer = batchnorm relu extra\n", 8,
                 "layer: batchnorm takes at most an activation: batchnorm [ACTIVATION]");
    expect_error(OK_HEAD "layer = residual middle\n", 8, "layer: expected 'residual begin' or 'residual end [ACTIVATION]'");
    expect_error(OK_HEAD "layer = residual begin\nlayer = dense 3 tanh\nlayer = residual end\nlayer = dense 2 linear\n", 10,
                 "layer: the residual block ends with width 3 but began with width 4 (line 8); its input is added to "
                 "its output, so they must match");
    expect_error(OK_HEAD "layer = residual end\nlayer = dense 2 linear\n", 8,
                 "layer: 'residual end' without a 'residual begin' before it");
    expect_error(OK_HEAD "layer = residual begin\nlayer = dense 2 linear\n", 8,
                 "layer: 'residual begin' is never closed by 'residual end'");
    expect_error(OK_HEAD "layer = dense 2 linear\nlayer = dropout 0.5\n", 9,
                 "layer: the last layer must produce the output (dense, batchnorm, layernorm or residual end), not dropout");
    /* early stopping and ensembles watch held-out data */
    expect_error(OK_HEAD "layer = dense 2 linear\nearly_stop = patience=3\n", 9,
                 "early_stop: needs held-out data to watch (add 'validation = F', e.g. 0.2)");
    expect_error(OK_HEAD "early_stop = 3\n", 8, "early_stop: expected none or patience=N (epochs without improvement, N >= 1)");
    expect_error(OK_HEAD "layer = dense 2 linear\nensemble = 3\n", 9,
                 "ensemble: the averaged prediction is measured on held-out data (add 'validation = F')");
    expect_error(OK_HEAD "ensemble = 0\n", 8, "ensemble: '0' is not a whole number of members from 1 to 100");
    /* expectations */
    expect_error(OK_HEAD "layer = dense 2 linear\nexpect = val_acc >\n", 9, "expect: expression ends too early in 'val_acc >'");
    expect_error(OK_HEAD "layer = dense 2 linear\nexpect = val_acc\n", 9,
                 "expect: expected a comparison (<, <=, >, >=, ==, !=) or 'nan' in 'val_acc'");
    expect_error(OK_HEAD "layer = dense 2 linear\nexpect = accuracy > 0.9\n", 9,
                 "expect: unknown metric 'accuracy' (expected one of train_loss, train_acc, val_loss, val_acc, "
                 "test_loss, test_acc, steps, seed, epochs, diverged, nan_step, best_epoch, ensemble_acc, "
                 "ensemble_test_acc, steps_to_target, lost_updates, distance, final_f; or layerN.grad_norm ...) in "
                 "'accuracy > 0.9'");
    expect_error(OK_HEAD "layer = dense 2 linear\nexpect = layer0.grad > 1\n", 9,
                 "expect: unknown layer metric 'grad' (expected one of grad_norm, weight_norm, update_ratio, act_min, "
                 "act_max, act_mean, act_std, frac_saturated, frac_dead, lost_updates, frac_underflow, dz_std, "
                 "mean_lost_updates, mean_frac_underflow, health) in 'layer0.grad > 1'");
    expect_error(OK_HEAD "layer = dense 2 linear\nexpect = other.val_acc > 1\n", 9,
                 "expect: no experiment named 'other' in this lesson");
    expect_error(OK_HEAD "layer = dense 2 linear\nexpect = (val_acc > 1\n", 9, "expect: missing ')' in '(val_acc > 1'");
}

static void test_expectations_parse_and_compare_blocks(void **s)
{
    (void)s;
    const char *t = "# T\n```deepstep\nname = a\ndata = xor\nlayer = dense 1 sigmoid\n"
                    "expect = layer0.grad_norm < 1e-4 * (b.layerlast.grad_norm + 2)\nexpect = nan\n```\n"
                    "```deepstep\nname = b\ndata = xor\nlayer = dense 1 sigmoid\n```\n"
                    "```deepstep compare\nexperiments = a b\ntarget_loss = 0.5\nexpect = a.val_acc > b.val_acc\n```\n";
    lesson l;
    ds_error err = {0};
    if (lesson_parse(&l, "x.md", t, strlen(t), &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        fail();
    }
    assert_int_equal(l.experiments[0].n_expects, 2);
    assert_int_equal(l.experiments[0].expects[0].line, 6);
    assert_int_equal(l.n_experiments, 2);
    assert_int_equal(l.n_compares, 1);
    assert_int_equal(l.compares[0].n, 2);
    assert_int_equal(l.compares[0].index[1], 1);
    assert_close(l.compares[0].target_loss, 0.5, 1e-12);
    assert_int_equal(l.compares[0].line, 14);
    lesson_free(&l);
    /* compare errors, with their lines */
    const char *bad1 = "# T\n```deepstep\nname = a\ndata = xor\nlayer = dense 1 sigmoid\n```\n"
                       "```deepstep compare\nexperiments = a zz\n```\n";
    assert_int_equal(lesson_parse(&l, "x.md", bad1, strlen(bad1), &err), -1);
    assert_int_equal(err.line, 7);
    assert_string_equal(err.msg, "compare: no experiment named 'zz' in this lesson");
    const char *bad2 = "# T\n```deepstep\nname = a\ndata = xor\nlayer = dense 1 sigmoid\n```\n"
                       "```deepstep compare\nexperiments = a a\nexpect = val_acc > 1\n```\n";
    assert_int_equal(lesson_parse(&l, "x.md", bad2, strlen(bad2), &err), -1);
    assert_int_equal(err.line, 9);
    assert_string_equal(err.msg, "expect: in a compare block write experiment.val_acc (which experiment's val_acc?)");
    const char *bad3 = "# T\n```deepstep compare\nexperiments = a\nspeed = 3\n```\n";
    assert_int_equal(lesson_parse(&l, "x.md", bad3, strlen(bad3), &err), -1);
    assert_int_equal(err.line, 4);
    assert_string_equal(err.msg, "unknown key 'speed' in a compare block (expected experiments, target_loss, expect, expect@median)");
}

/* A lookup that knows two numbers: val_acc = -0.3 and val_loss = 0.28. */
static int two_numbers(void *ctx, const char *exp_name, int layer_index, const char *metric, double *out, char *why)
{
    (void)ctx, (void)exp_name, (void)layer_index, (void)why;
    *out = strcmp(metric, "val_acc") == 0 ? -0.3 : 0.28;
    return 0;
}

/* abs() takes the magnitude of what it encloses, so "within 0.05" claims read as written. */
static void test_expectation_abs(void **s)
{
    (void)s;
    static const struct { const char *text; int met; } cases[] = {
        {"abs(val_acc) > 0.2", 1},           /* |-0.3| */
        {"val_acc > 0.2", 0},                /* without it */
        {"abs (val_acc + val_loss) < 0.05", 1}, /* |-0.02| */
        {"abs(val_acc + val_loss) * 10 > 0.3", 0},
        {"-abs(val_loss) < 0", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expectation e;
        ds_error err = {0};
        char detail[300], why[256];
        assert_int_equal(expect_parse(&e, cases[i].text, "x.md", 1, &err), 0);
        assert_int_equal(expect_eval(&e, two_numbers, NULL, detail, sizeof detail, why), cases[i].met);
        expect_free(&e);
    }
    expectation e;
    ds_error err = {0};
    assert_int_not_equal(expect_parse(&e, "abs(val_acc > 1", "x.md", 3, &err), 0);
    assert_non_null(strstr(err.msg, "missing ')'"));
}

static void test_race_blocks(void **s)
{
    (void)s;
    const char *t = "# T\n```deepstep race\nsurface = rosenbrock\nracer = sgd lr=0.001\nracer = sgd lr=0.01\n"
                    "racer = momentum lr=0.001 nesterov=yes\nexpect = nesterov.distance < sgd2.distance\n```\n";
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "x.md", t, strlen(t), &err), 0);
    assert_int_equal(l.n_races, 1);
    assert_int_equal(l.races[0].n, 3);
    assert_string_equal(l.races[0].labels[1], "sgd2");
    assert_string_equal(l.races[0].labels[2], "nesterov");
    assert_true(l.races[0].start[0] == -1.5); /* rosenbrock's default start */
    lesson_free(&l);
    const char *bad = "# T\n```deepstep race\nsurface = sphere\nracer = sgd lr=0.1\n```\n";
    assert_int_equal(lesson_parse(&l, "x.md", bad, strlen(bad), &err), -1);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.msg, "surface: 'sphere' is not one of quadratic, rosenbrock, saddle");
    const char *bad2 = "# T\n```deepstep race\nracer = sgd lr=0.1\nexpect = adam.distance < 1\n```\n";
    assert_int_equal(lesson_parse(&l, "x.md", bad2, strlen(bad2), &err), -1);
    assert_int_equal(err.line, 4);
    assert_string_equal(err.msg, "expect: in a race block write RACER.distance or RACER.final_f (racers here: sgd)");
}

static void test_layer_kinds_parse(void **s)
{
    (void)s;
    const char *t = "# T\n```deepstep\ndata = xor\nvalidation = 0.25\nlayer = dense 4 linear\nlayer = batchnorm relu\n"
                    "layer = dropout 0.2\nlayer = residual begin\nlayer = dense 4 tanh\nlayer = residual end relu\n"
                    "layer = dense 1 sigmoid\nearly_stop = patience=5\nensemble = 3\n```\n";
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "x.md", t, strlen(t), &err), 0);
    const experiment *x = &l.experiments[0];
    assert_int_equal(x->train.n_layers, 7);
    assert_int_equal(x->train.layers[1].kind, LAYER_BATCHNORM);
    assert_int_equal(x->train.layers[1].act, ACT_RELU);
    assert_int_equal(x->train.layers[2].kind, LAYER_DROPOUT);
    assert_close(x->train.layers[2].p, 0.2, 1e-7);
    assert_int_equal(x->train.layers[3].kind, LAYER_RESIDUAL_BEGIN);
    assert_int_equal(x->train.layers[5].kind, LAYER_RESIDUAL_END);
    assert_int_equal(x->train.layers[5].act, ACT_RELU);
    assert_int_equal(x->train.early_stop, 5);
    assert_int_equal(x->train.ensemble, 3);
    lesson_free(&l);
}

static void test_lesson_file_errors(void **s)
{
    (void)s;
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "x.md", "no title here\n", 14, &err), -1);
    assert_string_equal(err.msg, "lesson has no title (a first line like '# Title')");
    assert_int_equal(lesson_load(&l, "build/tmp/missing.md", &err), -1);
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    char p[256];
    temp_file(p, sizeof p, ".md", "# T\n\nab\0cd", 10);
    assert_int_equal(lesson_load(&l, p, &err), -1);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.msg, "contains a NUL byte; a lesson is a text file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_and_experiments),
        cmocka_unit_test(test_data_paths_resolve_against_the_lesson),
        cmocka_unit_test(test_parse_errors_name_the_line),
        cmocka_unit_test(test_lesson_file_errors),
        cmocka_unit_test(test_layer_kinds_parse),
        cmocka_unit_test(test_expectations_parse_and_compare_blocks),
        cmocka_unit_test(test_expectation_abs),
        cmocka_unit_test(test_race_blocks),
    };
    return cmocka_run_group_tests_name("lesson", tests, NULL, NULL);
}
