#include "stats.h"

#include <math.h>

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

static double sum_squares(const float *v, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += (double)v[k] * v[k];
    return s;
}

void stats_gradients(layer_stats *s, const net *n, int i)
{
    const layer *L = &n->layers[i];
    s->grad_norm = (float)sqrt(sum_squares(L->dW, L->n_params));
}

static double std_of(const float *v, const float *minus, size_t n)
{
    double sum = 0.0, sq = 0.0;
    for (size_t k = 0; k < n; k++)
        sum += minus ? (double)v[k] - minus[k] : v[k];
    double mean = sum / n;
    for (size_t k = 0; k < n; k++) {
        double d = (minus ? (double)v[k] - minus[k] : v[k]) - mean;
        sq += d * d;
    }
    return sqrt(sq / n);
}

void stats_update(layer_stats *s, const net *n, int i)
{
    const layer *L = &n->layers[i];
    size_t nw = L->n_weights;
    s->weight_norm = (float)sqrt(sum_squares(L->W, L->n_params));
    if (nw == 0) { /* no weights: nothing to compare an update with */
        s->update_ratio = NAN;
        return;
    }
    double du = std_of(L->W, L->W_prev, nw), w = std_of(L->W_prev, NULL, nw);
    if (du == 0.0)
        s->update_ratio = -INFINITY;
    else if (w == 0.0)
        s->update_ratio = INFINITY;
    else
        s->update_ratio = (float)log10(du / w);
}
