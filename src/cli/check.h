/* check.h - running experiments quietly for their numbers: `deepstep check` evaluates every
 * expectation of a lesson, `deepstep run --compare` prints a comparison table. */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include "../lesson/lesson.h"

/* run_result, what a run shows, is in lesson/expect.h beside the metric table that reads it. */

/* Train x to the end without printing; fills r. */
void run_quiet(const experiment *x, run_result *r);
void run_result_free(run_result *r);

/* `deepstep check LESSON.md ...` */
int cmd_check(int argc, char **argv);
/* The --compare tables of a lesson; returns an exit status. */
int print_compare_tables(const lesson *l);

#endif
