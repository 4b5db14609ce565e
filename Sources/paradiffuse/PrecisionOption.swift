import ArgumentParser
import Tensors

extension Precision: ExpressibleByArgument {}

/// `--precision f32|bf16`: the number format the models compute in.
struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp("Model arithmetic: f32, or bf16 (bfloat16 weights and activations, float32 "
                               + "accumulation, norms, softmax and scheduler math).", valueName: "f32|bf16"))
    var precision: Precision = .float32
}
