#include "CKernelsModulation.h"
#include "vector_math.h"
#include <math.h>
#include <string.h>

/// Mean and 1 / √(biased variance + ε) of one row, two passes, float32 partial sums the compiler may reorder
/// (vectorized): the sums of 1,152 values differ from a sequential sum by a few ulps.
static inline __attribute__((always_inline)) void
row_statistics(const float *row, size_t channels, float epsilon, float *mean, float *inverse_deviation) {
    float sum = 0, squares = 0;
    {
#pragma clang fp reassociate(on)
        for (size_t c = 0; c < channels; c++) sum += row[c];
    }
    float average = sum / (float)channels;
    {
#pragma clang fp reassociate(on)
        for (size_t c = 0; c < channels; c++) {
            float deviation = row[c] - average;
            squares += deviation * deviation;
        }
    }
    *mean = average;
    *inverse_deviation = 1.0f / sqrtf(squares / (float)channels + epsilon);
}

/// One element of a normalized row, affine (when `weight`) and modulated.
static inline __attribute__((always_inline)) float
modulated(float value, float mean, float inverse_deviation, const float *weight, const float *bias, float shift,
          float scale, size_t c) {
    float normalized = (value - mean) * inverse_deviation;
    if (weight) {
        float scaled = normalized * weight[c];
        normalized = scaled + bias[c];
    }
    float factor = 1.0f + scale;
    float product = normalized * factor;
    return product + shift;
}

static inline __attribute__((always_inline)) void
modulated_body(const float *x, void *y, int bf16_output, size_t first_row, size_t end_row, size_t tokens,
               size_t channels, const float *weight, const float *bias, const float *shift, const float *scale,
               size_t stride, float epsilon) {
    for (size_t r = first_row; r < end_row; r++) {
        const float *in = x + r * channels;
        const size_t item = r / tokens;
        const float *item_shift = shift + item * stride, *item_scale = scale + item * stride;
        float mean, inverse_deviation;
        row_statistics(in, channels, epsilon, &mean, &inverse_deviation);
        if (bf16_output) {
            uint16_t *out = (uint16_t *)y + r * channels;
            for (size_t c = 0; c < channels; c++)
                out[c] = bf16_round(modulated(in[c], mean, inverse_deviation, weight, bias, item_shift[c],
                                               item_scale[c], c));
        } else {
            float *out = (float *)y + r * channels;
            for (size_t c = 0; c < channels; c++)
                out[c] = modulated(in[c], mean, inverse_deviation, weight, bias, item_shift[c], item_scale[c], c);
        }
    }
}

static void modulated_generic(const float *x, void *y, int bf16_output, size_t first_row, size_t end_row,
                              size_t tokens, size_t channels, const float *weight, const float *bias,
                              const float *shift, const float *scale, size_t stride, float epsilon) {
    modulated_body(x, y, bf16_output, first_row, end_row, tokens, channels, weight, bias, shift, scale, stride,
                   epsilon);
}
PD_HOT static void modulated_avx512(const float *x, void *y, int bf16_output, size_t first_row, size_t end_row,
                                    size_t tokens, size_t channels, const float *weight, const float *bias,
                                    const float *shift, const float *scale, size_t stride, float epsilon) {
    modulated_body(x, y, bf16_output, first_row, end_row, tokens, channels, weight, bias, shift, scale, stride,
                   epsilon);
}

void pd_modulated_layer_norm(const float *x, void *y, int bf16_output, size_t first_row, size_t end_row,
                             size_t tokens, size_t channels, const float *weight, const float *bias,
                             const float *shift, const float *scale, size_t modulation_stride, float epsilon) {
    if (has_avx512())
        modulated_avx512(x, y, bf16_output, first_row, end_row, tokens, channels, weight, bias, shift, scale,
                         modulation_stride, epsilon);
    else
        modulated_generic(x, y, bf16_output, first_row, end_row, tokens, channels, weight, bias, shift, scale,
                          modulation_stride, epsilon);
}

static inline __attribute__((always_inline)) void
gated_body(const float *residual, const float *update, const float *gate, size_t stride, float *y, size_t first_row,
           size_t end_row, size_t tokens, size_t channels) {
    for (size_t r = first_row; r < end_row; r++) {
        const float *item_gate = gate + (r / tokens) * stride;
        const float *in = residual + r * channels, *branch = update + r * channels;
        float *out = y + r * channels;
        for (size_t c = 0; c < channels; c++) {
            float gated = item_gate[c] * branch[c];
            out[c] = gated + in[c];
        }
    }
}

static void gated_generic(const float *residual, const float *update, const float *gate, size_t stride, float *y,
                          size_t first_row, size_t end_row, size_t tokens, size_t channels) {
    gated_body(residual, update, gate, stride, y, first_row, end_row, tokens, channels);
}
PD_HOT static void gated_avx512(const float *residual, const float *update, const float *gate, size_t stride,
                                float *y, size_t first_row, size_t end_row, size_t tokens, size_t channels) {
    gated_body(residual, update, gate, stride, y, first_row, end_row, tokens, channels);
}

void pd_add_gated(const float *residual, const float *update, const float *gate, size_t modulation_stride, float *y,
                  size_t first_row, size_t end_row, size_t tokens, size_t channels) {
    if (has_avx512()) gated_avx512(residual, update, gate, modulation_stride, y, first_row, end_row, tokens, channels);
    else gated_generic(residual, update, gate, modulation_stride, y, first_row, end_row, tokens, channels);
}

static inline __attribute__((always_inline)) void silu_body(const float *x, void *y, int bf16_output, size_t count) {
    if (bf16_output)
        for (size_t i = 0; i < count; i++) ((uint16_t *)y)[i] = bf16_round(silu(x[i]));
    else
        for (size_t i = 0; i < count; i++) ((float *)y)[i] = silu(x[i]);
}

static void silu_generic(const float *x, void *y, int bf16_output, size_t count) { silu_body(x, y, bf16_output, count); }
PD_HOT static void silu_avx512(const float *x, void *y, int bf16_output, size_t count) {
    silu_body(x, y, bf16_output, count);
}

void pd_silu(const float *x, void *y, int bf16_output, size_t count) {
    if (has_avx512()) silu_avx512(x, y, bf16_output, count);
    else silu_generic(x, y, bf16_output, count);
}
