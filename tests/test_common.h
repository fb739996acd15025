/* test_common.h - includes cmocka 1.1.5 needs first, and small helpers shared by tests. */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tests write under build/tmp (run from the project root); every test binary makes it, so
 * `make unit` or one binary run alone works on a clean tree. */
__attribute__((constructor)) static void make_tmp_dir(void)
{
    mkdir("build", 0777);
    mkdir("build/tmp", 0777);
}

/* ASan reserves terabytes of address space for its shadow memory: an address-space limit
 * cannot be used under it (the tests that cap memory then check only the messages). */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* In a forked child: cap the address space at `bytes`, so a loader that allocates what a
 * hostile file declares dies with "out of memory" instead of passing. 0, or -1 when the
 * limit could not be set. Nothing under ASan. */
static inline int cap_address_space(size_t bytes)
{
    struct rlimit lim = {(rlim_t)bytes, (rlim_t)bytes};
    return UNDER_ASAN ? 0 : setrlimit(RLIMIT_AS, &lim);
}

/* A dense layer spec (designated, so new fields stay zero). */
#define DENSE(units_, act_, init_) ((layer_spec){.kind = LAYER_DENSE, .units = (units_), .act = (act_), .init = (init_)})

/* |a - b| <= tol * max(|a|, |b|, floor): relative error with a floor for values near 0. */
static inline int close_rel(double a, double b, double tol, double floor)
{
    double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    if (scale < floor)
        scale = floor;
    return fabs(a - b) <= tol * scale;
}

#define assert_close(a, b, tol)                                                                    \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!close_rel(a_, b_, (tol), 1e-12)) {                                                    \
            print_error("%s = %.9g, expected %.9g (relative tolerance %g)\n", #a, a_, b_, (double)(tol)); \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Write text to a temporary file; returns its path in buf. */
static inline const char *temp_file(char *buf, size_t cap, const char *suffix, const void *data, size_t len)
{
    static int counter;
    snprintf(buf, cap, "build/tmp/t%d_%d%s", (int)getpid(), counter++, suffix);
    FILE *f = fopen(buf, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, len, f);
    fclose(f);
    return buf;
}

#endif
