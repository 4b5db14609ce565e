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

PD_VARIANTS(void, modulated, (const float *x, void *y, int bf16_output, size_t first_row, size_t end_row,
                               size_t tokens, size_t channels, const float *weight, const float *bias,
                               const float *shift, const float *scale, size_t stride, float epsilon),
            (x, y, bf16_output, first_row, end_row, tokens, channels, weight, bias, shift, scale, stride, epsilon))

void pd_modulated_layer_norm(pd_isa isa, const float *x, void *y, int bf16_output, size_t first_row, size_t end_row,
                             size_t tokens, size_t channels, const float *weight, const float *bias,
                             const float *shift, const float *scale, size_t modulation_stride, float epsilon) {
    PD_VARIANT(isa, modulated)(x, y, bf16_output, first_row, end_row, tokens, channels, weight, bias, shift, scale,
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

PD_VARIANTS(void, gated, (const float *residual, const float *update, const float *gate, size_t stride, float *y,
                           size_t first_row, size_t end_row, size_t tokens, size_t channels),
            (residual, update, gate, stride, y, first_row, end_row, tokens, channels))

void pd_add_gated(pd_isa isa, const float *residual, const float *update, const float *gate, size_t modulation_stride,
                  float *y, size_t first_row, size_t end_row, size_t tokens, size_t channels) {
    PD_VARIANT(isa, gated)(residual, update, gate, modulation_stride, y, first_row, end_row, tokens, channels);
}

static inline __attribute__((always_inline)) void silu_body(const float *x, void *y, int bf16_output, size_t count) {
    if (bf16_output)
        for (size_t i = 0; i < count; i++) ((uint16_t *)y)[i] = bf16_round(silu(x[i]));
    else
        for (size_t i = 0; i < count; i++) ((float *)y)[i] = silu(x[i]);
}

PD_VARIANTS(void, silu, (const float *x, void *y, int bf16_output, size_t count), (x, y, bf16_output, count))

void pd_silu(pd_isa isa, const float *x, void *y, int bf16_output, size_t count) {
    PD_VARIANT(isa, silu)(x, y, bf16_output, count);
}
