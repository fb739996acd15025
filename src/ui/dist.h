/* dist.h - distributions over time: per layer, histograms of the activations and of dL/dz over
 * the last steps, and the update-to-weight ratio per step (the Distributions panel, 9). */
#ifndef DS_DIST_H
#define DS_DIST_H

struct session;
typedef struct dist_history dist_history;

/* After an optimizer step ended (PHASE_END_BATCH): record its histograms and ratios. */
void dist_record(struct session *s);
void dist_free(dist_history *d);

#endif
