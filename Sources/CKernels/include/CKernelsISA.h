#ifndef PARADIFFUSE_CKERNELS_ISA_H
#define PARADIFFUSE_CKERNELS_ISA_H

/// Instruction-set levels the kernels are compiled for, each including the ones below it. Every kernel that
/// dispatches takes the level to run as its first argument; a level above the CPU's runs as the CPU's.
typedef enum {
    /// Baseline code for the target (x86-64's SSE2, or any other architecture).
    PD_ISA_PORTABLE = 0,
    /// AVX2 and FMA (AMD Zen, Intel Haswell and later).
    PD_ISA_AVX2 = 1,
    /// AVX-512 F, BW, VL and DQ (Intel Skylake-SP and later, AMD Zen 4 and later).
    PD_ISA_AVX512 = 2,
    /// AVX-512 and AVX512-BF16 (`vdpbf16ps`, `vcvtne2ps2bf16`: Intel Cooper Lake and Sapphire Rapids, AMD Zen 4).
    PD_ISA_AVX512_BF16 = 3,
    /// AVX512-BF16 and AMX tiles with bfloat16 and int8 products, permitted by the operating system.
    PD_ISA_AMX = 4,
} pd_isa;

/// CPU features, as CPUID reports them (and, for AMX, as Linux permits).
typedef struct {
    int avx2, fma, avx512f, avx512bw, avx512vl, avx512dq, avx512_vnni, avx512_bf16, avx_vnni;
    int amx_tile, amx_bf16, amx_int8, amx_permitted;
} pd_cpu_features;

/// The features of this CPU.
pd_cpu_features pd_detect_cpu_features(void);

/// The highest level this CPU runs (computed once).
pd_isa pd_cpu_isa(void);

/// `isa`, or the CPU's level when that is lower.
pd_isa pd_usable_isa(pd_isa isa);

#endif
