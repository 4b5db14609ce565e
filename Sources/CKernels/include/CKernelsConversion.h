#ifndef PARADIFFUSE_CKERNELS_CONVERSION_H
#define PARADIFFUSE_CKERNELS_CONVERSION_H

#include <stddef.h>
#include <stdint.h>
#include "CKernelsISA.h"

/// float32 ↔ bfloat16 over `count` elements, the same on every instruction set: widening is exact (bfloat16 is the
/// upper half of a float32); narrowing rounds to nearest even as PyTorch does, and NaNs stay NaN (quiet, sign kept).

void pd_widen_bf16(pd_isa isa, const uint16_t *x, float *y, size_t count);
void pd_round_to_bf16(pd_isa isa, const float *x, uint16_t *y, size_t count);

#endif
