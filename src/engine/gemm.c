#include "gemm.h"

#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
/* O3 for the vectoriser; fp-contract so a*b + c becomes one fused multiply-add (ISO C mode
 * turns contraction off). FMA rounds once instead of twice: results differ from the
 * reference loops in the last bits (the tests compare with a tolerance) but stay the same
 * from run to run. */
#pragma GCC optimize("O3", "fp-contract=fast")
#endif

#if defined(__GNUC__)
/* The 64-byte vectors only travel between static inline helpers of this file, never across
 * an ABI boundary, so GCC's note that their calling convention depends on AVX-512 is moot. */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float vec16 __attribute__((vector_size(64))); /* 16 floats: one AVX-512 register */
#define HAVE_VEC 1
#endif

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define KERNEL_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define KERNEL_CLONES
#endif

#define MR 6
#define NR 64

#ifdef HAVE_VEC
/* always_inline: a helper that is not inlined into an AVX-512 clone runs as baseline code,
 * emulating 64-byte vectors one piece at a time. */
#define INLINE static inline __attribute__((always_inline))

INLINE vec16 load16(const float *p)
{
    vec16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

INLINE void store16(float *p, vec16 v) { memcpy(p, &v, sizeof v); }
#endif

/* Up to MR rows x 16 columns: the column edge of a block, still one vector per row. */
#ifdef HAVE_VEC
INLINE void block_x16(float *restrict c, size_t ldc, const float *restrict a, ptrdiff_t sam, ptrdiff_t sak,
                             const float *restrict b, size_t ldb, int mr, int K)
{
    vec16 acc[MR];
    for (int m = 0; m < mr; m++)
        acc[m] = load16(c + (size_t)m * ldc);
    for (int k = 0; k < K; k++) {
        vec16 bv = load16(b + (size_t)k * ldb);
        for (int m = 0; m < mr; m++) {
            float av = a[m * sam + k * sak];
            vec16 s = {av, av, av, av, av, av, av, av, av, av, av, av, av, av, av, av};
            acc[m] += s * bv;
        }
    }
    for (int m = 0; m < mr; m++)
        store16(c + (size_t)m * ldc, acc[m]);
}
#endif

#ifdef HAVE_VEC
/* Up to MR rows x fewer than 16 columns (a 10-class output layer): B's columns copied into a
 * zero-padded 16-wide panel, a chunk of K at a time, so even this edge runs on vectors. */
INLINE void block_tail(float *restrict c, size_t ldc, const float *restrict a, ptrdiff_t sam, ptrdiff_t sak,
                       const float *restrict b, size_t ldb, int mr, int nr, int K)
{
    enum { KCH = 256 };
    float panel[KCH * 16], ct[MR * 16];
    vec16 acc[MR];
    for (int m = 0; m < mr; m++) {
        memset(ct + 16 * m, 0, 16 * sizeof(float));
        memcpy(ct + 16 * m, c + (size_t)m * ldc, (size_t)nr * sizeof(float));
        acc[m] = load16(ct + 16 * m);
    }
    for (int k0 = 0; k0 < K; k0 += KCH) {
        int kc = K - k0 < KCH ? K - k0 : KCH;
        for (int k = 0; k < kc; k++) {
            memset(panel + 16 * k, 0, 16 * sizeof(float));
            memcpy(panel + 16 * k, b + (size_t)(k0 + k) * ldb, (size_t)nr * sizeof(float));
        }
        for (int k = 0; k < kc; k++) {
            vec16 bv = load16(panel + 16 * k);
            for (int m = 0; m < mr; m++) {
                float av = a[m * sam + (k0 + k) * sak];
                vec16 s = {av, av, av, av, av, av, av, av, av, av, av, av, av, av, av, av};
                acc[m] += s * bv;
            }
        }
    }
    for (int m = 0; m < mr; m++) {
        store16(ct + 16 * m, acc[m]);
        memcpy(c + (size_t)m * ldc, ct + 16 * m, (size_t)nr * sizeof(float));
    }
}
#endif

#ifndef HAVE_VEC /* compilers without vector extensions: plain loops */
/* C[0..mr) x [0..nr) += A . B for a block at most MR x NR, element by element (edges). */
static void edge_block(float *restrict c, size_t ldc, const float *restrict a, ptrdiff_t sam, ptrdiff_t sak,
                       const float *restrict b, size_t ldb, int mr, int nr, int K)
{
    for (int m = 0; m < mr; m++)
        for (int k = 0; k < K; k++) {
            float av = a[m * sam + k * sak];
            const float *bk = b + (size_t)k * ldb;
            float *cm = c + (size_t)m * ldc;
            for (int n = 0; n < nr; n++)
                cm[n] += av * bk[n];
        }
}
#endif

KERNEL_CLONES
void gemm_acc(float *restrict c, size_t ldc, const float *restrict a, ptrdiff_t sam, ptrdiff_t sak,
              const float *restrict b, size_t ldb, int M, int N, int K)
{
    int m0 = 0;
#ifdef HAVE_VEC
    for (; m0 + MR <= M; m0 += MR) {
        int n0 = 0;
        for (; n0 + NR <= N; n0 += NR) {
            /* 4 rows x 64 columns of C in 16 vector registers, for the whole K loop */
            vec16 acc[MR][NR / 16];
            for (int m = 0; m < MR; m++)
                for (int j = 0; j < NR / 16; j++)
                    acc[m][j] = load16(c + (size_t)(m0 + m) * ldc + n0 + 16 * j);
            const float *ap = a + m0 * sam;
            for (int k = 0; k < K; k++) {
                const float *bk = b + (size_t)k * ldb + n0;
                vec16 b0 = load16(bk), b1 = load16(bk + 16), b2 = load16(bk + 32), b3 = load16(bk + 48);
                for (int m = 0; m < MR; m++) {
                    float av = ap[m * sam + k * sak];
                    vec16 s = {av, av, av, av, av, av, av, av, av, av, av, av, av, av, av, av};
                    acc[m][0] += s * b0;
                    acc[m][1] += s * b1;
                    acc[m][2] += s * b2;
                    acc[m][3] += s * b3;
                }
            }
            for (int m = 0; m < MR; m++)
                for (int j = 0; j < NR / 16; j++)
                    store16(c + (size_t)(m0 + m) * ldc + n0 + 16 * j, acc[m][j]);
        }
        for (; n0 + 16 <= N; n0 += 16) /* the columns past the last full 64, 16 at a time */
            block_x16(c + (size_t)m0 * ldc + n0, ldc, a + m0 * sam, sam, sak, b + n0, ldb, MR, K);
        if (n0 < N)
            block_tail(c + (size_t)m0 * ldc + n0, ldc, a + m0 * sam, sam, sak, b + n0, ldb, MR, N - n0, K);
    }
    if (m0 < M) { /* the rows past the last full 4 */
        int n0 = 0;
        for (; n0 + 16 <= N; n0 += 16)
            block_x16(c + (size_t)m0 * ldc + n0, ldc, a + m0 * sam, sam, sak, b + n0, ldb, M - m0, K);
        if (n0 < N)
            block_tail(c + (size_t)m0 * ldc + n0, ldc, a + m0 * sam, sam, sak, b + n0, ldb, M - m0, N - n0, K);
    }
#else
    edge_block(c, ldc, a, sam, sak, b, ldb, M, N, K);
#endif
}
