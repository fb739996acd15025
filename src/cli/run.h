/* run.h - `deepstep run`: train a lesson's experiment headless. */
#ifndef DS_RUN_H
#define DS_RUN_H

#include <stdio.h>

#include "runner.h" /* the exit statuses */

int cmd_run(int argc, char **argv);
void run_usage(FILE *out);

#endif
