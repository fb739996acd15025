#include "act.h"

#include <math.h>
#include <string.h>

static const char *const names[ACT_COUNT] = {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"};

const char *act_name(activation a) { return (a >= 0 && a < ACT_COUNT) ? names[a] : "?"; }

const char *act_names_list(void) { return "linear, sigmoid, tanh, relu, leaky_relu, softmax"; }

int act_parse(const char *name, activation *out)
{
    for (int i = 0; i < ACT_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (activation)i;
            return 0;
        }
    return -1;
}

float sigmoidf_stable(float z)
{
    /* Never exp of a large positive number, so no overflow to Inf. */
    if (z >= 0.0f)
        return 1.0f / (1.0f + expf(-z));
    float e = expf(z);
    return e / (1.0f + e);
}

static void softmax_rows(float *restrict a, const float *restrict z, int rows, int n)
{
    for (int r = 0; r < rows; r++) {
        const float *zr = z + (size_t)r * n;
        float *ar = a + (size_t)r * n;
        float m = zr[0];
        for (int j = 1; j < n; j++)
            m = zr[j] > m ? zr[j] : m;
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            ar[j] = expf(zr[j] - m); /* max subtraction: exp never overflows */
            sum += ar[j];
        }
        float inv = (float)(1.0 / sum);
        for (int j = 0; j < n; j++)
            ar[j] *= inv;
    }
}

void act_forward(activation f, float *restrict a, const float *restrict z, int rows, int n)
{
    size_t len = (size_t)rows * n;
    switch (f) {
    case ACT_LINEAR:
        memcpy(a, z, len * sizeof *a);
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < len; i++)
            a[i] = sigmoidf_stable(z[i]);
        break;
    case ACT_TANH:
        for (size_t i = 0; i < len; i++)
            a[i] = tanhf(z[i]);
        break;
    case ACT_RELU:
        for (size_t i = 0; i < len; i++)
            a[i] = z[i] > 0.0f ? z[i] : 0.0f;
        break;
    case ACT_LEAKY_RELU:
        for (size_t i = 0; i < len; i++)
            a[i] = z[i] > 0.0f ? z[i] : LEAKY_RELU_SLOPE * z[i];
        break;
    case ACT_SOFTMAX:
        softmax_rows(a, z, rows, n);
        break;
    default:
        break;
    }
}

void act_backward(activation f, float *restrict dz, const float *restrict da,
                  const float *restrict z, const float *restrict a, int rows, int n)
{
    size_t len = (size_t)rows * n;
    switch (f) {
    case ACT_LINEAR:
        memcpy(dz, da, len * sizeof *dz);
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < len; i++)
            dz[i] = da[i] * a[i] * (1.0f - a[i]);
        break;
    case ACT_TANH:
        for (size_t i = 0; i < len; i++)
            dz[i] = da[i] * (1.0f - a[i] * a[i]);
        break;
    case ACT_RELU: /* f'(0) = 0, as torch */
        for (size_t i = 0; i < len; i++)
            dz[i] = z[i] > 0.0f ? da[i] : 0.0f;
        break;
    case ACT_LEAKY_RELU:
        for (size_t i = 0; i < len; i++)
            dz[i] = z[i] > 0.0f ? da[i] : LEAKY_RELU_SLOPE * da[i];
        break;
    case ACT_SOFTMAX:
        for (int r = 0; r < rows; r++) {
            const float *ar = a + (size_t)r * n, *dar = da + (size_t)r * n;
            float *dzr = dz + (size_t)r * n;
            double dot = 0.0;
            for (int j = 0; j < n; j++)
                dot += (double)dar[j] * ar[j];
            for (int j = 0; j < n; j++)
                dzr[j] = ar[j] * (dar[j] - (float)dot);
        }
        break;
    default:
        break;
    }
}
