import ParadiffuseTensors
import Testing

extension Trait where Self == ConditionTrait {
    /// For tests of bfloat16 arithmetic (bfloat16 activations through oneDNN's bfloat16 primitives): skipped, with
    /// the reason printed, where the CPU (or `PARADIFFUSE_MAX_CPU_ISA` / `ONEDNN_MAX_CPU_ISA`) has none; the same
    /// layers and models are tested there through `Precision.bfloat16Weights`, which `bf16` becomes.
    public static var bfloat16Arithmetic: Self {
        .enabled(if: CPUCapabilities.current.computesBFloat16,
                 Comment(rawValue: "needs bfloat16 arithmetic (AVX512-BF16 or AMX); kernels here run "
                         + "\(CPUCapabilities.current.instructionSet)"))
    }
}

/// What `Precision.bfloat16` loads as on this CPU: itself, or `bfloat16Weights` without bfloat16 arithmetic.
public let bfloat16Here = Precision.bfloat16.resolved()
