#include "CKernelsBFloat16.h"
#include "vector_math.h"
#include <math.h>
#include <string.h>

static inline __attribute__((always_inline)) void
moments_body(const uint16_t *x, size_t pixels, size_t channels, double *sum, double *sum_of_squares) {
    for (size_t p = 0; p < pixels; p++) {
        const uint16_t *row = x + p * channels;
        for (size_t c = 0; c < channels; c++) {
            double v = bf16_widen(row[c]);
            sum[c] += v;
            sum_of_squares[c] += v * v;
        }
    }
}

PD_VARIANTS(void, moments, (const uint16_t *x, size_t pixels, size_t channels, double *sum, double *sq),
            (x, pixels, channels, sum, sq))

void pd_channel_moments_bf16(pd_isa isa, const uint16_t *x, size_t pixels, size_t channels, double *sum,
                             double *sum_of_squares) {
    PD_VARIANT(isa, moments)(x, pixels, channels, sum, sum_of_squares);
}

static inline __attribute__((always_inline)) void
affine_body(const uint16_t *x, uint16_t *y, size_t pixels, size_t channels, const float *scale,
            const float *shift, int apply_silu) {
    for (size_t p = 0; p < pixels; p++) {
        const uint16_t *in = x + p * channels;
        uint16_t *out = y + p * channels;
        if (apply_silu)
            for (size_t c = 0; c < channels; c++) out[c] = bf16_round(silu(bf16_widen(in[c]) * scale[c] + shift[c]));
        else
            for (size_t c = 0; c < channels; c++) out[c] = bf16_round(bf16_widen(in[c]) * scale[c] + shift[c]);
    }
}

PD_VARIANTS(void, affine, (const uint16_t *x, uint16_t *y, size_t pixels, size_t channels, const float *scale,
                            const float *shift, int apply_silu),
            (x, y, pixels, channels, scale, shift, apply_silu))

void pd_channel_affine_bf16(pd_isa isa, const uint16_t *x, uint16_t *y, size_t pixels, size_t channels,
                            const float *scale, const float *shift, int apply_silu) {
    PD_VARIANT(isa, affine)(x, y, pixels, channels, scale, shift, apply_silu);
}

static inline __attribute__((always_inline)) void
geglu_body(const uint16_t *x, uint16_t *y, size_t rows, size_t width) {
    for (size_t r = 0; r < rows; r++) {
        const uint16_t *value = x + r * 2 * width, *gate = value + width;
        uint16_t *out = y + r * width;
        for (size_t i = 0; i < width; i++) out[i] = bf16_round(bf16_widen(value[i]) * gelu_erf(bf16_widen(gate[i])));
    }
}

PD_VARIANTS(void, geglu, (const uint16_t *x, uint16_t *y, size_t rows, size_t width), (x, y, rows, width))

void pd_geglu_bf16(pd_isa isa, const uint16_t *x, uint16_t *y, size_t rows, size_t width) {
    PD_VARIANT(isa, geglu)(x, y, rows, width);
}
