/* lesson.h - a lesson is a Markdown file: its first `#` heading is the title, the first
 * paragraph is the summary, every `##` heading starts a page, and each fenced block with
 * info string `deepstep` is an experiment (belonging to the page it appears on). */
#ifndef DS_LESSON_H
#define DS_LESSON_H

#include <stddef.h>

#include "../common/err.h"
#include "ask.h"
#include "experiment.h"
#include "../engine/surface.h"

/* Limits, each refused with a `file:line:` message rather than attempted: a lesson is read
 * whole into memory, and the browser parses every lesson in a folder to list it. */
#define LESSON_MAX_BYTES (4u << 20) /* the file */
#define LESSON_MAX_PAGES 1000       /* `##` headings */
#define LESSON_MAX_BLOCKS 200       /* ```deepstep blocks of all kinds (experiment, compare, race, ask) */
/* ... and per block: EXPERIMENT_MAX_EXPECTS (8) expect lines, NET_MAX_LAYERS (64) layers,
 * lines of at most EXPERIMENT_LINE_MAX (1023) characters in blocks of every kind. */

typedef struct lesson_page {
    char title[160];
    size_t begin, end; /* byte range of the page's Markdown in lesson.src */
    int line;          /* line of the page's heading (1 for the intro page) */
} lesson_page;

/* A ```deepstep compare block: experiments trained from the same seed and data, compared
 * side by side (deepstep run --compare; the UI runs them in lockstep):
 *     experiments = plain batchnorm residual   (names, 2 to 6)
 *     target_loss = 0.5                        (optional: "steps to reach it" in the table)
 *     expect      = batchnorm.val_acc > plain.val_acc + 0.3   (repeats; name each experiment) */
#define COMPARE_MAX 6
typedef struct lesson_compare {
    char names[COMPARE_MAX][64];
    int n;
    int index[COMPARE_MAX]; /* experiment indices */
    double target_loss;     /* NAN when not given */
    expectation expects[8];
    int n_expects;
    int line, page;
} lesson_compare;

/* A ```deepstep race block: optimizers racing on a 2-D surface, drawn as paths on a contour
 * map (C in the UI), checked by their final distance to a minimum:
 *     surface = rosenbrock          (quadratic, rosenbrock or saddle)
 *     start   = -1.5 2
 *     steps   = 300
 *     racer   = sgd lr=0.001        (repeats, optimizer syntax; named after the optimizer)
 *     expect  = adam.distance < sgd.distance */
typedef struct lesson_race {
    surface_kind surface;
    double start[2];
    int steps;
    opt_config opts[RACE_MAX_RACERS];
    char labels[RACE_MAX_RACERS][32];
    int n;
    expectation expects[8];
    int n_expects;
    int line, page;
} lesson_race;

typedef struct lesson {
    char path[EXPERIMENT_PATH_MAX];
    char *src;
    size_t len;
    char title[160];
    char summary[320];
    lesson_page *pages;
    int n_pages;
    experiment *experiments;
    int *experiment_page; /* page of each experiment */
    int n_experiments;
    lesson_compare *compares;
    int n_compares;
    lesson_race *races;
    int n_races;
    lesson_ask *asks;     /* ```deepstep ask blocks (ask.h), in the order they appear */
    int n_asks;
} lesson;

/* Index of the experiment with this name, -1 if none. */
int lesson_experiment_index(const lesson *l, const char *name);

/* Reads a regular file (a directory, device or FIFO is refused by name) of at most
 * LESSON_MAX_BYTES without NUL bytes. A UTF-8 byte-order mark is skipped, and CRLF or CR
 * line ends become LF in l->src (line numbers are unchanged). */
int lesson_load(lesson *l, const char *path, ds_error *err);
/* Same, from text in memory (tests; a NUL byte is refused here too); path is used in
 * messages and to resolve data paths. */
int lesson_parse(lesson *l, const char *path, const char *text, size_t len, ds_error *err);
void lesson_free(lesson *l);

/* Experiment by 1-based number or by name; NULL with a message listing the choices. */
const experiment *lesson_find_experiment(const lesson *l, const char *which, ds_error *err);

#endif
