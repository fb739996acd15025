/* bench.h - `deepstep bench`: what `make bench` prints. */
#ifndef DS_BENCH_H
#define DS_BENCH_H

int cmd_bench(int argc, char **argv, const char *self);
/* `deepstep --first-frame LESSON`: load, build and render one frame, no terminal (start-up). */
int cmd_first_frame(const char *lesson_path);

#endif
