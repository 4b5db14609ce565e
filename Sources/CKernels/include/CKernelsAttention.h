#ifndef PARADIFFUSE_CKERNELS_ATTENTION_H
#define PARADIFFUSE_CKERNELS_ATTENTION_H

#include <stddef.h>
#include "CKernelsISA.h"

/// softmax(Q·Kᵀ·scale)·V for every (batch, head), flash-style: per block of queries the keys are visited in blocks
/// with a running maximum and sum (online softmax), so no score matrix larger than one block is ever held.
/// Q, K, V and the output are `[batch, tokens, heads·head_size]` views: head `h` of token `t` in batch `b` starts
/// at element `(b·tokens + t)·row_stride + h·head_size`. They hold float32, or bfloat16 when `bf16_tensors` is set
/// (bfloat16 kernels only). With `causal`, query `i` sees keys `0...i` (top-left).
typedef struct {
    const void *query, *key, *value;
    void *output;
    int bf16_tensors;
    size_t batch, heads, queries, keys, head_size;
    size_t query_row_stride, key_row_stride, value_row_stride, output_row_stride;
    float scale;
    int causal;
} pd_attention_problem;

/// Arithmetic of the fused attention: float32 FMA in portable C, AVX2 or AVX-512, or bfloat16 products of rounded Q, K,
/// softmax weights and V with float32 accumulation (AVX512-BF16 `vdpbf16ps`, or AMX `tdpbf16ps` tiles).
typedef enum {
    PD_ATTENTION_PORTABLE_F32 = 0,
    PD_ATTENTION_AVX2_F32 = 1,
    PD_ATTENTION_AVX512_F32 = 2,
    PD_ATTENTION_AVX512_BF16 = 3,
    PD_ATTENTION_AMX_BF16 = 4,
} pd_attention_kernel;

/// The fastest kernel for float32 (`bf16 == 0`) or bfloat16 arithmetic within instruction set `isa` (and the CPU's);
/// float32 where there is no bfloat16 arithmetic.
pd_attention_kernel pd_attention_fastest_kernel(int bf16, pd_isa isa);

/// Bytes of the workspace holding the keys and values repacked for `kernel` (64-byte aligned).
size_t pd_attention_workspace_bytes(const pd_attention_problem *problem, pd_attention_kernel kernel);

/// Repacks the keys and values of (batch·heads) slices into `workspace`, claiming slices from `*next_slice`
/// (atomically incremented; start it at 0): every thread of a parallel region calls it with the same counter.
void pd_attention_pack(const pd_attention_problem *problem, pd_attention_kernel kernel, void *workspace,
                       size_t *next_slice);

/// Number of independent work items (one slice × one block of queries).
size_t pd_attention_items(const pd_attention_problem *problem);

/// Computes work items from a packed workspace, claiming them from `*next_item` as `pd_attention_pack` claims
/// slices; items write disjoint outputs.
void pd_attention_run(const pd_attention_problem *problem, pd_attention_kernel kernel, const void *workspace,
                      size_t *next_item);

#endif
