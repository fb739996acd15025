/* dist.h - distributions over time (the Distributions panel, 9): per layer and optimizer
 * step, a histogram of the batch's activations a and one of its dL/dz, and the layer's
 * update-to-weight ratio, over the last DIST_STEPS steps.
 *
 * A histogram is DIST_BINS equal bins over that step's own [min, max] (finite values; NaN and
 * Inf are counted apart), so it is exact at its resolution whatever the range and costs two
 * passes over the buffer. dL/dz is stored unscaled (the workspace holds loss_scale times it).
 * The view asks for a step's counts over a common value axis (dist_rebin): each stored bin
 * is spread over the axis' bins it overlaps, in proportion to the overlap.
 *
 * The history is a ring keyed by step: step s lives in slot (s - 1) % DIST_STEPS together
 * with s, so a step back and its replay rewrite the same slots, and a slot is shown only
 * while its step is within the last DIST_STEPS steps up to the current one. */
#ifndef DS_DIST_H
#define DS_DIST_H

#include <stdbool.h>
#include <stdint.h>

struct session;
typedef struct dist_history dist_history;

#define DIST_STEPS 64
#define DIST_BINS 32

typedef enum dist_kind { DIST_A, DIST_DZ, DIST_KINDS } dist_kind;

typedef struct dist_summary {
    float min, max;            /* of the finite values; 0 when there are none */
    uint32_t n;                /* finite values counted (rows x units of the layer) */
    uint32_t nonfinite;        /* NaN or Inf values, in no bin */
    uint32_t count[DIST_BINS]; /* bin k: min + k (max - min) / DIST_BINS .. the next edge; the
                                * last bin includes max; all values in bin 0 when min == max */
} dist_summary;

/* After an optimizer step ended (PHASE_END_BATCH): record its histograms and ratios.
 * Allocates s->dist on the first call (and again if the net's layer count changed). */
void dist_record(struct session *s);
void dist_free(dist_history *d);

/* The summary of layer i's values of kind k at step (1-based), NULL when the history does
 * not hold that step (never recorded, overwritten, or after the current step). */
const dist_summary *dist_at(const struct session *s, int i, dist_kind k, long step);
/* Layer i's update ratio (log10 std(dW)/std(W), as stats.h) at step: NaN when not held or
 * the layer has no weights, -inf when nothing moved. */
float dist_ratio(const struct session *s, int i, long step);
/* The steps held, oldest first: *first .. the current step; returns how many (0: none). */
int dist_steps(const struct session *s, long *first);
/* The union of [min, max] of layer i's kind-k values over steps first .. last (held ones);
 * false when none of them holds a finite value. */
bool dist_range(const struct session *s, int i, dist_kind k, long first, long last, double *lo, double *hi);
/* Add step's counts, re-binned onto nb equal bins over [lo, hi] (bin 0 at lo), into out[nb]:
 * a stored bin's count is spread over the bins it overlaps in proportion to the overlap (the
 * values taken as uniform inside it; a zero-width one goes to the bin holding its value).
 * Values outside [lo, hi] go to the nearest end bin. False (out untouched) when not held. */
bool dist_rebin(const struct session *s, int i, dist_kind k, long step, double lo, double hi, int nb, double *out);

#endif
