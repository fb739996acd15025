/* fuzz_common.h - shared by the libFuzzer harnesses in tests/fuzz/: the loaders under test
 * take paths, so each harness writes its input to temporary files (made once per process
 * with mkstemp in $TMPDIR or /tmp, rewritten on every iteration, removed at exit). */
#ifndef DS_FUZZ_COMMON_H
#define DS_FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"

#define FUZZ_MAX_TEMPS 4

typedef struct fuzz_temp {
    char path[512];
    int fd;
} fuzz_temp;

static fuzz_temp fuzz_temps[FUZZ_MAX_TEMPS];
static int fuzz_n_temps;

static inline void fuzz_remove_temps(void)
{
    for (int i = 0; i < fuzz_n_temps; i++) {
        close(fuzz_temps[i].fd);
        unlink(fuzz_temps[i].path);
    }
    fuzz_n_temps = 0;
}

/* A new temporary file named after tag (e.g. "csv" -> /tmp/deepstep-fuzz-csv-XXXXXX.csv);
 * returns its index. Aborts when it cannot be made: nothing could be fuzzed. */
static inline int fuzz_temp_new(const char *tag, const char *suffix)
{
    if (fuzz_n_temps == FUZZ_MAX_TEMPS)
        abort();
    const char *dir = getenv("TMPDIR");
    if (!dir || !dir[0])
        dir = "/tmp";
    fuzz_temp *t = &fuzz_temps[fuzz_n_temps];
    snprintf(t->path, sizeof t->path, "%s/deepstep-fuzz-%s-XXXXXX", dir, tag);
    t->fd = mkstemp(t->path);
    if (t->fd < 0) {
        fprintf(stderr, "fuzz: cannot create a temporary file in %s: %s\n", dir, strerror(errno));
        abort();
    }
    /* The loaders only ever see the path; some care about the suffix, so give it one by
     * renaming the mkstemp file (the unique part stays). */
    if (suffix && suffix[0]) {
        char with[sizeof t->path + 16];
        snprintf(with, sizeof with, "%s%s", t->path, suffix);
        if (rename(t->path, with) == 0)
            snprintf(t->path, sizeof t->path, "%s", with);
    }
    if (fuzz_n_temps == 0)
        atexit(fuzz_remove_temps);
    return fuzz_n_temps++;
}

/* Replaces the content of temp i with data[0..n). */
static inline void fuzz_temp_write(int i, const void *data, size_t n)
{
    fuzz_temp *t = &fuzz_temps[i];
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(t->fd, (const char *)data + done, n - done, (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    /* Cut what an earlier, longer input left, after writing: truncating to 0 first makes
     * ext4 flush the file on every input (its replace-via-truncate heuristic), 20 times
     * slower than this. */
    if (ftruncate(t->fd, (off_t)n) != 0)
        abort();
}

static inline const char *fuzz_temp_path(int i) { return fuzz_temps[i].path; }

/* Invariant checks: a violated one is a bug the sanitizers would not see; trap so libFuzzer
 * records the input. */
#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* With FUZZ_VERBOSE=1 in the environment (replaying one input by hand), print what the
 * loader said about it, as deepstep would. */
static inline void fuzz_say(const ds_error *e, int rc)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("FUZZ_VERBOSE") && getenv("FUZZ_VERBOSE")[0] && getenv("FUZZ_VERBOSE")[0] != '0';
    if (!verbose)
        return;
    if (rc != 0)
        err_print(stderr, e);
    else
        fprintf(stderr, "fuzz: accepted\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UBSan's defaults for these binaries: a stack trace with every report (replaying a crash
 * file then shows where, without setting UBSAN_OPTIONS). UBSAN_OPTIONS still overrides. */
const char *__ubsan_default_options(void);
__attribute__((used)) const char *__ubsan_default_options(void) { return "print_stacktrace=1"; }

#endif
