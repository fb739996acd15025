/* samples.h - the validation rows as the net sees them after each epoch: the confusion matrix
 * and the most confidently wrong examples (the Data panel's views). */
#ifndef DS_SAMPLES_H
#define DS_SAMPLES_H

#include "insight.h"

typedef struct sample_cache sample_cache;

/* At each epoch's end (session.c's record, whether the panel is shown or not): the confusion
 * matrix and worst examples of the validation rows with the weights the epoch's accuracy was
 * measured with, so the matrix's diagonal is that accuracy. */
void samples_epoch_end(session *s);
/* Recompute after an epoch ended (or the run stepped back past one); cheap when nothing changed. */
void samples_update(session *s);
/* How many items the up/down keys move through in view v (batch rows, worst examples, first-layer
 * units); 0 when the view has no selection. */
int samples_count(const session *s, data_view v);
void samples_free(sample_cache *c);

#endif
