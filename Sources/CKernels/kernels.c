#include "CKernels.h"
#include <math.h>
#include <string.h>

#define PD_HOT __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,avx2")))
static int has_avx512(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    }
    return cached;
}

static inline __attribute__((always_inline)) void
channel_moments_body(const float *x, size_t pixels, size_t channels, double *sum, double *sum_of_squares) {
    for (size_t p = 0; p < pixels; p++) {
        const float *row = x + p * channels;
        for (size_t c = 0; c < channels; c++) {
            double v = row[c];
            sum[c] += v;
            sum_of_squares[c] += v * v;
        }
    }
}

static void channel_moments_generic(const float *x, size_t pixels, size_t channels, double *sum, double *sq) {
    channel_moments_body(x, pixels, channels, sum, sq);
}
PD_HOT static void channel_moments_avx512(const float *x, size_t pixels, size_t channels, double *sum, double *sq) {
    channel_moments_body(x, pixels, channels, sum, sq);
}

void pd_channel_moments(const float *x, size_t pixels, size_t channels, double *sum, double *sum_of_squares) {
    if (has_avx512()) channel_moments_avx512(x, pixels, channels, sum, sum_of_squares);
    else channel_moments_generic(x, pixels, channels, sum, sum_of_squares);
}

/// e^x to about 1 ulp (Cephes' expf polynomial) without branches or calls, so loops using it vectorize.
static inline __attribute__((always_inline)) float vectorizable_expf(float x) {
    x = fminf(fmaxf(x, -87.33f), 88.72f);
    const float shifter = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float n = (x * 1.44269504088896341f + shifter) - shifter;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    union { int i; float f; } scale = { .i = ((int)n + 127) << 23 };
    return p * scale.f;
}

static inline __attribute__((always_inline)) float silu(float v) { return v / (1.0f + vectorizable_expf(-v)); }

static inline __attribute__((always_inline)) void
channel_affine_body(const float *x, float *y, size_t pixels, size_t channels,
                    const float *scale, const float *shift, int apply_silu) {
    for (size_t p = 0; p < pixels; p++) {
        const float *in = x + p * channels;
        float *out = y + p * channels;
        for (size_t c = 0; c < channels; c++) out[c] = in[c] * scale[c] + shift[c];
        if (apply_silu)
            for (size_t c = 0; c < channels; c++) out[c] = silu(out[c]);
    }
}

static void channel_affine_generic(const float *x, float *y, size_t pixels, size_t channels,
                                   const float *scale, const float *shift, int apply_silu) {
    channel_affine_body(x, y, pixels, channels, scale, shift, apply_silu);
}
PD_HOT static void channel_affine_avx512(const float *x, float *y, size_t pixels, size_t channels,
                                         const float *scale, const float *shift, int apply_silu) {
    channel_affine_body(x, y, pixels, channels, scale, shift, apply_silu);
}

void pd_channel_affine(const float *x, float *y, size_t pixels, size_t channels,
                       const float *scale, const float *shift, int apply_silu) {
    if (has_avx512()) channel_affine_avx512(x, y, pixels, channels, scale, shift, apply_silu);
    else channel_affine_generic(x, y, pixels, channels, scale, shift, apply_silu);
}

void pd_add_channel_bias(const float *x, float *y, size_t pixels, size_t channels, const float *bias) {
    for (size_t p = 0; p < pixels; p++) {
        const float *in = x + p * channels;
        float *out = y + p * channels;
        for (size_t c = 0; c < channels; c++) out[c] = in[c] + bias[c];
    }
}

void pd_upsample_nearest2x_nhwc(const float *x, float *y, size_t height, size_t width, size_t channels) {
    size_t row_out = 2 * width * channels;
    for (size_t h = 0; h < height; h++) {
        float *out = y + 2 * h * row_out;
        const float *in = x + h * width * channels;
        for (size_t w = 0; w < width; w++) {
            memcpy(out + (2 * w) * channels, in + w * channels, channels * sizeof(float));
            memcpy(out + (2 * w + 1) * channels, in + w * channels, channels * sizeof(float));
        }
        memcpy(out + row_out, out, row_out * sizeof(float));
    }
}

void pd_resize_nearest_nhwc(const float *x, float *y, size_t height, size_t width, size_t out_height,
                            size_t out_width, size_t channels) {
    float row_scale = (float)height / (float)out_height, column_scale = (float)width / (float)out_width;
    for (size_t h = 0; h < out_height; h++) {
        size_t source_row = (size_t)floorf((float)h * row_scale);
        if (source_row > height - 1) source_row = height - 1;
        for (size_t w = 0; w < out_width; w++) {
            size_t source_column = (size_t)floorf((float)w * column_scale);
            if (source_column > width - 1) source_column = width - 1;
            memcpy(y + (h * out_width + w) * channels, x + (source_row * width + source_column) * channels,
                   channels * sizeof(float));
        }
    }
}

void pd_concat_channels_nhwc(const float *a, const float *b, float *y, size_t pixels,
                             size_t a_channels, size_t b_channels) {
    size_t total = a_channels + b_channels;
    for (size_t p = 0; p < pixels; p++) {
        memcpy(y + p * total, a + p * a_channels, a_channels * sizeof(float));
        memcpy(y + p * total + a_channels, b + p * b_channels, b_channels * sizeof(float));
    }
}

void pd_geglu(const float *x, float *y, size_t rows, size_t width) {
    for (size_t r = 0; r < rows; r++) {
        const float *value = x + r * 2 * width, *gate = value + width;
        float *out = y + r * width;
        for (size_t i = 0; i < width; i++)
            out[i] = value[i] * (0.5f * gate[i] * (1.0f + erff(gate[i] * 0.70710678118654752f)));
    }
}
