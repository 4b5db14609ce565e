import CDNNL
import Foundation

/// A 2-D convolution over channels-last activations, with weights prepacked for each input shape.
///
/// Bias, a residual add and an output scale run fused in the convolution: `(conv(x) + bias + residual) * scale`.
/// Inputs are float32 or bfloat16 (with float32 accumulation); the output has the input's dtype. Weights have the
/// inputs' dtype, or are bfloat16 for float32 inputs (kept as bfloat16, widened at each call: see `PackedWeights`).
/// Once packed, the weights are kept only in packed form.
/// Int8 weights (`init(quantizing:...)`) take inputs of the dtype they were quantized for and quantize each input
/// per tensor before the int8 convolution (see `Quantization`).
public final class Convolution2D: @unchecked Sendable {  // compiled primitives and packed weights behind `lock`
    /// `[out, in, kh, kw]`.
    public let weightShape: [Int]
    /// The dtype of the inputs (and of the arithmetic): the weights' own, float32 for bfloat16 weights kept for
    /// float32 arithmetic, or the one int8 weights were quantized for.
    public let inputDType: DType
    public let quantization: Quantization
    public let bias: Tensor?
    public let stride: Int
    /// Padding before (top/left) and after (bottom/right) the input.
    public let paddingBefore: Int
    public let paddingAfter: Int

    public var inputChannels: Int { weightShape[1] }
    public var outputChannels: Int { weightShape[0] }
    public var kernelSize: Int { weightShape[2] }

    private struct Key: Hashable {
        let batch, height, width: Int
        let residualDType: DType?
        let outputScale: Float
    }

    private struct Compiled {
        let primitive: Primitive
        let packedWeights: PackedWeightStorage
    }

    private var compiled: [Key: Compiled] = [:]
    private var weights: PackedWeights
    /// float32 `[out]` scales of int8 weights.
    private let weightScales: TensorStorage?
    private let lock = NSLock()

    /// `weight` is `[out, in, kh, kw]` as PyTorch stores it, float32 or bfloat16; `bias` is float32 `[out]`;
    /// `inputDType` is the weight's dtype (the default) or, for bfloat16 weights, float32.
    public convenience init(weight: Tensor, bias: Tensor?, inputDType: DType? = nil, stride: Int = 1,
                            padding: Int = 0) {
        self.init(weight: weight, bias: bias, inputDType: inputDType, stride: stride, paddingBefore: padding,
                  paddingAfter: padding)
    }

    public convenience init(weight: Tensor, bias: Tensor?, inputDType: DType? = nil, stride: Int, paddingBefore: Int,
                            paddingAfter: Int) {
        Self.validate(weight: weight, bias: bias)
        let inputDType = inputDType ?? weight.dtype
        precondition(inputDType == weight.dtype || weight.dtype == .bfloat16,
                     "\(weight.dtype) convolution weights take \(weight.dtype) inputs, not \(inputDType)")
        let layout = MemoryDescriptor(shape: weight.shape, dtype: inputDType,
                                      strides: MemoryDescriptor.rowMajorStrides(weight.shape))
        self.init(weightShape: weight.shape, inputDType: inputDType, weights: PackedWeights(weight, layout: layout),
                  weightScales: nil, bias: bias, stride: stride, paddingBefore: paddingBefore,
                  paddingAfter: paddingAfter)
    }

    /// Quantizes `weight` (`[out, in, kh, kw]`, float32 or bfloat16) to int8 with one scale per output channel, for
    /// inputs of `inputDType`; `bias` is float32 `[out]`.
    public convenience init(quantizing weight: Tensor, bias: Tensor?, inputDType: DType, stride: Int,
                            paddingBefore: Int, paddingAfter: Int) {
        Self.validate(weight: weight, bias: bias)
        let quantized = Int8Quantized(rowsOf: weight)
        self.init(weightShape: weight.shape, inputDType: inputDType,
                  weights: PackedWeights(storage: quantized.values, layout: MemoryDescriptor(int8Shape: weight.shape,
                                                                                             tag: dnnl_abcd)),
                  weightScales: quantized.scales, bias: bias,
                  stride: stride, paddingBefore: paddingBefore, paddingAfter: paddingAfter)
    }

    private init(weightShape: [Int], inputDType: DType, weights: PackedWeights, weightScales: TensorStorage?,
                 bias: Tensor?, stride: Int, paddingBefore: Int, paddingAfter: Int) {
        self.weightShape = weightShape
        self.inputDType = inputDType
        quantization = weightScales == nil ? .none : .int8
        self.weights = weights
        self.weightScales = weightScales
        self.bias = bias
        self.stride = stride
        self.paddingBefore = paddingBefore
        self.paddingAfter = paddingAfter
    }

    private static func validate(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 4 && weight.layout == .rowMajor, "convolution weight must be [out, in, kh, kw]")
        precondition(bias == nil || (bias!.shape == [weight.shape[0]] && bias!.dtype == .float32),
                     "convolution bias must be float32 [out]")
    }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let kernel = weightShape[2], kernelWidth = weightShape[3]
        return ((height + paddingBefore + paddingAfter - kernel) / stride + 1,
                (width + paddingBefore + paddingAfter - kernelWidth) / stride + 1)
    }

    public func callAsFunction(_ input: Tensor, adding residual: Tensor? = nil, scale outputScale: Float = 1) -> Tensor {
        precondition(input.layout == .channelsLast && input.rank == 4 && input.shape[1] == inputChannels
                     && input.dtype == inputDType,
                     "convolution expects channels-last \(inputDType) [N, \(inputChannels), H, W], got \(input)")
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let size = outputSize(height: height, width: width)
        let outputShape = [batch, outputChannels, size.height, size.width]
        if let residual {
            precondition(residual.shape == outputShape && residual.layout == .channelsLast && residual.dtype == input.dtype,
                         "residual \(residual) does not match convolution output \(outputShape)")
        }
        let key = Key(batch: batch, height: height, width: width, residualDType: residual?.dtype, outputScale: outputScale)
        let entry = lock.withLock { compiled[key] ?? compile(key, outputShape: outputShape) }
        let output = Tensor(uninitializedShape: outputShape, dtype: input.dtype, layout: .channelsLast)
        entry.primitive.runProduct(input: input, weights: entry.packedWeights, weightScales: weightScales, bias: bias,
                                   output: output, residual: residual)
        return output
    }

    private func compile(_ key: Key, outputShape: [Int]) -> Compiled {
        let sourceShape = [key.batch, inputChannels, key.height, key.width]
        let isInt8 = quantization == .int8
        let source = isInt8 ? MemoryDescriptor(int8Shape: sourceShape, tag: dnnl_nhwc)
            : MemoryDescriptor(shape: sourceShape, dtype: inputDType, tag: dnnl_nhwc)
        let anyWeights = isInt8 ? MemoryDescriptor(int8Shape: weightShape, tag: dnnl_format_tag_any)
            : MemoryDescriptor(shape: weightShape, dtype: inputDType, tag: dnnl_format_tag_any)
        let epilogue = Epilogue(residual: key.residualDType.map {
            MemoryDescriptor(shape: outputShape, dtype: $0, tag: dnnl_nhwc)
        }, outputScale: key.outputScale)
        let primitive = makeConvolution(
            source: source, weights: anyWeights, bias: bias.map { MemoryDescriptor(shape: $0.shape, tag: dnnl_a) },
            destination: MemoryDescriptor(shape: outputShape, dtype: inputDType, tag: dnnl_nhwc), stride: stride,
            paddingBefore: paddingBefore, paddingAfter: paddingAfter, epilogue: epilogue,
            int8OutputChannels: isInt8 ? outputChannels : nil, what: "\(weightShape) for input \(key)")
        let entry = Compiled(primitive: primitive,
                             packedWeights: weights.packed(for: primitive.layout(of: Int32(DNNL_ARG_WEIGHTS))))
        compiled[key] = entry
        return entry
    }
}
