import ArgumentParser
import Paradiffuse

extension Quantization: ExpressibleByArgument {}

/// `--precision auto|f32|bf16|bf16-weights` and `--quantize none|int8`: the number format the models compute in.
struct PrecisionOption: ParsableArguments {
    /// `auto`, or a precision by name.
    struct Choice: ExpressibleByArgument {
        /// Nil for `auto`.
        let precision: Precision?

        static let automatic = Choice(precision: nil)

        init(precision: Precision?) { self.precision = precision }

        init?(argument: String) {
            if argument == "auto" {
                precision = nil
            } else if let named = Precision(rawValue: argument) {
                precision = named
            } else {
                return nil
            }
        }

        static var allValueStrings: [String] { ["auto"] + Precision.allCases.map(\.rawValue) }
        var defaultValueDescription: String { precision?.rawValue ?? "auto" }
    }

    @Option(name: .customLong("precision"),
            help: ArgumentHelp("Model arithmetic: f32; bf16 (bfloat16 weights and activations, float32 accumulation, "
                               + "norms, softmax and scheduler math; on CPUs without bfloat16 arithmetic it runs as "
                               + "bf16-weights); bf16-weights (bfloat16 weights in memory, float32 arithmetic); or auto: "
                               + "bf16 where the CPU computes bfloat16 natively (AVX512-BF16 or AMX), f32 elsewhere.",
                               valueName: Choice.allValueStrings.joined(separator: "|")))
    var choice: Choice = .automatic

    @Option(name: .customLong("quantize"),
            help: ArgumentHelp("int8: convolution and linear weights quantized to int8 per output channel at load, "
                               + "each layer's input per tensor at every call (int8 products, float32 accumulation and "
                               + "scales; activations between layers in --precision). The first and last "
                               + "convolutions and the timestep embedding stay unquantized.", valueName: "none|int8"))
    var quantization: Quantization = .none

    /// The precision the models load in on this CPU.
    var precision: Precision { (choice.precision ?? .automatic()).resolved() }

    /// One line on the choice, e.g. `precision bf16 (auto: AVX512-BF16 on AMD EPYC 9R14)`.
    var summary: String {
        let cpu = CPUCapabilities.current
        let resolved = precision
        if let asked = choice.precision, asked != resolved {
            return "precision \(resolved.rawValue): \(cpu.model) (kernels \(cpu.instructionSet)) has no bfloat16 "
                + "arithmetic, so \(asked.rawValue) keeps bfloat16 weights in memory and computes in f32"
        }
        let reason = choice.precision == nil
            ? " (auto: \(cpu.computesBFloat16 ? "bfloat16 arithmetic" : "no bfloat16 arithmetic") on \(cpu.model), "
                + "kernels \(cpu.instructionSet))"
            : ""
        return "precision \(resolved.rawValue)\(reason)"
    }
}
