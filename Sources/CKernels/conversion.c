#include "CKernelsConversion.h"
#include "vector_math.h"

static inline __attribute__((always_inline)) void widen_body(const uint16_t *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = bf16_widen(x[i]);
}

static inline __attribute__((always_inline)) void narrow_body(const float *x, uint16_t *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = bf16_round(x[i]);
}

PD_VARIANTS(void, widen, (const uint16_t *x, float *y, size_t count), (x, y, count))
PD_VARIANTS(void, narrow, (const float *x, uint16_t *y, size_t count), (x, y, count))

void pd_widen_bf16(pd_isa isa, const uint16_t *x, float *y, size_t count) { PD_VARIANT(isa, widen)(x, y, count); }

void pd_round_to_bf16(pd_isa isa, const float *x, uint16_t *y, size_t count) { PD_VARIANT(isa, narrow)(x, y, count); }
