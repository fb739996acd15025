/* gemm.h - the one matrix kernel behind dense layers: C (M x N, row-major, ldc) +=
 * A (M x K, element (m, k) at a[m*sam + k*sak]) x B (K x N, row-major, ldb).
 * Forward, weight gradient and input gradient are all this product with different strides.
 * A register-blocked 6 x 64 micro-kernel (24 vector accumulators) over GCC vector extensions; on x86-64 the function
 * is cloned for AVX-512, AVX2+FMA and baseline SSE and the CPU's best is chosen when the
 * program starts, so a portable build still uses the wide vectors. The summation order is
 * fixed, so results are the same on every run on a given machine. */
#ifndef DS_GEMM_H
#define DS_GEMM_H

#include <stddef.h>

void gemm_acc(float *restrict c, size_t ldc, const float *restrict a, ptrdiff_t sam, ptrdiff_t sak,
              const float *restrict b, size_t ldb, int M, int N, int K);

#endif
