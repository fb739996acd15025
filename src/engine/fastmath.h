/* fastmath.h - exp in double that the compiler can vectorise (libm's is one call per value).
 * Cody-Waite reduction by ln 2, a degree-9 Taylor polynomial for e^r (|r| <= 0.35: relative
 * error below 3e-10, far below float's 6e-8, which is all tanh and sigmoid need: they round
 * to float), 2^n built from its exponent bits; inputs clamped to [-700, 700]. */
#ifndef DS_FASTMATH_H
#define DS_FASTMATH_H

#include <stdint.h>
#include <string.h>

static inline double exp_d(double y)
{
    const double shift = 0x1.8p52, inv_ln2 = 1.4426950408889634, ln2_hi = 0.6931471805599453,
                 ln2_lo = 2.3190468138462996e-17;
    y = y < -700.0 ? -700.0 : (y > 700.0 ? 700.0 : y);
    double kd = y * inv_ln2 + shift; /* round to nearest: n sits in kd's low bits */
    uint64_t kbits;
    memcpy(&kbits, &kd, 8);
    double n = kd - shift;
    double r = (y - n * ln2_hi) - n * ln2_lo;
    double p = 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t sbits = (kbits + 1023u) << 52; /* 2^n */
    double scale;
    memcpy(&scale, &sbits, 8);
    return p * scale;
}

#endif
