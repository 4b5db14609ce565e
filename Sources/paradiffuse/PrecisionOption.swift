import ArgumentParser
import Tensors

extension Precision: ExpressibleByArgument {}
extension Quantization: ExpressibleByArgument {}

/// `--precision f32|bf16` and `--quantize none|int8`: the number format the models compute in.
struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp("Model arithmetic: f32, or bf16 (bfloat16 weights and activations, float32 "
                               + "accumulation, norms, softmax and scheduler math).", valueName: "f32|bf16"))
    var precision: Precision = .float32

    @Option(name: .customLong("quantize"),
            help: ArgumentHelp("int8: convolution and linear weights quantized to int8 per output channel at load, "
                               + "each layer's input per tensor at every call (int8 products, float32 accumulation and "
                               + "scales; activations between layers in --precision). The first and last "
                               + "convolutions and the timestep embedding stay unquantized.", valueName: "none|int8"))
    var quantization: Quantization = .none
}
