/* run.h - `deepstep run`: train a lesson's experiment headless. */
#ifndef DS_RUN_H
#define DS_RUN_H

#include <stdio.h>

/* Exit statuses: 0 trained, 1 bad input or usage, 3 training diverged (NaN/Inf), 130 interrupted. */
enum { EXIT_DIVERGED = 3, EXIT_INTERRUPTED = 130 };

int cmd_run(int argc, char **argv);
void run_usage(FILE *out);

#endif
