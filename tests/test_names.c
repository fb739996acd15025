/* One table of names per enum (activation, loss, optimizer, clip, schedule, health): every
 * value has a name, every name parses back to its value, the "expected one of" list is the
 * table joined, and the lesson parser's error messages are made from it, word for word. */
#include "test_common.h"
#include "data/dataset.h"
#include "engine/stats.h"
#include "engine/train_config.h"
#include "lesson/lesson.h"

/* The table's names joined with ", ", from name(0 .. n-1): what the list must equal. */
static void joined(char *buf, size_t cap, const char *(*name)(int), int n)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strncat(buf, ", ", cap - strlen(buf) - 1);
        strncat(buf, name(i), cap - strlen(buf) - 1);
    }
}

/* Every value 0..n-1 has a distinct non-empty name that parses back to it; an unknown word
 * and a value out of range are refused; the list is the names in enum order. */
static void check_table(const char *(*name)(int), int (*parse)(const char *, int *), const char *list, int n,
                        const char *want_list)
{
    for (int i = 0; i < n; i++) {
        const char *s = name(i);
        assert_non_null(s);
        assert_true(s[0] != '\0' && strcmp(s, "?") != 0);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(s, name(j));
        int back = -1;
        assert_int_equal(parse(s, &back), 0);
        assert_int_equal(back, i);
    }
    int untouched = 12345;
    assert_int_equal(parse("no_such_name", &untouched), -1);
    assert_int_equal(parse("", &untouched), -1);
    assert_int_equal(untouched, 12345);
    assert_string_equal(name(n), "?");
    assert_string_equal(name(-1), "?");
    char buf[400];
    joined(buf, sizeof buf, name, n);
    assert_string_equal(list, buf);
    assert_string_equal(list, want_list); /* the text users see today, unchanged */
}

/* int-typed adapters, so one checker serves every enum */
#define ADAPT(prefix, type, namefn, parsefn)                                                                           \
    static const char *prefix##_name_i(int k) { return namefn((type)k); }                                             \
    static int prefix##_parse_i(const char *s, int *o)                                                                \
    {                                                                                                                  \
        type v;                                                                                                        \
        int r = parsefn(s, &v);                                                                                        \
        if (r == 0)                                                                                                    \
            *o = (int)v;                                                                                               \
        return r;                                                                                                      \
    }
ADAPT(act, activation, act_name, act_parse)
ADAPT(loss, loss_kind, loss_name, loss_parse)
ADAPT(opt, opt_kind, optim_name, optim_parse_kind)
ADAPT(clip, clip_kind, clip_name, clip_parse)
ADAPT(sched, sched_kind, sched_name, sched_parse)
ADAPT(health, layer_health, health_name, health_parse)
ADAPT(norm, norm_kind, norm_name, norm_parse)

static void test_activation_table(void **s)
{
    (void)s;
    check_table(act_name_i, act_parse_i, act_names_list(), ACT_COUNT, "linear, sigmoid, tanh, relu, leaky_relu, softmax");
}

static void test_loss_table(void **s)
{
    (void)s;
    check_table(loss_name_i, loss_parse_i, loss_names_list(), LOSS_COUNT, "mse, cross_entropy, bce");
}

static void test_optimizer_table(void **s)
{
    (void)s;
    check_table(opt_name_i, opt_parse_i, optim_names_list(), OPT_COUNT,
                "sgd, momentum, adagrad, normalized, rmsprop, adam, adamw");
}

static void test_clip_and_schedule_tables(void **s)
{
    (void)s;
    check_table(clip_name_i, clip_parse_i, clip_names_list(), CLIP_COUNT, "none, norm, value");
    check_table(sched_name_i, sched_parse_i, sched_names_list(), SCHED_COUNT, "constant, exp, step, cosine, range");
}

static void test_health_table(void **s)
{
    (void)s;
    check_table(health_name_i, health_parse_i, health_names_list(), HEALTH_COUNT,
                "ok, vanishing, exploding, saturated, dead");
}

/* The error of a one-line lesson block, as `file:line: msg`. */
static void block_error(const char *body, char *got, size_t cap)
{
    char text[1024];
    snprintf(text, sizeof text, "# L\n\n```deepstep\ndata = xor\nlayer = dense 4 tanh\n%s```\n", body);
    lesson l;
    ds_error err = {0};
    assert_int_equal(lesson_parse(&l, "x.md", text, strlen(text), &err), -1);
    err_format(&err, got, cap);
}

/* The parser's messages list the table (made here from the table, compared with today's
 * exact words), and every name in the table is accepted by the parser. */
static void test_parser_messages_come_from_the_tables(void **s)
{
    (void)s;
    char got[600], want[600], body[200];
    block_error("layer = dense 1 tanhh\n", got, sizeof got);
    snprintf(want, sizeof want, "x.md:6: layer: unknown activation 'tanhh' (expected one of %s)", act_names_list());
    assert_string_equal(got, want);
    assert_string_equal(got, "x.md:6: layer: unknown activation 'tanhh' (expected one of linear, sigmoid, tanh, relu, "
                             "leaky_relu, softmax)");
    block_error("layer = dense 1 sigmoid\nloss = hinge\n", got, sizeof got);
    snprintf(want, sizeof want, "x.md:7: loss: 'hinge' is not one of %s", loss_names_list());
    assert_string_equal(got, want);
    block_error("optimizer = lbfgs\n", got, sizeof got);
    snprintf(want, sizeof want, "x.md:6: optimizer: unknown optimizer 'lbfgs' (expected one of %s)", optim_names_list());
    assert_string_equal(got, want);
    block_error("clip = norm\n", got, sizeof got);
    assert_string_equal(got, "x.md:6: clip: expected none, norm F or value F");
    block_error("clip = clamp 1\n", got, sizeof got);
    assert_string_equal(got, "x.md:6: clip: expected none, norm F or value F");
    block_error("clip = none 1\n", got, sizeof got);
    assert_string_equal(got, "x.md:6: clip: expected none, norm F or value F");
    block_error("schedule = linear\n", got, sizeof got);
    assert_string_equal(got, "x.md:6: schedule: expected constant, exp G, step N G, cosine or range LO HI [warmup=N]");
    block_error("schedule = step 3\n", got, sizeof got);
    assert_string_equal(got, "x.md:6: schedule: expected constant, exp G, step N G, cosine or range LO HI [warmup=N]");
    block_error("schedule = cosine 0.5 warmup=3\n", got, sizeof got);
    assert_string_equal(got, "x.md:6: schedule: expected constant, exp G, step N G, cosine or range LO HI [warmup=N]");

    /* every name of every table goes through the lesson parser to the same value */
    for (int k = 0; k < OPT_COUNT; k++) {
        snprintf(body, sizeof body, "data = xor\nlayer = dense 1 sigmoid\noptimizer = %s lr=0.5\n", optim_name((opt_kind)k));
        lesson l;
        ds_error err = {0};
        char text[400];
        snprintf(text, sizeof text, "# L\n\n```deepstep\n%s```\n", body);
        if (lesson_parse(&l, "x.md", text, strlen(text), &err) != 0)
            fail_msg("%s: %s", optim_name((opt_kind)k), err.msg);
        assert_int_equal(l.experiments[0].train.opt.kind, k);
        lesson_free(&l);
    }
    struct { const char *line; int field; } cases[] = {
        {"clip = none\n", CLIP_NONE}, {"clip = norm 1\n", CLIP_NORM}, {"clip = value 0.5\n", CLIP_VALUE},
        {"schedule = constant\n", 10 + SCHED_CONSTANT}, {"schedule = exp 0.9\n", 10 + SCHED_EXP},
        {"schedule = step 2 0.5\n", 10 + SCHED_STEP}, {"schedule = cosine warmup=2\n", 10 + SCHED_COSINE},
        {"schedule = range 0.001 10\n", 10 + SCHED_RANGE},
    };
    for (size_t q = 0; q < sizeof cases / sizeof *cases; q++) {
        char text[400];
        snprintf(text, sizeof text, "# L\n\n```deepstep\ndata = xor\nlayer = dense 1 sigmoid\n%s```\n", cases[q].line);
        lesson l;
        ds_error err = {0};
        assert_int_equal(lesson_parse(&l, "x.md", text, strlen(text), &err), 0);
        const train_config *c = &l.experiments[0].train;
        if (cases[q].field < 10)
            assert_int_equal(c->clip, cases[q].field);
        else
            assert_int_equal(c->schedule, cases[q].field - 10);
        lesson_free(&l);
    }
    for (int k = 0; k < ACT_COUNT; k++) {
        char text[400];
        snprintf(text, sizeof text, "# L\n\n```deepstep\ndata = xor\nlayer = dense 3 %s\nlayer = dense 1 sigmoid\n```\n",
                 act_name((activation)k));
        lesson l;
        ds_error err = {0};
        assert_int_equal(lesson_parse(&l, "x.md", text, strlen(text), &err), 0);
        assert_int_equal(l.experiments[0].train.layers[0].act, k);
        lesson_free(&l);
    }
    for (int k = 0; k < LOSS_COUNT; k++) {
        char text[400];
        snprintf(text, sizeof text, "# L\n\n```deepstep\ndata = xor\nlayer = dense 2 linear\nloss = %s\n```\n",
                 loss_name((loss_kind)k));
        lesson l;
        ds_error err = {0};
        assert_int_equal(lesson_parse(&l, "x.md", text, strlen(text), &err), 0); /* each takes 2 linear outputs */
        assert_int_equal(l.experiments[0].train.loss, k);
        lesson_free(&l);
    }
}

/* README's syntax lines and tables name exactly the tables' entries: the manual is written
 * by hand, so this is what keeps it from drifting when a name is added. */
static char *read_readme(void)
{
    FILE *f = fopen("README.md", "rb");
    assert_non_null(f);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* The names joined with sep, each followed by its operands ("" for none). */
static void joined_with(char *buf, size_t cap, const char *(*name)(int), int n, const char *sep,
                        const char *const *operands)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%s%s%s", i ? sep : "", name(i), operands && operands[i][0] ? " " : "",
                 operands ? operands[i] : "");
    }
}

static void expect_in_readme(const char *readme, const char *needle)
{
    if (!strstr(readme, needle))
        fail_msg("README.md does not contain '%s'", needle);
}

static void test_normalize_table(void **s)
{
    (void)s;
    check_table(norm_name_i, norm_parse_i, norm_names_list(), NORM_COUNT, "none, minmax, symmetric, zscore");
    char got[600];
    block_error("normalize = whiten\n", got, sizeof got); /* the parser's list is the table's */
    assert_non_null(strstr(got, norm_names_list()));
}

static void test_readme_lists_the_tables(void **s)
{
    (void)s;
    const char *readme = read_readme();
    char buf[400], line[500];
    joined_with(buf, sizeof buf, act_name_i, ACT_COUNT, " ", NULL);
    snprintf(line, sizeof line, "# ACT: %s\n", buf);
    expect_in_readme(readme, line);
    joined_with(buf, sizeof buf, loss_name_i, LOSS_COUNT, " | ", NULL);
    snprintf(line, sizeof line, "loss       = %s ", buf);
    expect_in_readme(readme, line);
    static const char *const clip_ops[CLIP_COUNT] = {[CLIP_NONE] = "", [CLIP_NORM] = "F", [CLIP_VALUE] = "F"};
    joined_with(buf, sizeof buf, clip_name_i, CLIP_COUNT, " | ", clip_ops);
    snprintf(line, sizeof line, "clip       = %s ", buf);
    expect_in_readme(readme, line);
    static const char *const sched_ops[SCHED_COUNT] = {[SCHED_EXP] = "G", [SCHED_STEP] = "N G", [SCHED_CONSTANT] = "",
                                                       [SCHED_COSINE] = "", [SCHED_RANGE] = "LO HI"};
    joined_with(buf, sizeof buf, sched_name_i, SCHED_COUNT, " | ", sched_ops);
    snprintf(line, sizeof line, "schedule   = %s [warmup=N]\n", buf);
    expect_in_readme(readme, line);
    for (int k = 0; k < OPT_COUNT; k++) { /* the optimizer table */
        snprintf(line, sizeof line, "\n| `%s` | ", optim_name((opt_kind)k));
        expect_in_readme(readme, line);
    }
    for (int k = 0; k < HEALTH_COUNT; k++) { /* the health table */
        snprintf(line, sizeof line, "\n| `%s` | ", health_name((layer_health)k));
        expect_in_readme(readme, line);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activation_table),
        cmocka_unit_test(test_loss_table),
        cmocka_unit_test(test_optimizer_table),
        cmocka_unit_test(test_clip_and_schedule_tables),
        cmocka_unit_test(test_health_table),
        cmocka_unit_test(test_normalize_table),
        cmocka_unit_test(test_parser_messages_come_from_the_tables),
        cmocka_unit_test(test_readme_lists_the_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
