import CDNNL
import CKernels

/// Flash-style attention in C (`attention.c`): per block of 64 queries, keys in blocks of 256 with an online softmax,
/// so memory beyond the inputs and output is one repacked copy of the keys (float32) or of the keys and values
/// (bfloat16), the size of K either way, plus about 150 KiB per thread, whatever the number of tokens. Work items
/// (a head of a batch item × 64 queries) are split over as many threads as OpenMP (oneDNN) uses.
enum FusedAttention {
    /// The arithmetic of one run.
    enum Kernel {
        /// float32 in plain C (any CPU).
        case portable
        /// float32 FMA on AVX2.
        case avx2
        /// float32 FMA on AVX-512.
        case avx512
        /// bfloat16 Q, K, softmax weights and V, float32 accumulation, in AVX512-BF16 vectors (`vdpbf16ps`).
        case avx512BFloat16
        /// The same arithmetic in AMX tiles (`tdpbf16ps`).
        case amxBFloat16

        static let all: [Kernel] = [.portable, .avx2, .avx512, .avx512BFloat16, .amxBFloat16]

        /// The fastest kernel for `precision` within `instructionSet` (bfloat16 falls back to float32 without
        /// AVX512-BF16).
        static func fastest(for precision: DType, instructionSet: CPUCapabilities.InstructionSet = .current) -> Kernel {
            let native = pd_attention_fastest_kernel(precision == .bfloat16 ? 1 : 0, instructionSet.kernelLevel)
            return all.first { $0.native == native } ?? .portable
        }

        /// The instruction set the kernel runs on.
        var instructionSet: CPUCapabilities.InstructionSet {
            switch self {
            case .portable: .portable
            case .avx2: .avx2
            case .avx512: .avx512
            case .avx512BFloat16: .avx512BFloat16
            case .amxBFloat16: .amx
            }
        }

        /// Whether this CPU (and for AMX the operating system) runs the kernel, whatever the cap.
        var isAvailable: Bool { instructionSet <= CPUCapabilities.current.cpuInstructionSet }

        var native: pd_attention_kernel {
            switch self {
            case .portable: PD_ATTENTION_PORTABLE_F32
            case .avx2: PD_ATTENTION_AVX2_F32
            case .avx512: PD_ATTENTION_AVX512_F32
            case .avx512BFloat16: PD_ATTENTION_AVX512_BF16
            case .amxBFloat16: PD_ATTENTION_AMX_BF16
            }
        }

        var isBFloat16: Bool { self == .avx512BFloat16 || self == .amxBFloat16 }
    }

    /// `query` `[N, Tq, H·d]`, `key` and `value` `[N, Tk, H·d]` (row-major, all float32, or all bfloat16 for a
    /// bfloat16 kernel); returns `[N, Tq, H·d]` of their dtype.
    static func compute(query: Tensor, key: Tensor, value: Tensor, heads: Int, scale: Float, causal: Bool,
                        kernel: Kernel) -> Tensor {
        let dtype = query.dtype
        precondition(key.dtype == dtype && value.dtype == dtype && (dtype == .float32 || kernel.isBFloat16),
                     "attention on \(dtype) queries, \(key.dtype) keys, \(value.dtype) values with \(kernel)")
        let (batch, queries, width) = (query.shape[0], query.shape[1], query.shape[2])
        let output = Tensor(uninitializedShape: query.shape, dtype: dtype)
        var problem = pd_attention_problem(
            query: query.unsafeRawPointer, key: key.unsafeRawPointer, value: value.unsafeRawPointer,
            output: output.storage.bytes, bf16_tensors: dtype == .bfloat16 ? 1 : 0,
            batch: batch, heads: heads, queries: queries, keys: key.shape[1], head_size: width / heads,
            query_row_stride: width, key_row_stride: width, value_row_stride: width, output_row_stride: width,
            scale: scale, causal: causal ? 1 : 0)
        let native = kernel.native
        let workspace = TensorStorage(byteCount: pd_attention_workspace_bytes(&problem, native))
        let counters = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { counters.deallocate() }
        counters.initialize(repeating: 0, count: 2)
        withUnsafePointer(to: &problem) { problem in
            let workers = max(1, min(computeThreads, pd_attention_items(problem)))
            parallelTasks(workers) { _ in
                pd_attention_pack(problem, native, workspace.bytes, counters)
            }
            parallelTasks(workers) { _ in
                pd_attention_run(problem, native, workspace.bytes, counters + 1)
            }
        }
        return output
    }
}
