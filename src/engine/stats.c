#include "stats.h"

#include <math.h>
#include <stdbool.h>

void stats_activations(layer_stats *s, const net *n, const workspace *ws, int i)
{
    const layer *L = &n->layers[i];
    const float *a = ws->a[i];
    int rows = ws->rows, width = L->n_out;
    size_t len = (size_t)rows * width;
    double sum = 0.0, sq = 0.0;
    float lo = INFINITY, hi = -INFINITY;
    size_t saturated = 0;
    for (size_t k = 0; k < len; k++) {
        float v = a[k];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
        if (L->act == ACT_TANH)
            saturated += fabsf(v) > SATURATION_THRESHOLD;
        else if (L->act == ACT_SIGMOID)
            saturated += v < 1.0f - SATURATION_THRESHOLD || v > SATURATION_THRESHOLD;
    }
    double mean = len ? sum / len : 0.0;
    for (size_t k = 0; k < len; k++)
        sq += ((double)a[k] - mean) * ((double)a[k] - mean);
    s->act_min = len ? lo : 0.0f;
    s->act_max = len ? hi : 0.0f;
    s->act_mean = (float)mean;
    s->act_std = len ? (float)sqrt(sq / len) : 0.0f;
    s->frac_saturated = len ? (float)saturated / (float)len : 0.0f;
    s->frac_dead = 0.0f;
    if (L->act == ACT_RELU && rows > 0) {
        int dead = 0;
        for (int u = 0; u < width; u++) {
            int alive = 0;
            for (int r = 0; r < rows && !alive; r++)
                alive = a[(size_t)r * width + u] > 0.0f;
            dead += !alive;
        }
        s->frac_dead = (float)dead / (float)width;
    }
}

/* Eight partial sums in a fixed order: the compiler can keep them in vector lanes (a single
 * running sum is a dependency chain it may not reorder), and the result is reproducible. */
static double sum_squares(const float *v, size_t n)
{
    double acc[8] = {0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += (double)v[k + j] * v[k + j];
    double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; k < n; k++)
        s += (double)v[k] * v[k];
    return s;
}

void stats_gradients(layer_stats *s, const net *n, int i)
{
    const layer *L = &n->layers[i];
    s->grad_norm = L->n_params ? (float)sqrt(sum_squares(L->dW, L->n_params)) : NAN;
}

/* One pass over the weights: sums and sums of squares of w_prev and of w - w_prev, in eight
 * fixed partial sums (vectorisable, reproducible). */
typedef struct moments {
    double sum_d, sq_d, sum_w, sq_w;
} moments;

static moments weight_moments(const float *w, const float *prev, size_t n)
{
    double sd[8] = {0}, qd[8] = {0}, sw[8] = {0}, qw[8] = {0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) {
            double p = prev[k + j], d = (double)w[k + j] - p;
            sd[j] += d, qd[j] += d * d, sw[j] += p, qw[j] += p * p;
        }
    moments m = {0, 0, 0, 0};
    for (int j = 0; j < 8; j++)
        m.sum_d += sd[j], m.sq_d += qd[j], m.sum_w += sw[j], m.sq_w += qw[j];
    for (; k < n; k++) {
        double p = prev[k], d = (double)w[k] - p;
        m.sum_d += d, m.sq_d += d * d, m.sum_w += p, m.sq_w += p * p;
    }
    return m;
}

/* Standard deviation from a sum and a sum of squares (or the RMS when not centred). */
static double spread(double sum, double sq, size_t n, bool centered)
{
    double mean = centered ? sum / n : 0.0, var = sq / n - mean * mean;
    return var > 0 ? sqrt(var) : 0.0;
}

void stats_update(layer_stats *s, const net *n, int i)
{
    const layer *L = &n->layers[i];
    size_t nw = L->n_weights;
    if (nw == 0) { /* no weights: nothing to compare an update with */
        s->weight_norm = s->update_ratio = NAN;
        return;
    }
    s->weight_norm = (float)sqrt(sum_squares(L->W, L->n_params));
    bool centered = L->kind != LAYER_BATCHNORM;
    moments m = weight_moments(L->W, L->W_prev, nw);
    double du = spread(m.sum_d, m.sq_d, nw, centered), w = spread(m.sum_w, m.sq_w, nw, centered);
    if (du == 0.0)
        s->update_ratio = -INFINITY;
    else if (w == 0.0)
        s->update_ratio = INFINITY;
    else
        s->update_ratio = (float)log10(du / w);
}

static const char *const health_names[HEALTH_COUNT] = {"ok", "vanishing", "exploding", "saturated", "dead"};

const char *health_name(layer_health h) { return (h >= 0 && h < HEALTH_COUNT) ? health_names[h] : "?"; }

void stats_classify(layer_stats *s, const net *n)
{
    float largest = 0.0f;
    for (int i = 0; i < n->n_layers; i++)
        if (isfinite(s[i].grad_norm) && s[i].grad_norm > largest)
            largest = s[i].grad_norm;
    for (int i = 0; i < n->n_layers; i++) {
        const layer *L = &n->layers[i];
        layer_stats *st = &s[i];
        bool has_grad = !isnan(st->grad_norm);
        if (has_grad && (st->grad_norm > HEALTH_EXPLODING_GRAD_NORM || st->update_ratio > HEALTH_EXPLODING_UPDATE_RATIO))
            st->health = HEALTH_EXPLODING;
        else if (L->act == ACT_RELU && st->frac_dead >= HEALTH_DEAD_FRACTION)
            st->health = HEALTH_DEAD;
        else if ((L->act == ACT_TANH || L->act == ACT_SIGMOID) && st->frac_saturated >= HEALTH_SATURATED_FRACTION)
            st->health = HEALTH_SATURATED;
        else if (has_grad && (st->grad_norm < HEALTH_VANISHING_ABSOLUTE ||
                              st->grad_norm < HEALTH_VANISHING_RELATIVE * largest))
            st->health = HEALTH_VANISHING;
        else
            st->health = HEALTH_OK;
    }
}
