#include "CKernels.h"
#include "vector_math.h"
#include <math.h>
#include <string.h>

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

PD_VARIANTS(void, channel_moments, (const float *x, size_t pixels, size_t channels, double *sum, double *sq),
            (x, pixels, channels, sum, sq))

void pd_channel_moments(pd_isa isa, const float *x, size_t pixels, size_t channels, double *sum,
                        double *sum_of_squares) {
    PD_VARIANT(isa, channel_moments)(x, pixels, channels, sum, sum_of_squares);
}


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

PD_VARIANTS(void, channel_affine, (const float *x, float *y, size_t pixels, size_t channels, const float *scale,
                                    const float *shift, int apply_silu),
            (x, y, pixels, channels, scale, shift, apply_silu))

void pd_channel_affine(pd_isa isa, const float *x, float *y, size_t pixels, size_t channels,
                       const float *scale, const float *shift, int apply_silu) {
    PD_VARIANT(isa, channel_affine)(x, y, pixels, channels, scale, shift, apply_silu);
}

void pd_upsample_nearest2x_nhwc(const void *x, void *y, size_t height, size_t width, size_t channels,
                                size_t element_size) {
    size_t pixel = channels * element_size, row_out = 2 * width * pixel;
    for (size_t h = 0; h < height; h++) {
        char *out = (char *)y + 2 * h * row_out;
        const char *in = (const char *)x + h * width * pixel;
        for (size_t w = 0; w < width; w++) {
            memcpy(out + (2 * w) * pixel, in + w * pixel, pixel);
            memcpy(out + (2 * w + 1) * pixel, in + w * pixel, pixel);
        }
        memcpy(out + row_out, out, row_out);
    }
}

void pd_resize_nearest_nhwc(const void *x, void *y, size_t height, size_t width, size_t out_height,
                            size_t out_width, size_t channels, size_t element_size) {
    size_t pixel = channels * element_size;
    float row_scale = (float)height / (float)out_height, column_scale = (float)width / (float)out_width;
    for (size_t h = 0; h < out_height; h++) {
        size_t source_row = (size_t)floorf((float)h * row_scale);
        if (source_row > height - 1) source_row = height - 1;
        for (size_t w = 0; w < out_width; w++) {
            size_t source_column = (size_t)floorf((float)w * column_scale);
            if (source_column > width - 1) source_column = width - 1;
            memcpy((char *)y + (h * out_width + w) * pixel, (const char *)x + (source_row * width + source_column) * pixel,
                   pixel);
        }
    }
}

void pd_concat_channels_nhwc(const void *a, const void *b, void *y, size_t pixels, size_t a_channels,
                             size_t b_channels, size_t element_size) {
    size_t a_bytes = a_channels * element_size, b_bytes = b_channels * element_size;
    for (size_t p = 0; p < pixels; p++) {
        memcpy((char *)y + p * (a_bytes + b_bytes), (const char *)a + p * a_bytes, a_bytes);
        memcpy((char *)y + p * (a_bytes + b_bytes) + a_bytes, (const char *)b + p * b_bytes, b_bytes);
    }
}

static inline __attribute__((always_inline)) void geglu_body(const float *x, float *y, size_t rows, size_t width) {
    for (size_t r = 0; r < rows; r++) {
        const float *value = x + r * 2 * width, *gate = value + width;
        float *out = y + r * width;
        for (size_t i = 0; i < width; i++) out[i] = value[i] * gelu_erf(gate[i]);
    }
}

PD_VARIANTS(void, geglu, (const float *x, float *y, size_t rows, size_t width), (x, y, rows, width))

void pd_geglu(pd_isa isa, const float *x, float *y, size_t rows, size_t width) {
    PD_VARIANT(isa, geglu)(x, y, rows, width);
}
