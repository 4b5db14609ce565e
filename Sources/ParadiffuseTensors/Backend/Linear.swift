import CDNNL
import Foundation

/// `y = x · Wᵀ + b` over the last dimension, with weights prepacked for each row count.
/// Optionally fuses an activation on the output, a residual add and an output scale:
/// `y = (act(x · Wᵀ + b) + residual) · scale`.
/// Inputs are float32 or bfloat16 (with float32 accumulation); the output has the input's dtype unless asked for
/// another. Weights have the inputs' dtype, or are bfloat16 for float32 inputs (kept as bfloat16, widened at each
/// call: see `PackedWeights`). Once packed, the weights are kept only in packed form.
/// Int8 weights (`init(quantizing:bias:inputDType:)`) take inputs of the dtype they were quantized for and
/// quantize each input per tensor before the int8 product (see `Quantization`).
public final class Linear: @unchecked Sendable {  // compiled primitives and packed weights behind `lock`
    /// `quickGelu` is CLIP's x·sigmoid(1.702x).
    public enum Activation: Hashable, Sendable { case none, silu, gelu, geluTanh, quickGelu }

    static let quickGeluFactor: Float = 1.702

    /// `[out, in]`.
    public let weightShape: [Int]
    /// The dtype of the inputs (and of the arithmetic): the weights' own, float32 for bfloat16 weights kept for
    /// float32 arithmetic, or the one int8 weights were quantized for.
    public let inputDType: DType
    public let quantization: Quantization
    public let bias: Tensor?
    public var inputFeatures: Int { weightShape[1] }
    public var outputFeatures: Int { weightShape[0] }

    private struct Key: Hashable {
        let rows: Int
        let activation: Activation
        let residualDType: DType?
        let outputDType: DType
        let outputScale: Float
    }

    private var compiled: [Key: (primitive: Primitive, weights: PackedWeightStorage)] = [:]
    /// Whether the layer runs as a 1×1 convolution over `[1, in, rows, 1]`: where oneDNN has no blocked matmul for
    /// its data type (see `matmulIsBlocked`).
    private let runsAsConvolution: Bool
    private var weights: PackedWeights
    /// float32 `[out]` scales of int8 weights.
    private let weightScales: TensorStorage?
    private let lock = NSLock()

    /// `weight` is `[out, in]` as PyTorch stores it, float32 or bfloat16; `bias` is float32 `[out]`; `inputDType`
    /// is the weight's dtype (the default) or, for bfloat16 weights, float32.
    public init(weight: Tensor, bias: Tensor?, inputDType: DType? = nil) {
        precondition(weight.rank == 2 && weight.layout == .rowMajor, "linear weight must be [out, in], got \(weight)")
        precondition(bias == nil || (bias!.shape == [weight.shape[0]] && bias!.dtype == .float32),
                     "linear bias must be float32 [out]")
        let inputDType = inputDType ?? weight.dtype
        precondition(inputDType == weight.dtype || weight.dtype == .bfloat16,
                     "\(weight.dtype) linear weights take \(weight.dtype) inputs, not \(inputDType)")
        weightShape = weight.shape
        self.inputDType = inputDType
        runsAsConvolution = !matmulIsBlocked(for: DNNL.dataType(inputDType))
        weights = PackedWeights(weight, layout: MemoryDescriptor(shape: Self.weightLayoutShape(weight.shape,
                                                                                               runsAsConvolution),
                                                                 dtype: inputDType,
                                                                 strides: Self.weightLayoutStrides(weight.shape,
                                                                                                   runsAsConvolution)))
        weightScales = nil
        quantization = .none
        self.bias = bias
    }

    /// Quantizes `weight` (`[out, in]`, float32 or bfloat16) to int8 with one scale per output feature, for inputs
    /// of `inputDType`; `bias` is float32 `[out]`.
    public init(quantizing weight: Tensor, bias: Tensor?, inputDType: DType) {
        precondition(weight.rank == 2 && weight.layout == .rowMajor, "linear weight must be [out, in], got \(weight)")
        precondition(bias == nil || (bias!.shape == [weight.shape[0]] && bias!.dtype == .float32),
                     "linear bias must be float32 [out]")
        weightShape = weight.shape
        self.inputDType = inputDType
        runsAsConvolution = !matmulIsBlocked(for: dnnl_s8)
        let quantized = Int8Quantized(rowsOf: weight)
        weights = PackedWeights(storage: quantized.values,
                                layout: MemoryDescriptor(int8Shape: Self.weightLayoutShape(weight.shape, runsAsConvolution),
                                                         strides: Self.weightLayoutStrides(weight.shape,
                                                                                           runsAsConvolution)))
        weightScales = quantized.scales
        quantization = .int8
        self.bias = bias
    }

    /// `input` is row-major `[..., in]` of the weights' dtype; the result is `[..., out]`, of `outputDType`
    /// (default: the input's).
    public func callAsFunction(_ input: Tensor, activation: Activation = .none, adding residual: Tensor? = nil,
                               scale outputScale: Float = 1, as outputDType: DType? = nil) -> Tensor {
        precondition(input.layout == .rowMajor && input.shape.last == inputFeatures && input.dtype == inputDType,
                     "linear expects \(inputDType) [..., \(inputFeatures)], got \(input)")
        let outputShape = input.shape.dropLast() + [outputFeatures]
        if let residual {
            precondition(residual.shape == Array(outputShape) && residual.layout == .rowMajor,
                         "residual \(residual) does not match linear output \(outputShape)")
        }
        let rows = input.count / inputFeatures
        let key = Key(rows: rows, activation: activation, residualDType: residual?.dtype,
                      outputDType: outputDType ?? input.dtype, outputScale: outputScale)
        let entry = lock.withLock { compiled[key] ?? compile(key) }
        let output = Tensor(uninitializedShape: Array(outputShape), dtype: key.outputDType)
        entry.primitive.runProduct(input: input, weights: entry.weights, weightScales: weightScales, bias: bias,
                                   output: output, residual: residual)
        return output
    }

    /// PyTorch's `[out, in]` weights as the matmul's `[in, out]` (transposed strides) or the convolution's
    /// `[out, in, 1, 1]`: the same memory.
    private static func weightLayoutShape(_ shape: [Int], _ asConvolution: Bool) -> [Int] {
        asConvolution ? [shape[0], shape[1], 1, 1] : [shape[1], shape[0]]
    }

    private static func weightLayoutStrides(_ shape: [Int], _ asConvolution: Bool) -> [Int] {
        asConvolution ? [shape[1], 1, 1, 1] : [1, shape[1]]
    }

    private func compile(_ key: Key) -> (primitive: Primitive, weights: PackedWeightStorage) {
        let isInt8 = quantization == .int8
        // Rows of the matmul are the convolution's [1, in, rows, 1] channels-last pixels: the same memory.
        func layout(_ features: Int, dataType: dnnl_data_type_t) -> MemoryDescriptor {
            runsAsConvolution ? MemoryDescriptor(shape: [1, features, key.rows, 1], dataType: dataType, tag: dnnl_nhwc)
                : MemoryDescriptor(shape: [key.rows, features], dataType: dataType, tag: dnnl_ab)
        }
        let weightType = isInt8 ? dnnl_s8 : DNNL.dataType(inputDType)
        let source = layout(inputFeatures, dataType: weightType)
        let destination = layout(outputFeatures, dataType: DNNL.dataType(key.outputDType))
        let activation: dnnl_alg_kind_t? = switch key.activation {
        case .none: nil
        case .silu, .quickGelu: dnnl_eltwise_swish
        case .gelu: dnnl_eltwise_gelu_erf
        case .geluTanh: dnnl_eltwise_gelu_tanh
        }
        let epilogue = Epilogue(activation: activation,
                                activationAlpha: key.activation == .quickGelu ? Self.quickGeluFactor : 1,
                                residual: key.residualDType.map { layout(outputFeatures, dataType: DNNL.dataType($0)) },
                                outputScale: key.outputScale)
        let anyWeights = MemoryDescriptor(shape: Self.weightLayoutShape(weightShape, runsAsConvolution),
                                          dataType: weightType, tag: dnnl_format_tag_any)
        let primitive = runsAsConvolution
            ? makeConvolution(source: source, weights: anyWeights,
                              bias: bias.map { _ in MemoryDescriptor(shape: [outputFeatures], tag: dnnl_a) },
                              destination: destination, stride: 1, paddingBefore: 0, paddingAfter: 0,
                              epilogue: epilogue, int8OutputChannels: isInt8 ? outputFeatures : nil,
                              what: "1x1 for a linear layer \(weightShape) over \(key.rows) rows")
            : makeMatMul(source: source, weights: anyWeights,
                         bias: bias.map { _ in MemoryDescriptor(shape: [1, outputFeatures], tag: dnnl_ab) },
                         destination: destination, epilogue: epilogue, int8Columns: isInt8 ? outputFeatures : nil)
        let entry = (primitive, weights.packed(for: primitive.layout(of: Int32(DNNL_ARG_WEIGHTS))))
        compiled[key] = entry
        return entry
    }
}
