#include "CKernelsBFloat16.h"
#include "vector_math.h"
#include <math.h>
#include <string.h>

static inline __attribute__((always_inline)) float widen(uint16_t bits) {
    uint32_t wide = (uint32_t)bits << 16;
    float value;
    memcpy(&value, &wide, sizeof value);
    return value;
}

/// Round to nearest even; NaNs stay NaN (quiet).
static inline __attribute__((always_inline)) uint16_t narrow(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    return (bits & 0x7fffffffu) > 0x7f800000u ? (uint16_t)((bits >> 16) | 0x40u) : (uint16_t)rounded;
}

static inline __attribute__((always_inline)) void
moments_body(const uint16_t *x, size_t pixels, size_t channels, double *sum, double *sum_of_squares) {
    for (size_t p = 0; p < pixels; p++) {
        const uint16_t *row = x + p * channels;
        for (size_t c = 0; c < channels; c++) {
            double v = widen(row[c]);
            sum[c] += v;
            sum_of_squares[c] += v * v;
        }
    }
}

static void moments_generic(const uint16_t *x, size_t pixels, size_t channels, double *sum, double *sq) {
    moments_body(x, pixels, channels, sum, sq);
}
PD_HOT static void moments_avx512(const uint16_t *x, size_t pixels, size_t channels, double *sum, double *sq) {
    moments_body(x, pixels, channels, sum, sq);
}

void pd_channel_moments_bf16(const uint16_t *x, size_t pixels, size_t channels, double *sum,
                             double *sum_of_squares) {
    if (has_avx512()) moments_avx512(x, pixels, channels, sum, sum_of_squares);
    else moments_generic(x, pixels, channels, sum, sum_of_squares);
}

static inline __attribute__((always_inline)) void
affine_body(const uint16_t *x, uint16_t *y, size_t pixels, size_t channels, const float *scale,
            const float *shift, int apply_silu) {
    for (size_t p = 0; p < pixels; p++) {
        const uint16_t *in = x + p * channels;
        uint16_t *out = y + p * channels;
        if (apply_silu)
            for (size_t c = 0; c < channels; c++) out[c] = narrow(silu(widen(in[c]) * scale[c] + shift[c]));
        else
            for (size_t c = 0; c < channels; c++) out[c] = narrow(widen(in[c]) * scale[c] + shift[c]);
    }
}

static void affine_generic(const uint16_t *x, uint16_t *y, size_t pixels, size_t channels, const float *scale,
                           const float *shift, int apply_silu) {
    affine_body(x, y, pixels, channels, scale, shift, apply_silu);
}
PD_HOT static void affine_avx512(const uint16_t *x, uint16_t *y, size_t pixels, size_t channels,
                                 const float *scale, const float *shift, int apply_silu) {
    affine_body(x, y, pixels, channels, scale, shift, apply_silu);
}

void pd_channel_affine_bf16(const uint16_t *x, uint16_t *y, size_t pixels, size_t channels,
                            const float *scale, const float *shift, int apply_silu) {
    if (has_avx512()) affine_avx512(x, y, pixels, channels, scale, shift, apply_silu);
    else affine_generic(x, y, pixels, channels, scale, shift, apply_silu);
}

static inline __attribute__((always_inline)) void
geglu_body(const uint16_t *x, uint16_t *y, size_t rows, size_t width) {
    for (size_t r = 0; r < rows; r++) {
        const uint16_t *value = x + r * 2 * width, *gate = value + width;
        uint16_t *out = y + r * width;
        for (size_t i = 0; i < width; i++) out[i] = narrow(widen(value[i]) * gelu_erf(widen(gate[i])));
    }
}

static void geglu_generic(const uint16_t *x, uint16_t *y, size_t rows, size_t width) { geglu_body(x, y, rows, width); }
PD_HOT static void geglu_avx512(const uint16_t *x, uint16_t *y, size_t rows, size_t width) {
    geglu_body(x, y, rows, width);
}

void pd_geglu_bf16(const uint16_t *x, uint16_t *y, size_t rows, size_t width) {
    if (has_avx512()) geglu_avx512(x, y, rows, width);
    else geglu_generic(x, y, rows, width);
}
