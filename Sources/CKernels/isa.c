#include "CKernelsISA.h"
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
/* Linux hands out AMX tile state only to processes that ask for it (once per process). */
static int request_amx_permission(void) {
#if defined(__linux__) && defined(SYS_arch_prctl)
    enum { ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 };
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
#else
    return 0;
#endif
}

pd_cpu_features pd_detect_cpu_features(void) {
    __builtin_cpu_init();
    pd_cpu_features f = {
        .avx2 = __builtin_cpu_supports("avx2"),
        .fma = __builtin_cpu_supports("fma"),
        .avx512f = __builtin_cpu_supports("avx512f"),
        .avx512bw = __builtin_cpu_supports("avx512bw"),
        .avx512vl = __builtin_cpu_supports("avx512vl"),
        .avx512dq = __builtin_cpu_supports("avx512dq"),
        .avx512_vnni = __builtin_cpu_supports("avx512vnni"),
        .avx512_bf16 = __builtin_cpu_supports("avx512bf16"),
        .avx_vnni = __builtin_cpu_supports("avxvnni"),
        .amx_tile = __builtin_cpu_supports("amx-tile"),
        .amx_bf16 = __builtin_cpu_supports("amx-bf16"),
        .amx_int8 = __builtin_cpu_supports("amx-int8"),
    };
    static int permitted = -1;
    if (f.amx_tile && __atomic_load_n(&permitted, __ATOMIC_RELAXED) < 0)
        __atomic_store_n(&permitted, request_amx_permission(), __ATOMIC_RELAXED);
    f.amx_permitted = f.amx_tile && __atomic_load_n(&permitted, __ATOMIC_RELAXED) > 0;
    return f;
}
#else
pd_cpu_features pd_detect_cpu_features(void) {
    pd_cpu_features none = {0};
    return none;
}
#endif

static pd_isa level_of(pd_cpu_features f) {
    if (!(f.avx2 && f.fma)) return PD_ISA_PORTABLE;
    if (!(f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq)) return PD_ISA_AVX2;
    if (!f.avx512_bf16) return PD_ISA_AVX512;
    if (!(f.amx_tile && f.amx_bf16 && f.amx_int8 && f.amx_permitted)) return PD_ISA_AVX512_BF16;
    return PD_ISA_AMX;
}

pd_isa pd_cpu_isa(void) {
    static int cached = -1;
    int level = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (level < 0) {
        level = (int)level_of(pd_detect_cpu_features());
        __atomic_store_n(&cached, level, __ATOMIC_RELAXED);
    }
    return (pd_isa)level;
}

pd_isa pd_usable_isa(pd_isa isa) {
    pd_isa cpu = pd_cpu_isa();
    return isa < cpu ? isa : cpu;
}
