/* lesson.h - a lesson is a Markdown file: its first `#` heading is the title, the first
 * paragraph is the summary, every `##` heading starts a page, and each fenced block with
 * info string `deepstep` is an experiment (belonging to the page it appears on). */
#ifndef DS_LESSON_H
#define DS_LESSON_H

#include <stddef.h>

#include "../common/err.h"
#include "experiment.h"

typedef struct lesson_page {
    char title[160];
    size_t begin, end; /* byte range of the page's Markdown in lesson.src */
    int line;          /* line of the page's heading (1 for the intro page) */
} lesson_page;

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
} lesson;

int lesson_load(lesson *l, const char *path, ds_error *err);
/* Same, from text in memory (tests); path is used in messages and to resolve data paths. */
int lesson_parse(lesson *l, const char *path, const char *text, size_t len, ds_error *err);
void lesson_free(lesson *l);

/* Experiment by 1-based number or by name; NULL with a message listing the choices. */
const experiment *lesson_find_experiment(const lesson *l, const char *which, ds_error *err);

#endif
