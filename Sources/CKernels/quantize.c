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

static inline __attribute__((always_inline)) float max_abs_f32_body(const float *x, size_t count) {
    MAX_ABS_BODY(IDENTITY)
}
static inline __attribute__((always_inline)) float max_abs_bf16_body(const uint16_t *x, size_t count) {
    MAX_ABS_BODY(bf16_widen)
}
static inline __attribute__((always_inline)) void
quantize_f32_body(const float *x, size_t count, float inverse_scale, int8_t *q) {
    QUANTIZE_BODY(IDENTITY)
}
static inline __attribute__((always_inline)) void
quantize_bf16_body(const uint16_t *x, size_t count, float inverse_scale, int8_t *q) {
    QUANTIZE_BODY(bf16_widen)
}

PD_VARIANTS(float, max_abs_f32, (const float *x, size_t count), (x, count))
PD_VARIANTS(float, max_abs_bf16, (const uint16_t *x, size_t count), (x, count))
PD_VARIANTS(void, quantize_f32, (const float *x, size_t count, float inverse_scale, int8_t *q),
            (x, count, inverse_scale, q))
PD_VARIANTS(void, quantize_bf16, (const uint16_t *x, size_t count, float inverse_scale, int8_t *q),
            (x, count, inverse_scale, q))

float pd_max_abs_f32(pd_isa isa, const float *x, size_t count) { return PD_VARIANT(isa, max_abs_f32)(x, count); }

float pd_max_abs_bf16(pd_isa isa, const uint16_t *x, size_t count) {
    return PD_VARIANT(isa, max_abs_bf16)(x, count);
}

float pd_symmetric_int8_scale(float max_abs) { return max_abs > 0 ? max_abs / 127.0f : 1.0f; }

void pd_quantize_s8_f32(pd_isa isa, const float *x, size_t count, float inverse_scale, int8_t *q) {
    PD_VARIANT(isa, quantize_f32)(x, count, inverse_scale, q);
}

void pd_quantize_s8_bf16(pd_isa isa, const uint16_t *x, size_t count, float inverse_scale, int8_t *q) {
    PD_VARIANT(isa, quantize_bf16)(x, count, inverse_scale, q);
}
