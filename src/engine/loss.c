#include "loss.h"

#include <float.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "../common/xalloc.h"
#include "fastmath.h"
#include "../common/names.h"

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define VEC_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define VEC_CLONES
#endif

/* The one list of loss names (parser, its error messages, run's summary line). */
#define LOSS_NAMES(X) X(LOSS_MSE, "mse") X(LOSS_CROSS_ENTROPY, "cross_entropy") X(LOSS_BCE, "bce")

static const char *const names[LOSS_COUNT] = {LOSS_NAMES(NAME_AT)};
static const char names_list[] = LOSS_NAMES(NAME_JOINED);

const char *loss_name(loss_kind k) { return (k >= 0 && k < LOSS_COUNT) ? names[k] : "?"; }

const char *loss_names_list(void) { return names_list + NAME_LIST_SKIP; }

int loss_parse(const char *name, loss_kind *out)
{
    int i = names_find(names, LOSS_COUNT, name);
    if (i < 0)
        return -1;
    *out = (loss_kind)i;
    return 0;
}

bool loss_is_fused(loss_kind k, activation last)
{
    if (k == LOSS_CROSS_ENTROPY)
        return last == ACT_LINEAR || last == ACT_SOFTMAX;
    if (k == LOSS_BCE)
        return last == ACT_LINEAR || last == ACT_SIGMOID;
    return false;
}

const char *loss_check_pair(loss_kind k, activation last, int K)
{
    if (k == LOSS_CROSS_ENTROPY) {
        if (!loss_is_fused(k, last))
            return "cross_entropy needs a last layer 'dense K linear' (logits) or 'dense K softmax'";
        if (K < 2)
            return "cross_entropy needs at least 2 outputs (use bce for one output)";
    }
    if (k == LOSS_BCE && !loss_is_fused(k, last))
        return "bce needs a last layer with sigmoid (probabilities) or linear (logits) activation";
    return NULL;
}

static float target(const int *labels, int r, int j, int K)
{
    if (K == 1)
        return (float)labels[r];
    return labels[r] == j ? 1.0f : 0.0f;
}

/* e[i] = exp(e[i]) over the whole batch in one flat pass: vectorised, instead of a libm call
 * per logit (exp_d: fastmath.h; double inside, rounded to float). */
VEC_CLONES static void exp_in_place(float *restrict e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        e[i] = (float)exp_d(e[i]);
}

static double cross_entropy(activation last, const float *z, const float *a, const int *labels,
                            int B, int K, float *sample_loss, bool grads, float *da, float *dz)
{
    /* dz (B, K) holds e = exp(z - rowmax) until it is overwritten with the gradient; the row
     * maxima go into sample_loss, which each row overwrites with its loss once read. Callers
     * that pass neither get scratch of their own. */
    float *e = dz ? dz : xcalloc((size_t)B * K, sizeof(float));
    float *rowmax = sample_loss ? sample_loss : xcalloc((size_t)B, sizeof(float));
    for (int r = 0; r < B; r++) {
        const float *zr = z + (size_t)r * K;
        float m = zr[0];
        for (int j = 1; j < K; j++)
            m = zr[j] > m ? zr[j] : m;
        rowmax[r] = m;
    }
    for (int r = 0; r < B; r++) /* z - rowmax, then exp: the max-subtraction keeps exp <= 1 */
        for (int j = 0; j < K; j++)
            e[(size_t)r * K + j] = z[(size_t)r * K + j] - rowmax[r];
    exp_in_place(e, (size_t)B * K);
    double total = 0.0;
    for (int r = 0; r < B; r++) {
        const float *zr = z + (size_t)r * K, *er = e + (size_t)r * K;
        double sum = 0.0;
        for (int j = 0; j < K; j++)
            sum += er[j];
        double l = rowmax[r] + log(sum) - zr[labels[r]];
        total += l;
        rowmax[r] = (float)l; /* = sample_loss[r] when given */
        if (!grads)
            continue;
        for (int j = 0; j < K; j++) {
            size_t i = (size_t)r * K + j;
            double p = er[j] / sum, y = labels[r] == j ? 1.0 : 0.0;
            dz[i] = (float)((p - y) / B);
            if (last == ACT_LINEAR)
                da[i] = dz[i];
            else { /* dL/dp_j = -y_j / (B p_j) */
                double pa = a[i] > FLT_MIN ? a[i] : FLT_MIN;
                da[i] = (float)(-y / (B * pa));
            }
        }
    }
    if (e != dz)
        free(e);
    if (rowmax != sample_loss)
        free(rowmax);
    return total / B;
}

static double bce(activation last, const float *z, const float *a, const int *labels, int B,
                  int K, float *sample_loss, bool grads, float *da, float *dz)
{
    double total = 0.0, n = (double)B * K;
    for (int r = 0; r < B; r++) {
        double row = 0.0;
        for (int j = 0; j < K; j++) {
            size_t i = (size_t)r * K + j;
            double zi = z[i], y = target(labels, r, j, K);
            double l = (zi > 0 ? zi : 0) - zi * y + log1p(exp(-fabs(zi)));
            row += l;
            if (grads) {
                double p = sigmoidf_stable(z[i]);
                dz[i] = (float)((p - y) / n);
                if (last == ACT_LINEAR)
                    da[i] = dz[i];
                else { /* dL/dp = (p - y) / (p (1 - p) n) */
                    double pa = a[i], q = pa * (1.0 - pa);
                    da[i] = (float)((pa - y) / ((q > FLT_MIN ? q : FLT_MIN) * n));
                }
            }
        }
        total += row;
        if (sample_loss)
            sample_loss[r] = (float)(row / K);
    }
    return total / n;
}

static double mse(const float *a, const int *labels, int B, int K, float *sample_loss,
                  bool grads, float *da)
{
    double total = 0.0, n = (double)B * K;
    for (int r = 0; r < B; r++) {
        double row = 0.0;
        for (int j = 0; j < K; j++) {
            size_t i = (size_t)r * K + j;
            double d = (double)a[i] - target(labels, r, j, K);
            row += d * d;
            if (grads)
                da[i] = (float)(2.0 * d / n);
        }
        total += row;
        if (sample_loss)
            sample_loss[r] = (float)(row / K);
    }
    return total / n;
}

double loss_compute(loss_kind k, activation last, const float *z, const float *a,
                    const int *labels, int B, int K, float *sample_loss, bool grads,
                    float *da, float *dz)
{
    switch (k) {
    case LOSS_CROSS_ENTROPY:
        return cross_entropy(last, z, a, labels, B, K, sample_loss, grads, da, dz);
    case LOSS_BCE:
        return bce(last, z, a, labels, B, K, sample_loss, grads, da, dz);
    default:
        return mse(a, labels, B, K, sample_loss, grads, da);
    }
}

int loss_predict(loss_kind k, activation last, const float *z_row, const float *a_row, int K)
{
    if (K == 1) {
        if (k == LOSS_BCE) /* p > 0.5 exactly when z > 0 */
            return z_row[0] > 0.0f;
        return a_row[0] >= 0.5f;
    }
    (void)last;
    int best = 0;
    for (int j = 1; j < K; j++)
        if (z_row[j] > z_row[best])
            best = j;
    return best;
}
