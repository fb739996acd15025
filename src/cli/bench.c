/* bench.c - the benchmark behind `make bench`. Every number comes from this run: training
 * steps of four nets (with statistics on and off), a rewind at step 10 000, a frame render,
 * start-up, the MNIST lesson's peak memory, and the machine's own FMA peak. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../engine/trainer.h"
#include "../lesson/experiment_data.h"
#include "../lesson/lesson.h"
#include "../ui/app.h"
#include "bench_ui.h"
#include "../common/clock.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- the machine's peak: independent FMAs, the widest vectors the CPU has ---------- */

#define PEAK_ITERS (1 << 22)
#define PEAK_ACC 12 /* enough independent chains to cover FMA latency on two ports */

/* Twelve named accumulators, so they stay in registers whatever the optimiser does, each
 * starting from a different value: chains that start equal are the same expression, and the
 * compiler would merge them (an earlier version measured two chains and counted twelve). */
#define FMA12(F, m, a)                                                                                        \
    do {                                                                                                       \
        x0 = F(x0, m, a), x1 = F(x1, m, a), x2 = F(x2, m, a), x3 = F(x3, m, a), x4 = F(x4, m, a);             \
        x5 = F(x5, m, a), x6 = F(x6, m, a), x7 = F(x7, m, a), x8 = F(x8, m, a), x9 = F(x9, m, a);             \
        x10 = F(x10, m, a), x11 = F(x11, m, a);                                                               \
    } while (0)

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f"))) static double peak_avx512(void)
{
    __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
#define S5(k) _mm512_set1_ps(1.0f + 0.01f * (k))
    __m512 x0 = S5(0), x1 = S5(1), x2 = S5(2), x3 = S5(3), x4 = S5(4), x5 = S5(5), x6 = S5(6), x7 = S5(7),
           x8 = S5(8), x9 = S5(9), x10 = S5(10), x11 = S5(11);
    double t0 = mono_seconds();
    for (int i = 0; i < PEAK_ITERS; i++)
        FMA12(_mm512_fmadd_ps, m, a);
    double dt = mono_seconds() - t0;
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(x0, x1), _mm512_add_ps(x2, x3)),
                             _mm512_add_ps(_mm512_add_ps(x4, x5), _mm512_add_ps(x6, x7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(x8, x9), _mm512_add_ps(x10, x11)));
    if (_mm512_reduce_add_ps(s) == 42.0f) /* keep the loop alive */
        fprintf(stderr, " ");
    return 2.0 * 16 * 12 * (double)PEAK_ITERS / dt / 1e9;
}

__attribute__((target("avx2,fma"))) static double peak_avx2(void)
{
    __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
#define S2(k) _mm256_set1_ps(1.0f + 0.01f * (k))
    __m256 x0 = S2(0), x1 = S2(1), x2 = S2(2), x3 = S2(3), x4 = S2(4), x5 = S2(5), x6 = S2(6), x7 = S2(7),
           x8 = S2(8), x9 = S2(9), x10 = S2(10), x11 = S2(11);
    double t0 = mono_seconds();
    for (int i = 0; i < PEAK_ITERS; i++)
        FMA12(_mm256_fmadd_ps, m, a);
    double dt = mono_seconds() - t0;
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(x0, x1), _mm256_add_ps(x2, x3)),
                             _mm256_add_ps(_mm256_add_ps(x4, x5), _mm256_add_ps(x6, x7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(x8, x9), _mm256_add_ps(x10, x11)));
    float out[8];
    _mm256_storeu_ps(out, s);
    if (out[0] == 42.0f)
        fprintf(stderr, " ");
    return 2.0 * 8 * 12 * (double)PEAK_ITERS / dt / 1e9;
}
#endif

static double peak_scalar(void)
{
    volatile float seed = 0.999999f;
    float acc[PEAK_ACC], m = seed, a = 1e-7f;
    for (int k = 0; k < PEAK_ACC; k++)
        acc[k] = 1.0f + 0.01f * (float)k; /* distinct, so no two chains can be merged */
    double t0 = mono_seconds();
    for (int i = 0; i < PEAK_ITERS; i++)
        for (int k = 0; k < PEAK_ACC; k++)
            acc[k] = acc[k] * m + a;
    double dt = mono_seconds() - t0;
    float sink = 0;
    for (int k = 0; k < PEAK_ACC; k++)
        sink += acc[k];
    if (sink == 42.0f)
        fprintf(stderr, " ");
    return 2.0 * PEAK_ACC * (double)PEAK_ITERS / dt / 1e9;
}

static double measure_peak(const char **isa)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        *isa = "avx512 fma";
        peak_avx512();
        return fmax(peak_avx512(), peak_avx512());
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *isa = "avx2 fma";
        peak_avx2();
        return fmax(peak_avx2(), peak_avx2());
    }
#endif
    *isa = "scalar";
    return peak_scalar();
}

/* ---- training steps ---------------------------------------------------------------- */

typedef struct bench_case {
    const char *name, *what;
    int in, batch;
    int widths[12];
    const char *act;
    int n_layers; /* hidden layers */
    int out;
} bench_case;

static const bench_case cases[] = {
    {"a", "64-32-10 tanh, batch 32", 64, 32, {32}, "tanh", 1, 10},
    {"b", "784-128-64-10 relu, batch 64", 784, 64, {128, 64}, "relu", 2, 10},
    {"c", "2-32x10-2 tanh, batch 16", 2, 16, {32, 32, 32, 32, 32, 32, 32, 32, 32, 32}, "tanh", 10, 2},
    {"d", "784-256-256-10 relu, batch 128", 784, 128, {256, 256}, "relu", 2, 10},
};

/* The case as an experiment: random data in memory, SGD with momentum, softmax cross-entropy. */
static int make_experiment(const bench_case *c, experiment *x)
{
    char text[2048];
    int n = snprintf(text, sizeof text, "data = random samples=%d features=%d classes=%d\nbatch = %d\nshuffle = no\n",
                     c->batch * 8, c->in, c->out, c->batch);
    for (int i = 0; i < c->n_layers; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "layer = dense %d %s init=xavier\n", c->widths[i], c->act);
    snprintf(text + n, sizeof text - (size_t)n,
             "layer = dense %d linear\nloss = cross_entropy\noptimizer = momentum lr=0.001 momentum=0.9\n"
             "epochs = 1000000\nseed = 1\n", c->out);
    ds_error err = {0};
    if (experiment_parse(x, text, strlen(text), "bench", 1, 1, ".", &err) != 0) {
        err_print(stderr, &err);
        return -1;
    }
    return 0;
}

static double case_flops(const bench_case *c)
{
    double flops = 0;
    int prev = c->in;
    for (int i = 0; i <= c->n_layers; i++) {
        int w = i < c->n_layers ? c->widths[i] : c->out;
        /* forward, weight gradient, and the input gradient except for the first layer */
        flops += 2.0 * c->batch * prev * w * (i == 0 ? 2 : 3);
        prev = w;
    }
    return flops;
}

/* Steps per timed block: about 60 ms of them, after a warm-up. */
static int block_steps(trainer *t)
{
    for (int i = 0; i < 20; i++)
        trainer_step(t, STEP_BATCH);
    double t0 = mono_seconds();
    int probe = 0;
    while (mono_seconds() - t0 < 0.02)
        trainer_step(t, STEP_BATCH), probe++;
    return (int)(0.06 / ((mono_seconds() - t0) / probe)) + 1;
}

static double block_us(trainer *t, int n)
{
    double s0 = mono_seconds();
    for (int i = 0; i < n; i++)
        trainer_step(t, STEP_BATCH);
    return (mono_seconds() - s0) / n * 1e6;
}

enum { REPEATS = 7 };

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* A trainer on its own data d, which outlives it: release both with trainer_free. */
static int trainer_for(const bench_case *c, bool stats, trainer *t, experiment_data *d)
{
    experiment x;
    if (make_experiment(c, &x) != 0)
        return -1;
    ds_error err = {0};
    if (experiment_data_load(&x, d, &err) != 0) {
        err_print(stderr, &err);
        return -1;
    }
    if (experiment_trainer_create(t, &x, d, 0, 0, 0, &err) != 0) {
        err_print(stderr, &err);
        experiment_data_free(d);
        return -1;
    }
    t->no_stats = !stats;
    return 0;
}

static void trainer_free(trainer *t, experiment_data *d)
{
    trainer_destroy(t);
    experiment_data_free(d);
}

/* Median microseconds per step, statistics on, over REPEATS blocks. */
static int bench_case_run(const bench_case *c, double peak)
{
    trainer t;
    experiment_data d;
    if (trainer_for(c, true, &t, &d) != 0)
        return -1;
    int n = block_steps(&t);
    double us[REPEATS];
    for (int r = 0; r < REPEATS; r++)
        us[r] = block_us(&t, n);
    double med = median(us, REPEATS);
    double gflops = case_flops(c) / (med * 1e-6) / 1e9;
    printf("bench %s samples_per_s=%.0f us_per_step=%.2f gflops=%.2f peak_pct=%.1f   # %s\n", c->name,
           c->batch / (med * 1e-6), med, gflops, 100.0 * gflops / peak, c->what);
    trainer_free(&t, &d);
    return 0;
}

/* The cost of the statistics: blocks with them on and off alternate, so a machine that speeds
 * up or slows down during the run moves both sides of each ratio alike; the median ratio is
 * reported. */
static int stats_overhead_run(const bench_case *c)
{
    trainer on, off;
    experiment_data d_on, d_off;
    if (trainer_for(c, true, &on, &d_on) != 0)
        return -1;
    if (trainer_for(c, false, &off, &d_off) != 0) {
        trainer_free(&on, &d_on);
        return -1;
    }
    int n = block_steps(&on);
    block_steps(&off);
    double ratio[REPEATS], us_off[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        double u_on = block_us(&on, n);
        us_off[r] = block_us(&off, n);
        ratio[r] = u_on / us_off[r];
    }
    printf("bench %s_nostats us_per_step=%.2f stats_overhead=%.3f   # statistics on / off, alternating blocks\n",
           c->name, median(us_off, REPEATS), median(ratio, REPEATS));
    trainer_free(&on, &d_on);
    trainer_free(&off, &d_off);
    return 0;
}

/* ---- rewind, start-up, memory ---------------------------------------------------- */

static double rewind_cost(void)
{
    experiment x;
    if (make_experiment(&cases[0], &x) != 0)
        return NAN;
    session s;
    ds_error err = {0};
    if (session_start(&s, &x, &err) != 0)
        return NAN;
    while (s.t.state.step < 10000)
        session_step(&s, STEP_BATCH);
    for (int i = 0; i < 3; i++) /* into the middle of step 10 001 */
        session_step(&s, STEP_MICRO);
    enum { RUNS = 31 };
    double us[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = mono_seconds();
        session_back(&s);
        us[r] = (mono_seconds() - t0) * 1e6;
        session_step(&s, STEP_MICRO);
    }
    qsort(us, RUNS, sizeof *us, cmp_double);
    session_free(&s);
    return us[RUNS / 2];
}

/* Run self with args; wall seconds and peak RSS (KB) of the child. */
static int spawn_measure(const char *self, char *const argv[], double *seconds, long *maxrss_kb)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1 /* O_WRONLY */, 0);
    pid_t pid;
    double t0 = mono_seconds();
    int rc = posix_spawn(&pid, self, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *seconds = mono_seconds() - t0;
    *maxrss_kb = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int cmd_first_frame(const char *lesson_path)
{
    app a;
    app_init(&a);
    ds_error err = {0};
    if (app_open_lesson(&a, lesson_path, &err) != 0) {
        err_print(stderr, &err);
        return 1;
    }
    frame f;
    frame_init(&f, 80, 24);
    view_draw(&a, &f);
    int ok = frame_contains(&f, a.les->lesson.title);
    frame_free(&f);
    app_free(&a);
    return ok ? 0 : 1;
}

int cmd_bench(int argc, char **argv, const char *self)
{
    (void)argc, (void)argv;
    const char *isa;
    double peak = measure_peak(&isa);
    printf("bench peak gflops=%.1f   # one core, %s, measured by a loop of independent FMAs\n", peak, isa);
    /* The MNIST run goes first: posix_spawn shares this process's memory until exec, and Linux
     * carries the parent's peak RSS into the child's ru_maxrss, so it must be spawned while this
     * process is still small (later, two case-d trainers added 6 MB to the figure). */
    char *mnist[] = {(char *)self, "run", "lessons/06-dropout.md", "--experiment", "plain", "--quiet", NULL};
    double mnist_s;
    long mnist_rss;
    if (spawn_measure(self, mnist, &mnist_s, &mnist_rss) != 0) {
        fprintf(stderr, "deepstep bench: the MNIST lesson did not run\n");
        return 1;
    }
    for (int i = 0; i < 4; i++)
        if (bench_case_run(&cases[i], peak) != 0)
            return 1;
    for (int i = 0; i < 4; i++)
        if (stats_overhead_run(&cases[i]) != 0)
            return 1;
    printf("bench rewind_step10000 median_us=%.1f   # one micro-step back (case a), snapshot restore and replay\n",
           rewind_cost());
    double frame_us;
    if (bench_ui("lessons/04-vanishing-gradients.md", 3, &frame_us) != 0)
        return 1;
    double plane_ms;
    if (bench_plane("lessons/00-welcome.md", 2, &plane_ms) != 0 ||
        bench_plane("lessons/10-learning-rate-decay.md", 1, &plane_ms) != 0)
        return 1;
    if (bench_dist("lessons/06-dropout.md") != 0)
        return 1;
    double ui_ratio;
    if (bench_ui_training("lessons/06-dropout.md", &ui_ratio) != 0)
        return 1;
    double secs[5];
    long rss;
    for (int i = 0; i < 5; i++) {
        char *args[] = {(char *)self, "--first-frame", "lessons/00-welcome.md", NULL};
        if (spawn_measure(self, args, &secs[i], &rss) != 0) {
            fprintf(stderr, "deepstep bench: could not run %s --first-frame\n", self);
            return 1;
        }
    }
    qsort(secs, 5, sizeof *secs, cmp_double);
    printf("bench startup_first_frame median_ms=%.1f   # process start to the first 80x24 frame of the welcome "
           "lesson (without terminal setup)\n", secs[2] * 1e3);
    printf("bench mnist_lesson peak_rss_mb=%.1f seconds=%.2f   # lessons/06-dropout.md, experiment plain, 10 epochs\n",
           mnist_rss / 1024.0, mnist_s);
    return 0;
}
