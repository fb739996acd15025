/* rng.h - a seeded, portable random generator (xoshiro256** seeded by splitmix64).
 * Same seed and stream, same numbers, bit for bit, on every run and machine: it uses
 * only 64-bit integer arithmetic; gaussians use Box-Muller in double. */
#ifndef DS_RNG_H
#define DS_RNG_H

#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* Independent streams from one seed: weights, data order, dropout masks, ... */
enum { RNG_STREAM_INIT = 1, RNG_STREAM_DATA = 2, RNG_STREAM_SHUFFLE = 3, RNG_STREAM_DROPOUT = 4 };

void rng_seed(rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);              /* [0, 1), 53 random bits */
double rng_gauss(rng *r);                /* N(0, 1) */
uint32_t rng_below(rng *r, uint32_t n);  /* uniform in [0, n), unbiased; n > 0 */
void rng_shuffle(rng *r, int *a, int n); /* Fisher-Yates */

#endif
