#ifndef PARADIFFUSE_CKERNELS_MODULATION_H
#define PARADIFFUSE_CKERNELS_MODULATION_H

#include <stddef.h>
#include <stdint.h>
#include "CKernelsISA.h"

/// adaLN (DiT): tokens are `[items, tokens, channels]` float32 rows; each item has its own `[channels]` shift, scale
/// and gate, at `item · modulation_stride` in their arrays. Rows `first_row ..< end_row` are processed (callers split
/// rows over threads). Every operation rounds to float32 as PyTorch's separate tensor operations do.

/// y = layer_norm(x) · (1 + scale) + shift: per row float32 mean and biased variance, (x − mean) / √(variance + ε),
/// times `weight[c]` plus `bias[c]` unless both are NULL. `y` holds float32 values, or bfloat16 ones (rounded to
/// nearest even) when `bf16_output`.
void pd_modulated_layer_norm(pd_isa isa, const float *x, void *y, int bf16_output, size_t first_row, size_t end_row,
                             size_t tokens, size_t channels, const float *weight, const float *bias,
                             const float *shift, const float *scale, size_t modulation_stride, float epsilon);

/// y = residual + gate · update, all float32.
void pd_add_gated(pd_isa isa, const float *residual, const float *update, const float *gate, size_t modulation_stride, float *y,
                  size_t first_row, size_t end_row, size_t tokens, size_t channels);

/// y = x · sigmoid(x) over `count` float32 values (the conditioning adaLN projects), single-threaded: float32 `y`,
/// or bfloat16 when `bf16_output`.
void pd_silu(pd_isa isa, const float *x, void *y, int bf16_output, size_t count);

#endif
