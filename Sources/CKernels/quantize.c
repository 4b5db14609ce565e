#include "CKernelsQuantize.h"
#include "vector_math.h"
#include <math.h>
#include <string.h>

/* fmaxf ignores a NaN operand, so NaNs never become the maximum. */
#define MAX_ABS_BODY(load)                                                                                       \
    float lanes[16] = {0};                                                                                       \
    size_t i = 0;                                                                                                \
    for (; i + 16 <= count; i += 16)                                                                             \
        for (int l = 0; l < 16; l++) lanes[l] = fmaxf(lanes[l], fabsf(load(x[i + l])));                           \
    float result = 0;                                                                                            \
    for (; i < count; i++) result = fmaxf(result, fabsf(load(x[i])));                                              \
    for (int l = 0; l < 16; l++) result = fmaxf(result, lanes[l]);                                                \
    return result;

/* x != x is a NaN: it quantizes to 0. Clamping before the conversion keeps every value within int32. */
#define QUANTIZE_BODY(load)                                                                                      \
    for (size_t i = 0; i < count; i++) {                                                                         \
        float v = load(x[i]);                                                                                    \
        float scaled = fminf(fmaxf(v * inverse_scale, -127.0f), 127.0f);                                          \
        q[i] = (int8_t)(v != v ? 0 : (int)nearbyintf(scaled));                                                   \
    }

#define IDENTITY(v) (v)

static float max_abs_f32_generic(const float *x, size_t count) { MAX_ABS_BODY(IDENTITY) }
PD_HOT static float max_abs_f32_avx512(const float *x, size_t count) { MAX_ABS_BODY(IDENTITY) }
static float max_abs_bf16_generic(const uint16_t *x, size_t count) { MAX_ABS_BODY(bf16_widen) }
PD_HOT static float max_abs_bf16_avx512(const uint16_t *x, size_t count) { MAX_ABS_BODY(bf16_widen) }

static void quantize_f32_generic(const float *x, size_t count, float inverse_scale, int8_t *q) {
    QUANTIZE_BODY(IDENTITY)
}
PD_HOT static void quantize_f32_avx512(const float *x, size_t count, float inverse_scale, int8_t *q) {
    QUANTIZE_BODY(IDENTITY)
}
static void quantize_bf16_generic(const uint16_t *x, size_t count, float inverse_scale, int8_t *q) {
    QUANTIZE_BODY(bf16_widen)
}
PD_HOT static void quantize_bf16_avx512(const uint16_t *x, size_t count, float inverse_scale, int8_t *q) {
    QUANTIZE_BODY(bf16_widen)
}

float pd_max_abs_f32(const float *x, size_t count) {
    return has_avx512() ? max_abs_f32_avx512(x, count) : max_abs_f32_generic(x, count);
}

float pd_max_abs_bf16(const uint16_t *x, size_t count) {
    return has_avx512() ? max_abs_bf16_avx512(x, count) : max_abs_bf16_generic(x, count);
}

float pd_symmetric_int8_scale(float max_abs) { return max_abs > 0 ? max_abs / 127.0f : 1.0f; }

void pd_quantize_s8_f32(const float *x, size_t count, float inverse_scale, int8_t *q) {
    if (has_avx512()) quantize_f32_avx512(x, count, inverse_scale, q);
    else quantize_f32_generic(x, count, inverse_scale, q);
}

void pd_quantize_s8_bf16(const uint16_t *x, size_t count, float inverse_scale, int8_t *q) {
    if (has_avx512()) quantize_bf16_avx512(x, count, inverse_scale, q);
    else quantize_bf16_generic(x, count, inverse_scale, q);
}
