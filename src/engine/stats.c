#include "stats.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "../common/names.h"

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define VEC_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define VEC_CLONES
#endif

/* Statistics run on every step, so they are written for the vectoriser: one pass, sixteen
 * partial sums in float (one vector register), combined in double at the end. The order is
 * fixed, so the numbers are the same on every run. */
#define LANES 16

typedef struct act_summary {
    float lo, hi;
    double sum, sq;
    long saturated;
} act_summary;

VEC_CLONES static act_summary summarise(const float *restrict a, size_t len, int kind /* 0 none 1 tanh 2 sigmoid */)
{
    float lo[LANES], hi[LANES], sum[LANES], sq[LANES];
    int sat[LANES];
    for (int j = 0; j < LANES; j++)
        lo[j] = INFINITY, hi[j] = -INFINITY, sum[j] = 0, sq[j] = 0, sat[j] = 0;
    size_t k = 0;
    const float th = SATURATION_THRESHOLD, low = 1.0f - SATURATION_THRESHOLD;
    for (; k + LANES <= len; k += LANES)
        for (int j = 0; j < LANES; j++) {
            float v = a[k + j];
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
            sum[j] += v;
            sq[j] += v * v;
            float av = v < 0 ? -v : v;
            sat[j] += kind == 1 ? av > th : (kind == 2 ? (v < low) | (v > th) : 0);
        }
    act_summary s = {INFINITY, -INFINITY, 0, 0, 0};
    for (int j = 0; j < LANES; j++) {
        s.lo = lo[j] < s.lo ? lo[j] : s.lo;
        s.hi = hi[j] > s.hi ? hi[j] : s.hi;
        s.sum += sum[j];
        s.sq += sq[j];
        s.saturated += sat[j];
    }
    for (; k < len; k++) {
        float v = a[k], av = v < 0 ? -v : v;
        s.lo = v < s.lo ? v : s.lo;
        s.hi = v > s.hi ? v : s.hi;
        s.sum += v;
        s.sq += (double)v * v;
        s.saturated += kind == 1 ? av > th : (kind == 2 ? (v < low) | (v > th) : 0);
    }
    return s;
}

void stats_activations(layer_stats *s, const net *n, const workspace *ws, int i)
{
    const layer *L = &n->layers[i];
    const float *a = ws->a[i];
    int rows = ws->rows, width = L->n_out;
    size_t len = (size_t)rows * width;
    act_summary m = summarise(a, len, L->act == ACT_TANH ? 1 : (L->act == ACT_SIGMOID ? 2 : 0));
    double mean = len ? m.sum / len : 0.0, var = len ? m.sq / len - mean * mean : 0.0;
    s->act_min = len ? m.lo : 0.0f;
    s->act_max = len ? m.hi : 0.0f;
    s->act_mean = (float)mean;
    s->act_std = var > 0 ? (float)sqrt(var) : 0.0f;
    s->frac_saturated = len ? (float)m.saturated / (float)len : 0.0f;
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

VEC_CLONES static double sum_squares(const float *restrict v, size_t n)
{
    float acc[LANES] = {0};
    size_t k = 0;
    for (; k + LANES <= n; k += LANES)
        for (int j = 0; j < LANES; j++)
            acc[j] += v[k + j] * v[k + j];
    double s = 0;
    for (int j = 0; j < LANES; j++)
        s += acc[j];
    for (; k < n; k++)
        s += (double)v[k] * v[k];
    return s;
}

void stats_gradients(layer_stats *s, const net *n, int i, float scale)
{
    const layer *L = &n->layers[i];
    s->grad_norm = L->n_params ? (float)(sqrt(sum_squares(L->dW, L->n_params)) / scale) : NAN;
    const float *dz = n->train.dz[i];
    size_t len = (size_t)n->train.rows * L->n_out;
    double sum = 0, sq = 0;
    for (size_t k = 0; dz && k < len; k++) {
        sum += dz[k];
        sq += (double)dz[k] * dz[k];
    }
    double mean = len ? sum / len : 0.0, var = len ? sq / len - mean * mean : 0.0;
    /* NaN/Inf gradients stay NaN: a diverged layer must not read as a quiet one */
    s->dz_std = !dz ? 0.0f : !isfinite(var) ? NAN : var > 0 ? (float)(sqrt(var) / scale) : 0.0f;
}

/* One pass over the weights: sums and sums of squares of w_prev and of w - w_prev, in eight
 * fixed partial sums (vectorisable, reproducible). */
typedef struct moments {
    double sum_d, sq_d, sum_w, sq_w;
} moments;

VEC_CLONES static moments weight_moments(const float *restrict w, const float *restrict prev, size_t n)
{
    float sd[LANES] = {0}, qd[LANES] = {0}, sw[LANES] = {0}, qw[LANES] = {0};
    size_t k = 0;
    for (; k + LANES <= n; k += LANES)
        for (int j = 0; j < LANES; j++) {
            float p = prev[k + j], d = w[k + j] - p;
            sd[j] += d, qd[j] += d * d, sw[j] += p, qw[j] += p * p;
        }
    moments m = {0, 0, 0, 0};
    for (int j = 0; j < LANES; j++)
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
    bool centered = L->kind != LAYER_BATCHNORM && L->kind != LAYER_LAYERNORM; /* gamma starts all ones */
    moments m = weight_moments(L->W, L->W_prev, nw);
    double du = spread(m.sum_d, m.sq_d, nw, centered), w = spread(m.sum_w, m.sq_w, nw, centered);
    if (du == 0.0)
        s->update_ratio = -INFINITY;
    else if (w == 0.0)
        s->update_ratio = INFINITY;
    else
        s->update_ratio = (float)log10(du / w);
}

/* The one list of health words (UI, CSV log; expect expressions compare against them). */
#define HEALTH_NAMES(X)                                                                                         \
    X(HEALTH_OK, "ok") X(HEALTH_VANISHING, "vanishing") X(HEALTH_EXPLODING, "exploding")                       \
    X(HEALTH_SATURATED, "saturated") X(HEALTH_DEAD, "dead")

static const char *const health_names[HEALTH_COUNT] = {HEALTH_NAMES(NAME_AT)};
static const char health_list[] = HEALTH_NAMES(NAME_JOINED);

const char *health_name(layer_health h) { return (h >= 0 && h < HEALTH_COUNT) ? health_names[h] : "?"; }

const char *health_names_list(void) { return health_list + NAME_LIST_SKIP; }

int health_parse(const char *name, layer_health *out)
{
    int i = names_find(health_names, HEALTH_COUNT, name);
    if (i < 0)
        return -1;
    *out = (layer_health)i;
    return 0;
}

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
