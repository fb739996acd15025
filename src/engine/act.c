#include "act.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fastmath.h"
#include "../common/names.h"

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define VEC_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define VEC_CLONES
#endif

/* ---- tanh and sigmoid the compiler can vectorise -----------------------------------
 * libm's tanhf and expf are called once per element and dominate small nets' steps. These
 * compute in double, branch-free, then round once to float: for float inputs the result
 * is the correctly rounded value in all but rare near-ties (a test sweeps them against libm
 * in double: at most 1 ulp apart). exp_d is in fastmath.h. */
static inline float tanh_1(float zf)
{
    double x = zf, ax = fabs(x);
    /* near 0: the odd Taylor series to x^19 (|x| < 0.55: truncation below 1e-10 relative) */
    double x2 = x * x;
    static const double c[10] = {1.0,
                                 -1.0 / 3.0,
                                 2.0 / 15.0,
                                 -17.0 / 315.0,
                                 62.0 / 2835.0,
                                 -1382.0 / 155925.0,
                                 21844.0 / 6081075.0,
                                 -929569.0 / 638512875.0,
                                 6404582.0 / 10854718875.0,
                                 -443861162.0 / 1856156927625.0};
    double poly = c[9];
    for (int k = 8; k >= 0; k--)
        poly = poly * x2 + c[k];
    double small = x * poly;
    /* elsewhere: 1 - 2 / (e^(2|x|) + 1), with the sign of x */
    double e = exp_d(2.0 * ax);
    double big = 1.0 - 2.0 / (e + 1.0);
    big = x < 0 ? -big : big;
    return (float)(ax < 0.55 ? small : big);
}

static inline float sigmoid_1(float zf)
{
    double x = zf, e = exp_d(-fabs(x)); /* e <= 1: no overflow either way */
    double s = 1.0 / (1.0 + e);
    return (float)(x >= 0 ? s : e * s);
}

VEC_CLONES static void tanh_rows(float *restrict a, const float *restrict z, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = tanh_1(z[i]);
}

VEC_CLONES static void sigmoid_rows(float *restrict a, const float *restrict z, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = sigmoid_1(z[i]);
}

float act_tanh(float z) { return tanh_1(z); }

/* The one list of activation names: the parser, its error messages and the UI use it. */
#define ACT_NAMES(X)                                                                                            \
    X(ACT_LINEAR, "linear") X(ACT_SIGMOID, "sigmoid") X(ACT_TANH, "tanh") X(ACT_RELU, "relu")                   \
    X(ACT_LEAKY_RELU, "leaky_relu") X(ACT_SOFTMAX, "softmax")

static const char *const names[ACT_COUNT] = {ACT_NAMES(NAME_AT)};
static const char names_list[] = ACT_NAMES(NAME_JOINED);

const char *act_name(activation a) { return (a >= 0 && a < ACT_COUNT) ? names[a] : "?"; }

const char *act_names_list(void) { return names_list + NAME_LIST_SKIP; }

int act_parse(const char *name, activation *out)
{
    int i = names_find(names, ACT_COUNT, name);
    if (i < 0)
        return -1;
    *out = (activation)i;
    return 0;
}

/* The reference the fast kernels below are tested against (test_engine), and what the
 * narration plugs numbers into: computed in double from float z and a, as it is shown. */
double act_derivative(activation f, double z, double a)
{
    switch (f) {
    case ACT_LINEAR: return 1.0;
    case ACT_SIGMOID: return a * (1 - a);
    case ACT_TANH: return 1 - a * a;
    case ACT_RELU: return z > 0 ? 1 : 0; /* f'(0) = 0, as torch */
    case ACT_LEAKY_RELU: return z > 0 ? 1 : LEAKY_RELU_SLOPE;
    default: return NAN; /* softmax: a Jacobian per row, not one number per element */
    }
}

float sigmoidf_stable(float z) { return sigmoid_1(z); }

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

/* The element-wise derivatives, cloned like the other hot loops: on random data a branch on
 * z > 0 mispredicts half the time; vectorised, it is a blend. */
VEC_CLONES static void relu_backward(float *restrict dz, const float *restrict da, const float *restrict z, size_t len,
                                     float neg)
{
    for (size_t i = 0; i < len; i++)
        dz[i] = z[i] > 0.0f ? da[i] : neg * da[i];
}

VEC_CLONES static void relu_forward(float *restrict a, const float *restrict z, size_t len, float neg)
{
    for (size_t i = 0; i < len; i++)
        a[i] = z[i] > 0.0f ? z[i] : neg * z[i];
}

VEC_CLONES static void squash_backward(float *restrict dz, const float *restrict da, const float *restrict a, size_t len,
                                       int tanh_like)
{
    if (tanh_like)
        for (size_t i = 0; i < len; i++)
            dz[i] = da[i] * (1.0f - a[i] * a[i]);
    else
        for (size_t i = 0; i < len; i++)
            dz[i] = da[i] * a[i] * (1.0f - a[i]);
}

void act_forward(activation f, float *restrict a, const float *restrict z, int rows, int n)
{
    size_t len = (size_t)rows * n;
    switch (f) {
    case ACT_LINEAR:
        memcpy(a, z, len * sizeof *a);
        break;
    case ACT_SIGMOID:
        sigmoid_rows(a, z, len);
        break;
    case ACT_TANH:
        tanh_rows(a, z, len);
        break;
    case ACT_RELU:
        relu_forward(a, z, len, 0.0f);
        break;
    case ACT_LEAKY_RELU:
        relu_forward(a, z, len, LEAKY_RELU_SLOPE);
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
        squash_backward(dz, da, a, len, 0);
        break;
    case ACT_TANH:
        squash_backward(dz, da, a, len, 1);
        break;
    case ACT_RELU: /* f'(0) = 0, as torch */
        relu_backward(dz, da, z, len, 0.0f);
        break;
    case ACT_LEAKY_RELU:
        relu_backward(dz, da, z, len, LEAKY_RELU_SLOPE);
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
