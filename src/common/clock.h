/* clock.h - the one monotonic clock: progress lines, frame pacing, benchmarks and the
 * seconds column of compare tables all measure intervals, never the time of day, so a
 * clock set back by NTP cannot make an interval negative. */
#ifndef DS_CLOCK_H
#define DS_CLOCK_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC); only differences mean anything. */
double mono_seconds(void);

#endif
