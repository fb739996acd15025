/* stats.h - per-layer numerical health, computed by the engine so the UI and the CSV
 * log show the same numbers.
 *   activation min/max/mean/std   over the batch's a (population std)
 *   frac_saturated   tanh |a| > 0.97, sigmoid a < 0.03 or a > 0.97 (share of all values)
 *   frac_dead        relu: share of units whose output is 0 for every row of the batch
 *   grad_norm        L2 norm of (dW, db)
 *   weight_norm      L2 norm of (W, b)
 *   update_ratio     log10(std(W_after - W_before) / std(W_before)); healthy near -3;
 *                    -inf when nothing moved
 */
#ifndef DS_STATS_H
#define DS_STATS_H

#include "net.h"

typedef struct layer_stats {
    float act_min, act_max, act_mean, act_std;
    float frac_saturated, frac_dead;
    float grad_norm, weight_norm, update_ratio;
} layer_stats;

#define SATURATION_THRESHOLD 0.97f

void stats_activations(layer_stats *s, const net *n, const workspace *ws, int i);
void stats_gradients(layer_stats *s, const net *n, int i);
void stats_update(layer_stats *s, const net *n, int i);

#endif
