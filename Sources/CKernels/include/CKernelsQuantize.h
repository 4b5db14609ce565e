#ifndef PARADIFFUSE_CKERNELS_QUANTIZE_H
#define PARADIFFUSE_CKERNELS_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>
#include "CKernelsISA.h"

/// Symmetric int8 quantization: q = clamp(nearbyint(x · inverse_scale), -127, 127), rounding half to even, with
/// scale = max |x| / 127 (1 when every x is 0) and inverse_scale = 1 / scale. bfloat16 inputs are the upper 16 bits
/// of float32 values, widened exactly. NaNs are skipped by the maximum and quantize to 0.

/// The largest |x| over `count` values (0 for none).
float pd_max_abs_f32(pd_isa isa, const float *x, size_t count);
float pd_max_abs_bf16(pd_isa isa, const uint16_t *x, size_t count);

/// The scale of values whose largest magnitude is `max_abs`.
float pd_symmetric_int8_scale(float max_abs);

/// Quantizes `count` values into `q` with the given inverse scale.
void pd_quantize_s8_f32(pd_isa isa, const float *x, size_t count, float inverse_scale, int8_t *q);
void pd_quantize_s8_bf16(pd_isa isa, const uint16_t *x, size_t count, float inverse_scale, int8_t *q);

#endif
