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
#include <sys/stat.h>
#include <unistd.h>

/* Tests write under build/tmp (run from the project root); every test binary makes it, so
 * `make unit` or one binary run alone works on a clean tree. */
__attribute__((constructor)) static void make_tmp_dir(void)
{
    mkdir("build", 0777);
    mkdir("build/tmp", 0777);
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
