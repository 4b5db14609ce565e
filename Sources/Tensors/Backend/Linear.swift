import CDNNL
import Foundation

/// `y = x · Wᵀ + b` over the last dimension, with weights prepacked for each row count.
/// Optionally fuses an activation on the output, a residual add and an output scale:
/// `y = (act(x · Wᵀ + b) + residual) · scale`.
/// Inputs have the weights' dtype (float32, or bfloat16 with float32 accumulation); the output has the input's
/// dtype unless asked for another. Once packed, the weights are kept only in packed form.
/// Int8 weights (`init(quantizing:bias:inputDType:)`) take inputs of the dtype they were quantized for and
/// quantize each input per tensor before the int8 product (see `Quantization`).
public final class Linear {
    /// `quickGelu` is CLIP's x·sigmoid(1.702x).
    public enum Activation: Hashable, Sendable { case none, silu, gelu, geluTanh, quickGelu }

    static let quickGeluFactor: Float = 1.702

    /// `[out, in]`.
    public let weightShape: [Int]
    /// The dtype of the inputs: the weights' own, or the one int8 weights were quantized for.
    public let weightDType: DType
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

    private var compiled: [Key: (primitive: Primitive, weights: TensorStorage)] = [:]
    private var weights: PackedWeights
    /// float32 `[out]` scales of int8 weights.
    private let weightScales: TensorStorage?
    private let lock = NSLock()

    /// `weight` is `[out, in]` as PyTorch stores it, float32 or bfloat16; `bias` is float32 `[out]`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2 && weight.layout == .rowMajor, "linear weight must be [out, in], got \(weight)")
        precondition(bias == nil || (bias!.shape == [weight.shape[0]] && bias!.dtype == .float32),
                     "linear bias must be float32 [out]")
        weightShape = weight.shape
        weightDType = weight.dtype
        // PyTorch's [out, in] read as [in, out] with transposed strides.
        weights = PackedWeights(weight, layout: MemoryDescriptor(shape: [weight.shape[1], weight.shape[0]],
                                                                 dtype: weight.dtype, strides: [1, weight.shape[1]]))
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
        weightDType = inputDType
        let quantized = Int8Quantized(rowsOf: weight)
        weights = PackedWeights(storage: quantized.values,
                                layout: MemoryDescriptor(int8Shape: [weight.shape[1], weight.shape[0]],
                                                         strides: [1, weight.shape[1]]))
        weightScales = quantized.scales
        quantization = .int8
        self.bias = bias
    }

    /// `input` is row-major `[..., in]` of the weights' dtype; the result is `[..., out]`, of `outputDType`
    /// (default: the input's).
    public func callAsFunction(_ input: Tensor, activation: Activation = .none, adding residual: Tensor? = nil,
                               scale outputScale: Float = 1, as outputDType: DType? = nil) -> Tensor {
        precondition(input.layout == .rowMajor && input.shape.last == inputFeatures && input.dtype == weightDType,
                     "linear expects \(weightDType) [..., \(inputFeatures)], got \(input)")
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
        let quantizedInput = weightScales.map { _ in Int8Quantized(wholeTensor: input) }
        var pointers = [quantizedInput.map { UnsafeRawPointer($0.values.bytes) } ?? input.unsafeRawPointer,
                        UnsafeRawPointer(entry.weights.bytes)]
        if let bias { pointers.append(bias.unsafeRawPointer) }
        pointers.append(output.unsafeRawPointer)
        if let residual { pointers.append(residual.unsafeRawPointer) }
        if let quantizedInput, let weightScales {
            pointers += [UnsafeRawPointer(quantizedInput.scales.bytes), UnsafeRawPointer(weightScales.bytes)]
        }
        withExtendedLifetime(quantizedInput) { entry.primitive.run(pointers) }
        return output
    }

    private func compile(_ key: Key) -> (primitive: Primitive, weights: TensorStorage) {
        let isInt8 = quantization == .int8
        let source = isInt8 ? MemoryDescriptor(int8Shape: [key.rows, inputFeatures], tag: dnnl_ab)
            : MemoryDescriptor(shape: [key.rows, inputFeatures], dtype: weightDType, tag: dnnl_ab)
        let weightLayout = isInt8 ? MemoryDescriptor(int8Shape: [inputFeatures, outputFeatures], tag: dnnl_format_tag_any)
            : MemoryDescriptor(shape: [inputFeatures, outputFeatures], dtype: weightDType, tag: dnnl_format_tag_any)
        let biasLayout = bias.map { _ in MemoryDescriptor(shape: [1, outputFeatures], tag: dnnl_ab) }
        let destination = MemoryDescriptor(shape: [key.rows, outputFeatures], dtype: key.outputDType, tag: dnnl_ab)
        let activation: dnnl_alg_kind_t? = switch key.activation {
        case .none: nil
        case .silu, .quickGelu: dnnl_eltwise_swish
        case .gelu: dnnl_eltwise_gelu_erf
        case .geluTanh: dnnl_eltwise_gelu_tanh
        }
        let primitive = makeMatMul(source: source, weights: weightLayout, bias: biasLayout, destination: destination,
                                   residual: key.residualDType.map {
                                       MemoryDescriptor(shape: [key.rows, outputFeatures], dtype: $0, tag: dnnl_ab)
                                   },
                                   activation: activation,
                                   activationAlpha: key.activation == .quickGelu ? Self.quickGeluFactor : 1,
                                   outputScale: key.outputScale,
                                   int8Columns: isInt8 ? outputFeatures : nil)
        let entry = (primitive, weights.packed(for: primitive.layout(of: Int32(DNNL_ARG_WEIGHTS))))
        compiled[key] = entry
        return entry
    }
}
