#ifndef PARADIFFUSE_CKERNELS_BFLOAT16_H
#define PARADIFFUSE_CKERNELS_BFLOAT16_H

#include <stddef.h>
#include <stdint.h>
#include "CKernelsISA.h"

/// bfloat16 variants of the group norm and GEGLU kernels: elements are the upper 16 bits of float32 values, widened
/// exactly on load; all arithmetic is float32 (sums double), and results round to nearest even on store.

/// Per-channel sums and sums of squares over `pixels` rows of `channels` contiguous bfloat16 values (NHWC),
/// accumulated into `sum` and `sum_of_squares` (each `channels` long).
void pd_channel_moments_bf16(pd_isa isa, const uint16_t *x, size_t pixels, size_t channels, double *sum,
                             double *sum_of_squares);

/// y = x * scale[c] + shift[c] over `pixels` rows of `channels` bfloat16 values, then SiLU when `apply_silu`.
void pd_channel_affine_bf16(pd_isa isa, const uint16_t *x, uint16_t *y, size_t pixels, size_t channels,
                            const float *scale, const float *shift, int apply_silu);

/// GEGLU over `rows` rows of `2 * width` bfloat16 values: y[r, i] = x[r, i] * gelu(x[r, width + i]) (erf GELU).
void pd_geglu_bf16(pd_isa isa, const uint16_t *x, uint16_t *y, size_t rows, size_t width);

#endif
