#ifndef PARADIFFUSE_CKERNELS_H
#define PARADIFFUSE_CKERNELS_H

#include <stddef.h>
#include "CKernelsISA.h"
#include "CKernelsAttention.h"

/// Per-channel sums and sums of squares over `pixels` rows of `channels` contiguous floats (NHWC),
/// accumulated into `sum` and `sum_of_squares` (each `channels` long).
void pd_channel_moments(pd_isa isa, const float *x, size_t pixels, size_t channels, double *sum, double *sum_of_squares);

/// y = x * scale[c] + shift[c] over `pixels` rows of `channels` floats, then SiLU when `apply_silu`.
void pd_channel_affine(pd_isa isa, const float *x, float *y, size_t pixels, size_t channels,
                       const float *scale, const float *shift, int apply_silu);

/// Nearest-neighbour 2x upsampling of one NHWC image (height x width x channels of `element_size` bytes).
void pd_upsample_nearest2x_nhwc(const void *x, void *y, size_t height, size_t width, size_t channels,
                                size_t element_size);

/// Nearest-neighbour resize of one NHWC image to out_height x out_width, as PyTorch's `nearest` mode picks
/// sources: floor(destination · input / output). Elements are `element_size` bytes.
void pd_resize_nearest_nhwc(const void *x, void *y, size_t height, size_t width, size_t out_height,
                            size_t out_width, size_t channels, size_t element_size);

/// Copies `pixels` rows of `a_channels` then `b_channels` elements of `element_size` bytes into rows of
/// `a_channels + b_channels`.
void pd_concat_channels_nhwc(const void *a, const void *b, void *y, size_t pixels, size_t a_channels,
                             size_t b_channels, size_t element_size);

/// GEGLU over `rows` rows of `2 * width` floats: y[r, i] = x[r, i] * gelu(x[r, width + i]), exact (erf) GELU.
void pd_geglu(pd_isa isa, const float *x, float *y, size_t rows, size_t width);

#include "CKernelsBFloat16.h"
#include "CKernelsConversion.h"
#include "CKernelsParallel.h"
#include "CKernelsQuantize.h"
#include "CKernelsModulation.h"

#endif
