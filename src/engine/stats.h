/* stats.h - per-layer numerical health, computed by the engine so the UI and the CSV
 * log show the same numbers.
 *   activation min/max/mean/std   over the batch's a (population std)
 *   frac_saturated   tanh |a| > 0.97, sigmoid a < 0.03 or a > 0.97 (share of all values)
 *   frac_dead        relu: share of units whose output is 0 for every row of the batch
 *   grad_norm        L2 norm of (dW, db), unscaled: with loss scaling the backward pass stores
 *                    loss_scale times the gradient (the update divides it out), and what is
 *                    healthy or exploding is the gradient the optimizer uses
 *   dz_std           population std of the layer's dL/dz over the batch (rows x units),
 *                    unscaled: the backward signal whose size Xavier's rule keeps
 *   weight_norm      L2 norm of (W, b)
 *   update_ratio     log10(std(W_after - W_before) / std(W_before)); healthy near -3;
 *                    -inf when nothing moved. Batchnorm and layernorm use the RMS instead of
 *                    the std (gamma starts as all ones, whose std is 0).
 * Layers without parameters (dropout, residual markers) report grad_norm, weight_norm and
 * update_ratio as NaN: not applicable.
 *
 * Health, per layer and step, first match wins (thresholds below, measured on the lessons:
 * healthy nets stay under a gradient norm of 3 and an update ratio of -1):
 *   exploding   gradient norm (before clipping) > 100, or update ratio > -0.5
 *   dead        ReLU with >= 50% of its units 0 for the whole batch
 *   saturated   tanh/sigmoid with >= 50% of outputs saturated
 *   vanishing   gradient norm < 1e-3 x the largest layer's this step, or < 1e-7
 *   ok          otherwise
 */
#ifndef DS_STATS_H
#define DS_STATS_H

#include "net.h"

typedef enum layer_health {
    HEALTH_OK, HEALTH_VANISHING, HEALTH_EXPLODING, HEALTH_SATURATED, HEALTH_DEAD, HEALTH_COUNT
} layer_health;

typedef struct layer_stats {
    float act_min, act_max, act_mean, act_std;
    float frac_saturated, frac_dead;
    float grad_norm, weight_norm, update_ratio;
    float dz_std;          /* population std of dL/dz over the batch (unscaled, like grad_norm) */
    layer_health health;
    long lost_updates;     /* weights whose update rounded away: w + dw == w although dw != 0 */
    float frac_underflow;  /* share of the layer's gradient elements that underflowed to 0 */
} layer_stats;

#define SATURATION_THRESHOLD 0.97f
#define HEALTH_EXPLODING_GRAD_NORM 100.0f
#define HEALTH_EXPLODING_UPDATE_RATIO (-0.5f)
#define HEALTH_VANISHING_RELATIVE 1e-3f
#define HEALTH_VANISHING_ABSOLUTE 1e-7f
#define HEALTH_DEAD_FRACTION 0.5f
#define HEALTH_SATURATED_FRACTION 0.5f

const char *health_name(layer_health h);
/* 0 and *out set when name is a health word; -1 otherwise. */
int health_parse(const char *name, layer_health *out);
/* "ok, vanishing, exploding, saturated, dead", made from the same table as health_name. */
const char *health_names_list(void);
/* Classify every layer from its statistics (needs all layers: "vanishing" is relative). */
void stats_classify(layer_stats *s, const net *n);

void stats_activations(layer_stats *s, const net *n, const workspace *ws, int i);
/* dW, db hold `scale` times the gradient (the loss scale before the update unscales them). */
void stats_gradients(layer_stats *s, const net *n, int i, float scale);
void stats_update(layer_stats *s, const net *n, int i);

#endif
