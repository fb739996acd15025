/* samples.h - the validation rows as the net sees them after each epoch: the confusion matrix
 * and the most confidently wrong examples (the Data panel's views). */
#ifndef DS_SAMPLES_H
#define DS_SAMPLES_H

#include "insight.h"

typedef struct sample_cache sample_cache;

/* Recompute after an epoch ended (or the run stepped back past one); cheap when nothing changed. */
void samples_update(session *s);
/* How many items the up/down keys move through in view v (batch rows, worst examples, first-layer
 * units); 0 when the view has no selection. */
int samples_count(const session *s, data_view v);
void samples_free(sample_cache *c);

#endif
