#include "CKernelsAttention.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Rows of queries per work item and keys per inner block: a 64 x 256 float score block (64 KiB) stays in L2
   between the score, softmax and mixing passes, and the per-row work of each block (reductions, the rescaling
   exponential) is spread over 256 keys. Both are multiples of 32 so bf16 pairs and vectors tile them. */
enum { QUERY_BLOCK = 64, KEY_BLOCK = 256, LANES = 16, AVX2_LANES = 8 };

#define AI static inline __attribute__((always_inline))
#define PD_AVX2 __attribute__((target("avx2,fma")))
#define PD_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,avx2")))
#define PD_AVX512_BF16 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,fma,avx2")))
#define PD_AMX __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,fma,avx2,amx-tile,amx-bf16")))

static size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

/* Keys padded to whole 32-key steps of the bf16 value products; head elements padded to whole vectors (bf16
   values) or pairs (bf16 keys). */
static size_t padded_keys(const pd_attention_problem *p) { return round_up(p->keys, 2 * LANES); }
static size_t padded_head(const pd_attention_problem *p) { return round_up(p->head_size, LANES); }
static size_t head_pairs(const pd_attention_problem *p) { return (p->head_size + 1) / 2; }

static size_t slice_bytes(const pd_attention_problem *p, pd_attention_kernel kernel) {
    size_t kp = padded_keys(p);
    if (kernel == PD_ATTENTION_AVX512_BF16 || kernel == PD_ATTENTION_AMX_BF16)
        return head_pairs(p) * kp * 4 + (kp / 2) * padded_head(p) * 4;
    return p->head_size * kp * sizeof(float);
}

pd_attention_kernel pd_attention_fastest_kernel(int bf16, pd_isa isa) {
    switch (pd_usable_isa(isa)) {
    case PD_ISA_PORTABLE: return PD_ATTENTION_PORTABLE_F32;
    case PD_ISA_AVX2: return PD_ATTENTION_AVX2_F32;
    case PD_ISA_AVX512: return PD_ATTENTION_AVX512_F32;
    case PD_ISA_AVX512_BF16: return bf16 ? PD_ATTENTION_AVX512_BF16 : PD_ATTENTION_AVX512_F32;
    case PD_ISA_AMX: return bf16 ? PD_ATTENTION_AMX_BF16 : PD_ATTENTION_AVX512_F32;
    }
    return PD_ATTENTION_PORTABLE_F32;
}

size_t pd_attention_workspace_bytes(const pd_attention_problem *p, pd_attention_kernel kernel) {
    return p->batch * p->heads * slice_bytes(p, kernel);
}

size_t pd_attention_items(const pd_attention_problem *p) {
    return p->batch * p->heads * ((p->queries + QUERY_BLOCK - 1) / QUERY_BLOCK);
}

/* Round to nearest even, as torch's float → bfloat16 conversion (inputs here are finite). */
static uint16_t to_bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    bits += 0x7FFF + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

static size_t element_bytes(const pd_attention_problem *p) { return p->bf16_tensors ? 2 : 4; }

/* Element `row·row_stride` of the slice's first row of `tensor` (a problem's Q, K, V or output). */
static const void *slice_row(const void *tensor, const pd_attention_problem *p, size_t slice, size_t tokens,
                             size_t row, size_t row_stride) {
    size_t batch = slice / p->heads, head = slice % p->heads;
    return (const char *)tensor + ((batch * tokens + row) * row_stride + head * p->head_size) * element_bytes(p);
}

static const void *slice_base(const void *tensor, const pd_attention_problem *p, size_t slice, size_t tokens,
                              size_t row_stride) {
    return slice_row(tensor, p, slice, tokens, 0, row_stride);
}

/* float32: Kᵀ as [head_size][padded keys], zero past the last key. */
static void pack_keys_transposed(const pd_attention_problem *p, size_t slice, float *kt) {
    size_t kp = padded_keys(p), d = p->head_size;
    const float *key = slice_base(p->key, p, slice, p->keys, p->key_row_stride);
    for (size_t k = 0; k < d; k++) memset(kt + k * kp + p->keys, 0, (kp - p->keys) * sizeof(float));
    for (size_t j = 0; j < p->keys; j++) {
        const float *row = key + j * p->key_row_stride;
        for (size_t k = 0; k < d; k++) kt[k * kp + j] = row[k];
    }
}

/* bfloat16: keys as [head pair][padded keys][2] and values as [key pair][padded head][2] (the pair-interleaved
   operand layout of vdpbf16ps), zero past the last key and head element. */
static void pack_bf16(const pd_attention_problem *p, size_t slice, uint16_t *keys, uint16_t *values) {
    size_t kp = padded_keys(p), d = p->head_size, dp = padded_head(p), pairs = head_pairs(p);
    memset(keys, 0, pairs * kp * 4);
    memset(values, 0, (kp / 2) * dp * 4);
    if (p->bf16_tensors) {
        const uint16_t *key = slice_base(p->key, p, slice, p->keys, p->key_row_stride);
        const uint16_t *value = slice_base(p->value, p, slice, p->keys, p->value_row_stride);
        for (size_t j = 0; j < p->keys; j++) {
            const uint16_t *key_row = key + j * p->key_row_stride, *value_row = value + j * p->value_row_stride;
            for (size_t k = 0; k < d; k++) keys[((k / 2) * kp + j) * 2 + (k & 1)] = key_row[k];
            for (size_t c = 0; c < d; c++) values[((j / 2) * dp + c) * 2 + (j & 1)] = value_row[c];
        }
        return;
    }
    const float *key = slice_base(p->key, p, slice, p->keys, p->key_row_stride);
    const float *value = slice_base(p->value, p, slice, p->keys, p->value_row_stride);
    for (size_t j = 0; j < p->keys; j++) {
        const float *key_row = key + j * p->key_row_stride, *value_row = value + j * p->value_row_stride;
        for (size_t k = 0; k < d; k++) keys[((k / 2) * kp + j) * 2 + (k & 1)] = to_bf16(key_row[k]);
        for (size_t c = 0; c < d; c++) values[((j / 2) * dp + c) * 2 + (j & 1)] = to_bf16(value_row[c]);
    }
}

/* The next unclaimed index below `count`, or `count` when none is left: threads claim work as they run, so one
   descheduled thread on a shared machine does not hold back a fixed share. */
static size_t claim(size_t *next, size_t count) {
    size_t index = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED);
    return index < count ? index : count;
}

void pd_attention_pack(const pd_attention_problem *p, pd_attention_kernel kernel, void *workspace,
                       size_t *next_slice) {
    size_t bytes = slice_bytes(p, kernel), kp = padded_keys(p), slices = p->batch * p->heads;
    for (size_t slice = claim(next_slice, slices); slice < slices; slice = claim(next_slice, slices)) {
        char *base = (char *)workspace + slice * bytes;
        if (kernel == PD_ATTENTION_AVX512_BF16 || kernel == PD_ATTENTION_AMX_BF16)
            pack_bf16(p, slice, (uint16_t *)base, (uint16_t *)(base + head_pairs(p) * kp * 4));
        else
            pack_keys_transposed(p, slice, (float *)base);
    }
}

/* One work item: a block of queries of one slice, with its running softmax state. */
typedef struct {
    const pd_attention_problem *p;
    const void *query;         /* first query row of the block */
    const float *value;        /* the slice's first value row (float32 kernels) */
    const void *packed;        /* the slice's packed keys (and values) */
    size_t rows, first_query, kp;
    float *scores;             /* [QUERY_BLOCK][KEY_BLOCK]: scores, then softmax weights */
    uint16_t *weights_bf16;    /* [QUERY_BLOCK][KEY_BLOCK] weights rounded to bf16 */
    uint32_t *query_bf16;      /* [QUERY_BLOCK][head pairs] */
    float *accumulator;        /* [QUERY_BLOCK][padded head]: unnormalized output */
    float score_factor;        /* scale still to apply to the stored scores (1 when the score step applied it) */
    float maximum[QUERY_BLOCK], total[QUERY_BLOCK], correction[QUERY_BLOCK];
} block_state;

/* Keys of the block [first_key, first_key + columns) visible to row r: all of them, or up to its own index. */
static size_t visible_keys(const block_state *b, size_t r, size_t first_key, size_t columns) {
    if (!b->p->causal) return columns;
    size_t query = b->first_query + r;
    if (query < first_key) return 0;
    size_t visible = query - first_key + 1;
    return visible < columns ? visible : columns;
}

/* Folds the block's maximum into row r's running maximum; returns the new one and sets the rescaling factor of
   what was accumulated so far. */
static float update_maximum(block_state *b, size_t r, float block_maximum) {
    float previous = b->maximum[r];
    float maximum = previous > block_maximum ? previous : block_maximum;
    b->correction[r] = previous == -INFINITY ? 0.0f : expf(previous - maximum);
    b->maximum[r] = maximum;
    return maximum;
}

/* ---- portable float32 ---- */

static void scores_portable(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    const float *kt = (const float *)b->packed + first_key;
    for (size_t r = 0; r < b->rows; r++) {
        const float *q = (const float *)b->query + r * p->query_row_stride;
        float *s = b->scores + r * KEY_BLOCK;
        for (size_t j = 0; j < columns; j++) s[j] = 0;
        for (size_t k = 0; k < p->head_size; k++)
            for (size_t j = 0; j < columns; j++) s[j] += q[k] * kt[k * b->kp + j];
        for (size_t j = 0; j < columns; j++) s[j] *= p->scale;
    }
}

static void softmax_portable(block_state *b, size_t first_key, size_t columns) {
    for (size_t r = 0; r < b->rows; r++) {
        float *s = b->scores + r * KEY_BLOCK;
        size_t visible = visible_keys(b, r, first_key, columns);
        if (visible == 0) {
            b->correction[r] = 1;
            memset(s, 0, columns * sizeof(float));
            continue;
        }
        float block_maximum = -INFINITY;
        for (size_t j = 0; j < visible; j++) block_maximum = fmaxf(block_maximum, s[j]);
        float maximum = update_maximum(b, r, block_maximum), sum = 0;
        for (size_t j = 0; j < visible; j++) {
            s[j] = expf(s[j] - maximum);
            sum += s[j];
        }
        memset(s + visible, 0, (columns - visible) * sizeof(float));
        b->total[r] = b->total[r] * b->correction[r] + sum;
    }
}

static void mix_portable(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    size_t d = p->head_size, stride = padded_head(p);
    for (size_t r = 0; r < b->rows; r++) {
        float *o = b->accumulator + r * stride;
        const float *weights = b->scores + r * KEY_BLOCK;
        for (size_t c = 0; c < d; c++) o[c] *= b->correction[r];
        for (size_t j = 0; j < columns; j++) {
            const float *v = b->value + (first_key + j) * p->value_row_stride;
            for (size_t c = 0; c < d; c++) o[c] += weights[j] * v[c];
        }
    }
}

/* bfloat16 kernels: the block's queries rounded to bfloat16 and paired as the products take them. */
static void round_queries_to_bf16(block_state *b) {
    const pd_attention_problem *p = b->p;
    size_t pairs = head_pairs(p);
    for (size_t r = 0; r < b->rows; r++) {
        if (p->bf16_tensors) {
            const uint16_t *q = (const uint16_t *)b->query + r * p->query_row_stride;
            for (size_t pair = 0; pair < pairs; pair++) {
                size_t k = 2 * pair;
                uint32_t high = k + 1 < p->head_size ? q[k + 1] : 0;
                b->query_bf16[r * pairs + pair] = (uint32_t)q[k] | (high << 16);
            }
            continue;
        }
        const float *q = (const float *)b->query + r * p->query_row_stride;
        for (size_t pair = 0; pair < pairs; pair++) {
            size_t k = 2 * pair;
            uint32_t high = k + 1 < p->head_size ? to_bf16(q[k + 1]) : 0;
            b->query_bf16[r * pairs + pair] = (uint32_t)to_bf16(q[k]) | (high << 16);
        }
    }
}

#if defined(__x86_64__)

#define TILE_ROWS_1_TO_6(CASE, V) CASE(1, V) CASE(2, V) CASE(3, V) CASE(4, V) CASE(5, V) CASE(6, V)
#define TILE_ROWS_1_TO_8(CASE, V) TILE_ROWS_1_TO_6(CASE, V) CASE(7, V) CASE(8, V)

/* The head's vectors split as evenly as possible into `chunks` chunks (registers hold a few vectors' accumulators
   for several rows). */
static int chunk_vectors(size_t head_vectors, size_t chunk, size_t chunks) {
    size_t base = head_vectors / chunks, extra = head_vectors % chunks;
    return (int)(base + (chunk < extra ? 1 : 0));
}

/* ---- AVX2 + FMA (float32) ---- */

PD_AVX2 AI float horizontal_max_avx2(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

PD_AVX2 AI float horizontal_sum_avx2(__m256 v) {
    __m128 m = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_add_ps(m, _mm_movehl_ps(m, m));
    m = _mm_add_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

/* All-ones in the first `count` of 8 lanes. */
PD_AVX2 AI __m256i lanes_below_avx2(size_t count) {
    int n = count >= AVX2_LANES ? AVX2_LANES : (int)count;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* e^x for x ≤ 0: the AVX-512 kernel's polynomial, scaled by 2^n built in the exponent bits (n ≥ -126 after the
   clamp, so the scale stays normal and the product is the same as vscalefps gives). */
PD_AVX2 AI __m256 exp_nonpositive_avx2(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.33f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 poly = _mm256_set1_ps(1.9875691500e-4f);
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.3981999507e-3f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(8.3334519073e-3f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(4.1665795894e-2f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(1.6666665459e-1f));
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(5.0000001201e-1f));
    poly = _mm256_fmadd_ps(poly, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(poly, _mm256_castsi256_ps(exponent));
}

/* Scores of `R` query rows × `V` vectors of 8 keys: S = (Q·Kᵀ)·scale from the transposed keys. */
PD_AVX2 AI void scores_tile_avx2(const float *q, size_t q_stride, const float *kt, size_t kp, size_t d, float scale,
                                 float *s, const int R, const int V) {
    __m256 acc[6][2];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) acc[r][v] = _mm256_setzero_ps();
    for (size_t k = 0; k < d; k++) {
        __m256 keys[2];
        for (int v = 0; v < V; v++) keys[v] = _mm256_loadu_ps(kt + k * kp + v * AVX2_LANES);
        for (int r = 0; r < R; r++) {
            __m256 query = _mm256_broadcast_ss(q + r * q_stride + k);
            for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(query, keys[v], acc[r][v]);
        }
    }
    __m256 factor = _mm256_set1_ps(scale);
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++)
            _mm256_storeu_ps(s + r * KEY_BLOCK + v * AVX2_LANES, _mm256_mul_ps(acc[r][v], factor));
}

PD_AVX2 static void scores_avx2(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    const float *kt = (const float *)b->packed;
    for (size_t j = 0; j < columns; j += 2 * AVX2_LANES) {
        int vectors = columns - j > AVX2_LANES ? 2 : 1;
        for (size_t r = 0; r < b->rows; r += 6) {
            int rows = b->rows - r >= 6 ? 6 : (int)(b->rows - r);
            const float *q = (const float *)b->query + r * p->query_row_stride;
            float *s = b->scores + r * KEY_BLOCK + j;
            const float *keys = kt + first_key + j;
#define SCORES_CASE(R, V) \
    case R * 8 + V: scores_tile_avx2(q, p->query_row_stride, keys, b->kp, p->head_size, p->scale, s, R, V); break;
            switch (rows * 8 + vectors) {
                TILE_ROWS_1_TO_6(SCORES_CASE, 1) TILE_ROWS_1_TO_6(SCORES_CASE, 2)
            }
#undef SCORES_CASE
        }
    }
}

/* Softmax weights of the block in place (zero past each row's visible keys, up to a multiple of 8 columns), the
   running maxima and sums. */
PD_AVX2 static void softmax_avx2(block_state *b, size_t first_key, size_t columns) {
    size_t padded_columns = round_up(columns, AVX2_LANES);
    for (size_t r = 0; r < b->rows; r++) {
        float *s = b->scores + r * KEY_BLOCK;
        size_t visible = visible_keys(b, r, first_key, columns);
        if (visible == 0) {
            b->correction[r] = 1;
            memset(s, 0, padded_columns * sizeof(float));
            continue;
        }
        __m256 lowest = _mm256_set1_ps(-INFINITY), maxima = lowest;
        for (size_t j = 0; j < visible; j += AVX2_LANES) {
            __m256 live = _mm256_castsi256_ps(lanes_below_avx2(visible - j));
            maxima = _mm256_max_ps(maxima, _mm256_blendv_ps(lowest, _mm256_loadu_ps(s + j), live));
        }
        __m256 maximum = _mm256_set1_ps(update_maximum(b, r, horizontal_max_avx2(maxima)));
        __m256 sums = _mm256_setzero_ps();
        for (size_t j = 0; j < padded_columns; j += AVX2_LANES) {
            __m256 live = j < visible ? _mm256_castsi256_ps(lanes_below_avx2(visible - j)) : _mm256_setzero_ps();
            __m256 weights = _mm256_and_ps(live, exp_nonpositive_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j), maximum)));
            sums = _mm256_add_ps(sums, weights);
            _mm256_storeu_ps(s + j, weights);
        }
        b->total[r] = b->total[r] * b->correction[r] + horizontal_sum_avx2(sums);
    }
}

/* accumulator[R rows][V vectors] = accumulator·correction + weights·values over `columns` keys; `last` masks the
   loads of the chunk's final vector of values when the head ends inside it. */
PD_AVX2 AI void mix_tile_avx2(const float *weights, const float *v, size_t v_stride, size_t columns, float *o,
                              size_t o_stride, const float *correction, __m256i last, const int R, const int V) {
    __m256 acc[6][3];
    for (int r = 0; r < R; r++) {
        __m256 factor = _mm256_set1_ps(correction[r]);
        for (int c = 0; c < V; c++)
            acc[r][c] = _mm256_mul_ps(_mm256_loadu_ps(o + r * o_stride + c * AVX2_LANES), factor);
    }
    for (size_t j = 0; j < columns; j++) {
        __m256 values[3];
        for (int c = 0; c < V - 1; c++) values[c] = _mm256_loadu_ps(v + j * v_stride + c * AVX2_LANES);
        values[V - 1] = _mm256_maskload_ps(v + j * v_stride + (V - 1) * AVX2_LANES, last);
        for (int r = 0; r < R; r++) {
            __m256 weight = _mm256_broadcast_ss(weights + r * KEY_BLOCK + j);
            for (int c = 0; c < V; c++) acc[r][c] = _mm256_fmadd_ps(weight, values[c], acc[r][c]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < V; c++) _mm256_storeu_ps(o + r * o_stride + c * AVX2_LANES, acc[r][c]);
}

/* The head's vectors of 8 in chunks of at most 3 (accumulators for 4–6 rows stay in the 16 registers). */
PD_AVX2 static void mix_avx2(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    size_t d = p->head_size, head_vectors = (d + AVX2_LANES - 1) / AVX2_LANES, chunks = (head_vectors + 2) / 3;
    size_t o_stride = padded_head(p), column = 0;
    for (size_t chunk = 0; chunk < chunks; chunk++) {
        int vectors = chunk_vectors(head_vectors, chunk, chunks);
        size_t chunk_end = column + vectors * AVX2_LANES;
        __m256i last = lanes_below_avx2(chunk_end > d ? AVX2_LANES - (chunk_end - d) : AVX2_LANES);
        int tile_rows = vectors == 3 ? 4 : 6;
        for (size_t r = 0; r < b->rows; r += tile_rows) {
            int rows = b->rows - r >= (size_t)tile_rows ? tile_rows : (int)(b->rows - r);
            const float *weights = b->scores + r * KEY_BLOCK;
            const float *v = b->value + first_key * p->value_row_stride + column;
            float *o = b->accumulator + r * o_stride + column;
#define MIX_CASE(R, V) \
    case R * 8 + V: \
        mix_tile_avx2(weights, v, p->value_row_stride, columns, o, o_stride, b->correction + r, last, R, V); break;
            switch (rows * 8 + vectors) {
                TILE_ROWS_1_TO_6(MIX_CASE, 1) TILE_ROWS_1_TO_6(MIX_CASE, 2) TILE_ROWS_1_TO_6(MIX_CASE, 3)
            }
#undef MIX_CASE
        }
        column = chunk_end;
    }
}

/* ---- AVX-512 ---- */

/* e^x for x ≤ 0 to about 1 ulp: Cephes' expf polynomial, scaled by 2^n with vscalefps. */
PD_AVX512 AI __m512 exp_nonpositive(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.33f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 poly = _mm512_set1_ps(1.9875691500e-4f);
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.3981999507e-3f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(8.3334519073e-3f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(4.1665795894e-2f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.6666665459e-1f));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(5.0000001201e-1f));
    poly = _mm512_fmadd_ps(poly, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(poly, n);
}

AI __mmask16 lanes_below(size_t count) { return count >= LANES ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1); }

/* Softmax weights of the block in place (zero past each row's visible keys, up to a multiple of 32 columns), the
   running maxima and sums. */
PD_AVX512 static void softmax_avx512(block_state *b, size_t first_key, size_t columns) {
    size_t padded_columns = round_up(columns, 2 * LANES);
    for (size_t r = 0; r < b->rows; r++) {
        float *s = b->scores + r * KEY_BLOCK;
        size_t visible = visible_keys(b, r, first_key, columns);
        if (visible == 0) {
            b->correction[r] = 1;
            for (size_t j = 0; j < padded_columns; j += LANES) _mm512_storeu_ps(s + j, _mm512_setzero_ps());
        } else {
            __m512 maxima = _mm512_set1_ps(-INFINITY);
            for (size_t j = 0; j < visible; j += LANES)
                maxima = _mm512_mask_max_ps(maxima, lanes_below(visible - j), maxima, _mm512_loadu_ps(s + j));
            __m512 maximum = _mm512_set1_ps(update_maximum(b, r, _mm512_reduce_max_ps(maxima)));
            __m512 sums = _mm512_setzero_ps();
            for (size_t j = 0; j < padded_columns; j += LANES) {
                __mmask16 live = j < visible ? lanes_below(visible - j) : 0;
                __m512 weights = _mm512_maskz_mov_ps(live, exp_nonpositive(_mm512_sub_ps(_mm512_loadu_ps(s + j),
                                                                                         maximum)));
                sums = _mm512_add_ps(sums, weights);
                _mm512_storeu_ps(s + j, weights);
            }
            b->total[r] = b->total[r] * b->correction[r] + _mm512_reduce_add_ps(sums);
        }
    }
}

/* Scores of `R` query rows × `V` vectors of keys: S = (Q·Kᵀ)·scale from the transposed keys. */
PD_AVX512 AI void scores_tile_f32(const float *q, size_t q_stride, const float *kt, size_t kp, size_t d, float scale,
                                  float *s, const int R, const int V) {
    __m512 acc[6][4];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) acc[r][v] = _mm512_setzero_ps();
    for (size_t k = 0; k < d; k++) {
        __m512 keys[4];
        for (int v = 0; v < V; v++) keys[v] = _mm512_loadu_ps(kt + k * kp + v * LANES);
        for (int r = 0; r < R; r++) {
            __m512 query = _mm512_set1_ps(q[r * q_stride + k]);
            for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(query, keys[v], acc[r][v]);
        }
    }
    __m512 factor = _mm512_set1_ps(scale);
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) _mm512_storeu_ps(s + r * KEY_BLOCK + v * LANES, _mm512_mul_ps(acc[r][v], factor));
}


PD_AVX512 static void scores_avx512(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    const float *kt = (const float *)b->packed;
    for (size_t j = 0; j < columns; j += 4 * LANES) {
        size_t remaining = columns - j;
        int vectors = remaining >= 4 * LANES ? 4 : (int)((remaining + LANES - 1) / LANES);
        for (size_t r = 0; r < b->rows; r += 6) {
            int rows = b->rows - r >= 6 ? 6 : (int)(b->rows - r);
            const float *q = (const float *)b->query + r * p->query_row_stride;
            float *s = b->scores + r * KEY_BLOCK + j;
            const float *keys = kt + first_key + j;
#define SCORES_CASE(R, V) \
    case R * 8 + V: scores_tile_f32(q, p->query_row_stride, keys, b->kp, p->head_size, p->scale, s, R, V); break;
            switch (rows * 8 + vectors) {
                TILE_ROWS_1_TO_6(SCORES_CASE, 1) TILE_ROWS_1_TO_6(SCORES_CASE, 2)
                TILE_ROWS_1_TO_6(SCORES_CASE, 3) TILE_ROWS_1_TO_6(SCORES_CASE, 4)
            }
#undef SCORES_CASE
        }
    }
}

/* accumulator[R rows][V vectors] = accumulator·correction + weights·values, over `columns` keys; `last` masks the
   head's final vector when the head size is not a multiple of 16. */
PD_AVX512 AI void mix_tile_f32(const float *weights, const float *v, size_t v_stride, size_t columns, float *o,
                               size_t o_stride, const float *correction, __mmask16 last, const int R, const int V) {
    __m512 acc[8][5];
    for (int r = 0; r < R; r++) {
        __m512 factor = _mm512_set1_ps(correction[r]);
        for (int c = 0; c < V; c++) acc[r][c] = _mm512_mul_ps(_mm512_loadu_ps(o + r * o_stride + c * LANES), factor);
    }
    for (size_t j = 0; j < columns; j++) {
        __m512 values[5];
        for (int c = 0; c < V; c++)
            values[c] = _mm512_maskz_loadu_ps(c == V - 1 ? last : (__mmask16)0xFFFF, v + j * v_stride + c * LANES);
        for (int r = 0; r < R; r++) {
            __m512 weight = _mm512_set1_ps(weights[r * KEY_BLOCK + j]);
            for (int c = 0; c < V; c++) acc[r][c] = _mm512_fmadd_ps(weight, values[c], acc[r][c]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < V; c++) _mm512_storeu_ps(o + r * o_stride + c * LANES, acc[r][c]);
}


static int rows_for_vectors(int vectors) { return vectors <= 3 ? 8 : vectors == 4 ? 6 : 4; }

PD_AVX512 static void mix_avx512(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    size_t d = p->head_size, head_vectors = padded_head(p) / LANES, chunks = (head_vectors + 4) / 5;
    size_t o_stride = padded_head(p), column = 0;
    for (size_t chunk = 0; chunk < chunks; chunk++) {
        int vectors = chunk_vectors(head_vectors, chunk, chunks);
        __mmask16 last = column + vectors * LANES > d ? lanes_below(d % LANES) : (__mmask16)0xFFFF;
        int tile_rows = rows_for_vectors(vectors);
        for (size_t r = 0; r < b->rows; r += tile_rows) {
            int rows = b->rows - r >= (size_t)tile_rows ? tile_rows : (int)(b->rows - r);
            const float *weights = b->scores + r * KEY_BLOCK;
            const float *v = b->value + first_key * p->value_row_stride + column;
            float *o = b->accumulator + r * o_stride + column;
#define MIX_CASE(R, V) \
    case R * 8 + V: \
        mix_tile_f32(weights, v, p->value_row_stride, columns, o, o_stride, b->correction + r, last, R, V); break;
            switch (rows * 8 + vectors) {
                TILE_ROWS_1_TO_8(MIX_CASE, 1) TILE_ROWS_1_TO_8(MIX_CASE, 2) TILE_ROWS_1_TO_8(MIX_CASE, 3)
                TILE_ROWS_1_TO_6(MIX_CASE, 4) TILE_ROWS_1_TO_6(MIX_CASE, 5)
            }
#undef MIX_CASE
        }
        column += vectors * LANES;
    }
}

/* ---- AVX512-BF16 ---- */

PD_AVX512_BF16 AI void scores_tile_bf16(const uint32_t *q, size_t pairs, const uint16_t *keys, size_t kp,
                                        float scale, float *s, const int R, const int V) {
    __m512 acc[6][4];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) acc[r][v] = _mm512_setzero_ps();
    for (size_t pair = 0; pair < pairs; pair++) {
        __m512bh k[4];
        for (int v = 0; v < V; v++) k[v] = (__m512bh)_mm512_loadu_si512(keys + (pair * kp + v * LANES) * 2);
        for (int r = 0; r < R; r++) {
            __m512bh query = (__m512bh)_mm512_set1_epi32((int)q[r * pairs + pair]);
            for (int v = 0; v < V; v++) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], k[v], query);
        }
    }
    __m512 factor = _mm512_set1_ps(scale);
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) _mm512_storeu_ps(s + r * KEY_BLOCK + v * LANES, _mm512_mul_ps(acc[r][v], factor));
}

PD_AVX512_BF16 static void scores_bf16(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    size_t pairs = head_pairs(p);
    const uint16_t *packed = (const uint16_t *)b->packed;
    for (size_t j = 0; j < columns; j += 4 * LANES) {
        size_t remaining = columns - j;
        int vectors = remaining >= 4 * LANES ? 4 : (int)((remaining + LANES - 1) / LANES);
        for (size_t r = 0; r < b->rows; r += 6) {
            int rows = b->rows - r >= 6 ? 6 : (int)(b->rows - r);
            const uint32_t *q = b->query_bf16 + r * pairs;
            float *s = b->scores + r * KEY_BLOCK + j;
            const uint16_t *keys = packed + (first_key + j) * 2;
#define SCORES_CASE(R, V) case R * 8 + V: scores_tile_bf16(q, pairs, keys, b->kp, p->scale, s, R, V); break;
            switch (rows * 8 + vectors) {
                TILE_ROWS_1_TO_6(SCORES_CASE, 1) TILE_ROWS_1_TO_6(SCORES_CASE, 2)
                TILE_ROWS_1_TO_6(SCORES_CASE, 3) TILE_ROWS_1_TO_6(SCORES_CASE, 4)
            }
#undef SCORES_CASE
        }
    }
}

/* 2^x for finite x to about 3e-6 relative (bf16 weights keep 8 bits): a degree-5 polynomial of e^r on
   r = (x - round(x))·ln 2, scaled by vscalefps (which flushes very negative x to 0). */
PD_AVX512 AI __m512 exp2_for_bf16(__m512 x) {
    __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_mul_ps(_mm512_sub_ps(x, n), _mm512_set1_ps(0.693147180559945f));
    __m512 poly = _mm512_set1_ps(1.0f / 120);
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f / 24));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.0f / 6));
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(0.5f));
    poly = _mm512_fmadd_ps(poly, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(poly, n);
}

/* Softmax weights of the block straight to bfloat16 (zero past each row's visible keys, up to a multiple of 32
   columns) with the running maxima and float32 sums; stored scores are multiplied by `score_factor` (> 0) here. */
PD_AVX512_BF16 static void softmax_bf16(block_state *b, size_t first_key, size_t columns) {
    size_t padded_columns = round_up(columns, 2 * LANES);
    const float log2e = 1.44269504088896341f;
    __m512 factor = _mm512_set1_ps(b->score_factor * log2e);
    for (size_t r = 0; r < b->rows; r++) {
        const float *s = b->scores + r * KEY_BLOCK;
        uint16_t *weights = b->weights_bf16 + r * KEY_BLOCK;
        size_t visible = visible_keys(b, r, first_key, columns);
        if (visible == 0) {
            b->correction[r] = 1;
            for (size_t j = 0; j < padded_columns; j += 2 * LANES) _mm512_storeu_si512(weights + j, _mm512_setzero_si512());
            continue;
        }
        __m512 maxima = _mm512_set1_ps(-INFINITY);
        for (size_t j = 0; j < visible; j += LANES)
            maxima = _mm512_mask_max_ps(maxima, lanes_below(visible - j), maxima, _mm512_loadu_ps(s + j));
        float maximum = update_maximum(b, r, _mm512_reduce_max_ps(maxima) * b->score_factor);
        __m512 bias = _mm512_set1_ps(maximum * log2e);
        __m512 sums = _mm512_setzero_ps();
        for (size_t j = 0; j < padded_columns; j += 2 * LANES) {
            __mmask16 low = j < visible ? lanes_below(visible - j) : 0;
            __mmask16 high = j + LANES < visible ? lanes_below(visible - j - LANES) : 0;
            __m512 first = _mm512_maskz_mov_ps(low, exp2_for_bf16(_mm512_fmsub_ps(_mm512_loadu_ps(s + j), factor, bias)));
            __m512 second = _mm512_maskz_mov_ps(
                high, exp2_for_bf16(_mm512_fmsub_ps(_mm512_loadu_ps(s + j + LANES), factor, bias)));
            sums = _mm512_add_ps(sums, _mm512_add_ps(first, second));
            _mm512_storeu_si512(weights + j, (__m512i)_mm512_cvtne2ps_pbh(second, first));
        }
        b->total[r] = b->total[r] * b->correction[r] + _mm512_reduce_add_ps(sums);
    }
}

PD_AVX512_BF16 AI void mix_tile_bf16(const uint16_t *weights, const uint16_t *values, size_t dp, size_t key_pairs,
                                     float *o, const float *correction, const int R, const int V) {
    __m512 acc[8][5];
    for (int r = 0; r < R; r++) {
        __m512 factor = _mm512_set1_ps(correction[r]);
        for (int c = 0; c < V; c++) acc[r][c] = _mm512_mul_ps(_mm512_loadu_ps(o + r * dp + c * LANES), factor);
    }
    for (size_t pair = 0; pair < key_pairs; pair++) {
        __m512bh v[5];
        for (int c = 0; c < V; c++) v[c] = (__m512bh)_mm512_loadu_si512(values + (pair * dp + c * LANES) * 2);
        for (int r = 0; r < R; r++) {
            uint32_t both;
            memcpy(&both, weights + r * KEY_BLOCK + 2 * pair, 4);
            __m512bh weight = (__m512bh)_mm512_set1_epi32((int)both);
            for (int c = 0; c < V; c++) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], v[c], weight);
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < V; c++) _mm512_storeu_ps(o + r * dp + c * LANES, acc[r][c]);
}

PD_AVX512_BF16 static void mix_bf16(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    size_t dp = padded_head(p), head_vectors = dp / LANES, chunks = (head_vectors + 4) / 5, column = 0;
    size_t key_pairs = (columns + 1) / 2;
    const uint16_t *values = (const uint16_t *)b->packed + head_pairs(p) * b->kp * 2 + (first_key / 2) * dp * 2;
    for (size_t chunk = 0; chunk < chunks; chunk++) {
        int vectors = chunk_vectors(head_vectors, chunk, chunks);
        int tile_rows = rows_for_vectors(vectors);
        for (size_t r = 0; r < b->rows; r += tile_rows) {
            int rows = b->rows - r >= (size_t)tile_rows ? tile_rows : (int)(b->rows - r);
            const uint16_t *weights = b->weights_bf16 + r * KEY_BLOCK;
            float *o = b->accumulator + r * dp + column;
#define MIX_CASE(R, V) \
    case R * 8 + V: mix_tile_bf16(weights, values + column * 2, dp, key_pairs, o, b->correction + r, R, V); break;
            switch (rows * 8 + vectors) {
                TILE_ROWS_1_TO_8(MIX_CASE, 1) TILE_ROWS_1_TO_8(MIX_CASE, 2) TILE_ROWS_1_TO_8(MIX_CASE, 3)
                TILE_ROWS_1_TO_6(MIX_CASE, 4) TILE_ROWS_1_TO_6(MIX_CASE, 5)
            }
#undef MIX_CASE
        }
        column += vectors * LANES;
    }
}

/* ---- AMX ---- */

/* Tile registers: two 16x16 float32 results, the 16x32 bf16 queries (and the rest of a head size that is not a
   multiple of 32), and the keys of two result tiles (each with its rest). The value products use the first result,
   the queries' and the first keys' registers. */
enum {
    TILE_RESULT = 0, TILE_SECOND_RESULT = 1, TILE_LEFT = 2, TILE_LEFT_TAIL = 3, TILE_RIGHT = 4, TILE_RIGHT_TAIL = 5,
    TILE_SECOND_RIGHT = 6, TILE_SECOND_RIGHT_TAIL = 7, TILE_BYTES = 64
};

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
} tile_configuration;

PD_AMX static void configure_tiles(const pd_attention_problem *p) {
    tile_configuration configuration = {.palette = 1};
    size_t tail_pairs = head_pairs(p) % 16;
    int full[] = {TILE_RESULT, TILE_SECOND_RESULT, TILE_LEFT, TILE_RIGHT, TILE_SECOND_RIGHT};
    for (int i = 0; i < 5; i++) {
        configuration.rows[full[i]] = 16;
        configuration.bytes_per_row[full[i]] = TILE_BYTES;
    }
    if (tail_pairs) {
        configuration.rows[TILE_LEFT_TAIL] = 16;
        configuration.bytes_per_row[TILE_LEFT_TAIL] = (uint16_t)(tail_pairs * 4);
        configuration.rows[TILE_RIGHT_TAIL] = configuration.rows[TILE_SECOND_RIGHT_TAIL] = (uint8_t)tail_pairs;
        configuration.bytes_per_row[TILE_RIGHT_TAIL] = configuration.bytes_per_row[TILE_SECOND_RIGHT_TAIL] = TILE_BYTES;
    }
    _tile_loadconfig(&configuration);
}

/* Unscaled scores by pairs of 16x16 tiles (rows past the block's last query hold unused values); the softmax
   applies the scale. Head sizes up to 32 (plus a rest) keep the queries in tile registers across the keys. */
PD_AMX static void scores_amx(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    size_t pairs = head_pairs(p), full_steps = pairs / 16, query_stride = pairs * 4, key_stride = b->kp * 4;
    const char *queries = (const char *)b->query_bf16, *keys = (const char *)b->packed + first_key * 4;
    int queries_stay = full_steps <= 1;
    for (size_t r = 0; r < b->rows; r += 16) {
        const char *query_rows = queries + r * query_stride;
        if (queries_stay) {
            if (full_steps) _tile_loadd(TILE_LEFT, query_rows, query_stride);
            if (pairs % 16) _tile_loadd(TILE_LEFT_TAIL, query_rows + full_steps * TILE_BYTES, query_stride);
        }
        for (size_t j = 0; j < columns; j += 32) {
            int second = j + 16 < columns;
            _tile_zero(TILE_RESULT);
            _tile_zero(TILE_SECOND_RESULT);
            for (size_t step = 0; step < full_steps; step++) {
                if (!queries_stay) _tile_loadd(TILE_LEFT, query_rows + step * TILE_BYTES, query_stride);
                _tile_loadd(TILE_RIGHT, keys + step * 16 * key_stride + j * 4, key_stride);
                _tile_dpbf16ps(TILE_RESULT, TILE_LEFT, TILE_RIGHT);
                if (second) {
                    _tile_loadd(TILE_SECOND_RIGHT, keys + step * 16 * key_stride + (j + 16) * 4, key_stride);
                    _tile_dpbf16ps(TILE_SECOND_RESULT, TILE_LEFT, TILE_SECOND_RIGHT);
                }
            }
            if (pairs % 16) {
                if (!queries_stay) _tile_loadd(TILE_LEFT_TAIL, query_rows + full_steps * TILE_BYTES, query_stride);
                _tile_loadd(TILE_RIGHT_TAIL, keys + full_steps * 16 * key_stride + j * 4, key_stride);
                _tile_dpbf16ps(TILE_RESULT, TILE_LEFT_TAIL, TILE_RIGHT_TAIL);
                if (second) {
                    _tile_loadd(TILE_SECOND_RIGHT_TAIL, keys + full_steps * 16 * key_stride + (j + 16) * 4, key_stride);
                    _tile_dpbf16ps(TILE_SECOND_RESULT, TILE_LEFT_TAIL, TILE_SECOND_RIGHT_TAIL);
                }
            }
            _tile_stored(TILE_RESULT, b->scores + r * KEY_BLOCK + j, KEY_BLOCK * 4);
            if (second) _tile_stored(TILE_SECOND_RESULT, b->scores + r * KEY_BLOCK + j + 16, KEY_BLOCK * 4);
        }
    }
}

/* accumulator = accumulator·correction + weights·values by 16x16 tiles, 32 keys per step (weights are zero past
   the block's keys, values zero past the slice's). */
PD_AMX static void mix_amx(block_state *b, size_t first_key, size_t columns) {
    const pd_attention_problem *p = b->p;
    size_t dp = padded_head(p), steps = (columns + 2 * LANES - 1) / (2 * LANES);
    for (size_t r = 0; r < b->rows; r++) {
        __m512 factor = _mm512_set1_ps(b->correction[r]);
        float *o = b->accumulator + r * dp;
        for (size_t c = 0; c < dp; c += LANES) _mm512_storeu_ps(o + c, _mm512_mul_ps(_mm512_loadu_ps(o + c), factor));
    }
    const char *values = (const char *)b->packed + head_pairs(p) * b->kp * 4 + (first_key / 2) * dp * 4;
    const char *weights = (const char *)b->weights_bf16;
    for (size_t r = 0; r < b->rows; r += 16) {
        for (size_t c = 0; c < dp; c += 16) {
            float *o = b->accumulator + r * dp + c;
            _tile_loadd(TILE_RESULT, o, dp * 4);
            for (size_t step = 0; step < steps; step++) {
                _tile_loadd(TILE_LEFT, weights + (r * KEY_BLOCK + step * 2 * LANES) * 2, KEY_BLOCK * 2);
                _tile_loadd(TILE_RIGHT, values + step * 16 * dp * 4 + c * 4, dp * 4);
                _tile_dpbf16ps(TILE_RESULT, TILE_LEFT, TILE_RIGHT);
            }
            _tile_stored(TILE_RESULT, o, dp * 4);
        }
    }
}

PD_AMX static void release_tiles(void) { _tile_release(); }

#endif

/* ---- driver ---- */

typedef struct {
    void (*scores)(block_state *, size_t first_key, size_t columns);
    void (*softmax)(block_state *, size_t first_key, size_t columns);
    void (*mix)(block_state *, size_t first_key, size_t columns);
} kernel_steps;

static kernel_steps steps_of(pd_attention_kernel kernel) {
    switch (kernel) {
#if defined(__x86_64__)
    case PD_ATTENTION_AVX2_F32: return (kernel_steps){scores_avx2, softmax_avx2, mix_avx2};
    case PD_ATTENTION_AVX512_F32: return (kernel_steps){scores_avx512, softmax_avx512, mix_avx512};
    case PD_ATTENTION_AVX512_BF16: return (kernel_steps){scores_bf16, softmax_bf16, mix_bf16};
    case PD_ATTENTION_AMX_BF16: return (kernel_steps){scores_amx, softmax_bf16, mix_amx};
#endif
    default: return (kernel_steps){scores_portable, softmax_portable, mix_portable};
    }
}

static void run_item(block_state *b, kernel_steps steps, size_t item) {
    const pd_attention_problem *p = b->p;
    size_t blocks = (p->queries + QUERY_BLOCK - 1) / QUERY_BLOCK, slice = item / blocks;
    b->first_query = (item % blocks) * QUERY_BLOCK;
    b->rows = p->queries - b->first_query < QUERY_BLOCK ? p->queries - b->first_query : QUERY_BLOCK;
    b->query = slice_row(p->query, p, slice, p->queries, b->first_query, p->query_row_stride);
    b->value = slice_base(p->value, p, slice, p->keys, p->value_row_stride);
    if (b->query_bf16) round_queries_to_bf16(b);
    size_t dp = padded_head(p);
    memset(b->accumulator, 0, b->rows * dp * sizeof(float));
    for (size_t r = 0; r < b->rows; r++) {
        b->maximum[r] = -INFINITY;
        b->total[r] = 0;
    }
    size_t key_end = p->keys;
    if (p->causal && b->first_query + b->rows < key_end) key_end = b->first_query + b->rows;
    for (size_t first_key = 0; first_key < key_end; first_key += KEY_BLOCK) {
        size_t columns = key_end - first_key < KEY_BLOCK ? key_end - first_key : KEY_BLOCK;
        steps.scores(b, first_key, columns);
        steps.softmax(b, first_key, columns);
        steps.mix(b, first_key, columns);
    }
    for (size_t r = 0; r < b->rows; r++) {
        void *out = (void *)slice_row(p->output, p, slice, p->queries, b->first_query + r, p->output_row_stride);
        float inverse = 1.0f / b->total[r];
        if (p->bf16_tensors)
            for (size_t c = 0; c < p->head_size; c++) ((uint16_t *)out)[c] = to_bf16(b->accumulator[r * dp + c] * inverse);
        else
            for (size_t c = 0; c < p->head_size; c++) ((float *)out)[c] = b->accumulator[r * dp + c] * inverse;
    }
}

void pd_attention_run(const pd_attention_problem *p, pd_attention_kernel kernel, const void *workspace,
                      size_t *next_item) {
    int bf16 = kernel == PD_ATTENTION_AVX512_BF16 || kernel == PD_ATTENTION_AMX_BF16;
    size_t dp = padded_head(p), bytes = slice_bytes(p, kernel);
    size_t scratch_bytes = QUERY_BLOCK * KEY_BLOCK * sizeof(float) + QUERY_BLOCK * dp * sizeof(float) +
                           (bf16 ? QUERY_BLOCK * KEY_BLOCK * 2 + QUERY_BLOCK * head_pairs(p) * 4 : 0);
    char *scratch = aligned_alloc(64, round_up(scratch_bytes, 64));
    /* The AMX scores leave the scale to the softmax, which needs it positive to keep the maximum's position. */
    int scale_in_softmax = kernel == PD_ATTENTION_AMX_BF16 && p->scale > 0;
    if (kernel == PD_ATTENTION_AMX_BF16 && !scale_in_softmax) kernel = PD_ATTENTION_AVX512_BF16;
    block_state b = {.p = p, .kp = padded_keys(p), .score_factor = scale_in_softmax ? p->scale : 1.0f};
    b.scores = (float *)scratch;
    b.accumulator = b.scores + QUERY_BLOCK * KEY_BLOCK;
    if (bf16) {
        b.weights_bf16 = (uint16_t *)(b.accumulator + QUERY_BLOCK * dp);
        b.query_bf16 = (uint32_t *)(b.weights_bf16 + QUERY_BLOCK * KEY_BLOCK);
    }
    kernel_steps steps = steps_of(kernel);
#if defined(__x86_64__)
    if (kernel == PD_ATTENTION_AMX_BF16) configure_tiles(p);
#endif
    size_t blocks = (p->queries + QUERY_BLOCK - 1) / QUERY_BLOCK;
    size_t items = pd_attention_items(p);
    for (size_t item = claim(next_item, items); item < items; item = claim(next_item, items)) {
        b.packed = (const char *)workspace + (item / blocks) * bytes;
        run_item(&b, steps, item);
    }
#if defined(__x86_64__)
    if (kernel == PD_ATTENTION_AMX_BF16) release_tiles();
#endif
    free(scratch);
}
