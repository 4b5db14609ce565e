#ifndef PARADIFFUSE_VECTOR_MATH_H
#define PARADIFFUSE_VECTOR_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "CKernelsISA.h"

/* Hot loops are written once, as an always-inline `NAME_body`, and compiled for each level of `pd_isa` the
   architecture has: for AVX-512 and for AVX2 + FMA (chosen at run time) and for the baseline. */
#if defined(__x86_64__)
#define PD_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define PD_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,avx2")))

/* Defines NAME_portable, NAME_avx2 and NAME_avx512, each running NAME_body(ARGS). */
#define PD_VARIANTS(TYPE, NAME, PARAMS, ARGS)                                                                    \
    static TYPE NAME##_portable PARAMS { return NAME##_body ARGS; }                                             \
    PD_TARGET_AVX2 static TYPE NAME##_avx2 PARAMS { return NAME##_body ARGS; }                                  \
    PD_TARGET_AVX512 static TYPE NAME##_avx512 PARAMS { return NAME##_body ARGS; }

/* The variant of NAME for instruction set ISA (never above the CPU's), applied to ARGS. */
#define PD_VARIANT(ISA, NAME)                                                                                    \
    (pd_usable_isa(ISA) >= PD_ISA_AVX512 ? NAME##_avx512 : pd_usable_isa(ISA) >= PD_ISA_AVX2 ? NAME##_avx2       \
                                                                                              : NAME##_portable)
#else
#define PD_VARIANTS(TYPE, NAME, PARAMS, ARGS) static TYPE NAME##_portable PARAMS { return NAME##_body ARGS; }
#define PD_VARIANT(ISA, NAME) ((void)(ISA), NAME##_portable)
#endif

/// The float32 value of bfloat16 bits.
static inline __attribute__((always_inline)) float bf16_widen(uint16_t bits) {
    uint32_t wide = (uint32_t)bits << 16;
    float value;
    memcpy(&value, &wide, sizeof value);
    return value;
}

/// float32 rounded to bfloat16, to nearest even; NaNs stay NaN (quiet).
static inline __attribute__((always_inline)) uint16_t bf16_round(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    return (bits & 0x7fffffffu) > 0x7f800000u ? (uint16_t)((bits >> 16) | 0x40u) : (uint16_t)rounded;
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

/// erf(x) to 1.5e-7 absolute (Abramowitz & Stegun 7.1.26) without branches or calls, so loops using it vectorize.
static inline __attribute__((always_inline)) float vectorizable_erff(float x) {
    float magnitude = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * magnitude);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    return copysignf(1.0f - p * t * vectorizable_expf(-magnitude * magnitude), x);
}

/// GELU with the exact (erf) formula: x·Φ(x).
static inline __attribute__((always_inline)) float gelu_erf(float x) {
    return 0.5f * x * (1.0f + vectorizable_erff(x * 0.70710678118654752f));
}

#endif
