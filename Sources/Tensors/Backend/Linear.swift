import CDNNL
import Foundation

/// `y = x · Wᵀ + b` over the last dimension, with weights prepacked for each row count.
/// Optionally fuses an activation on the output and a residual add: `y = act(x · Wᵀ + b) + residual`.
public final class Linear {
    /// `quickGelu` is CLIP's x·sigmoid(1.702x).
    public enum Activation: Hashable, Sendable { case none, silu, gelu, geluTanh, quickGelu }

    static let quickGeluFactor: Float = 1.702

    public let weight: Tensor
    public let bias: Tensor?
    public var inputFeatures: Int { weight.shape[1] }
    public var outputFeatures: Int { weight.shape[0] }

    private struct Key: Hashable {
        let rows: Int
        let activation: Activation
        let hasResidual: Bool
    }

    private var compiled: [Key: (primitive: Primitive, weights: TensorStorage)] = [:]
    private var packedWeights: [(layout: MemoryDescriptor, storage: TensorStorage)] = []
    private let lock = NSLock()

    /// `weight` is `[out, in]` as PyTorch stores it; `bias` is `[out]`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2 && weight.layout == .rowMajor, "linear weight must be [out, in], got \(weight)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]], "linear bias must be [out]")
        self.weight = weight
        self.bias = bias
    }

    /// `input` is row-major `[..., in]`; the result is `[..., out]`.
    public func callAsFunction(_ input: Tensor, activation: Activation = .none, adding residual: Tensor? = nil) -> Tensor {
        precondition(input.layout == .rowMajor && input.shape.last == inputFeatures,
                     "linear expects [..., \(inputFeatures)], got \(input)")
        let outputShape = input.shape.dropLast() + [outputFeatures]
        if let residual {
            precondition(residual.shape == Array(outputShape) && residual.layout == .rowMajor,
                         "residual \(residual) does not match linear output \(outputShape)")
        }
        let rows = input.count / inputFeatures
        let key = Key(rows: rows, activation: activation, hasResidual: residual != nil)
        let entry = lock.withLock { compiled[key] ?? compile(key) }
        let output = Tensor(uninitializedShape: Array(outputShape))
        var pointers = [input.unsafeRawPointer, UnsafeRawPointer(entry.weights.bytes)]
        if let bias { pointers.append(bias.unsafeRawPointer) }
        pointers.append(output.unsafeRawPointer)
        if let residual { pointers.append(residual.unsafeRawPointer) }
        entry.primitive.run(pointers)
        return output
    }

    private func compile(_ key: Key) -> (primitive: Primitive, weights: TensorStorage) {
        let source = MemoryDescriptor(shape: [key.rows, inputFeatures], tag: dnnl_ab)
        let weights = MemoryDescriptor(shape: [inputFeatures, outputFeatures], tag: dnnl_format_tag_any)
        let biasLayout = bias.map { _ in MemoryDescriptor(shape: [1, outputFeatures], tag: dnnl_ab) }
        let destination = MemoryDescriptor(shape: [key.rows, outputFeatures], tag: dnnl_ab)
        let activation: dnnl_alg_kind_t? = switch key.activation {
        case .none: nil
        case .silu, .quickGelu: dnnl_eltwise_swish
        case .gelu: dnnl_eltwise_gelu_erf
        case .geluTanh: dnnl_eltwise_gelu_tanh
        }
        let primitive = makeMatMul(source: source, weights: weights, bias: biasLayout, destination: destination,
                                   addsResidual: key.hasResidual, activation: activation,
                                   activationAlpha: key.activation == .quickGelu ? Self.quickGeluFactor : 1)
        let entry = (primitive, packed(for: primitive.layout(of: Int32(DNNL_ARG_WEIGHTS))))
        compiled[key] = entry
        return entry
    }

    private func packed(for layout: MemoryDescriptor) -> TensorStorage {
        if let existing = packedWeights.first(where: { $0.layout.isEqual(to: layout) }) { return existing.storage }
        // PyTorch's [out, in] read as [in, out] with transposed strides.
        let transposed = MemoryDescriptor(shape: [inputFeatures, outputFeatures], strides: [1, inputFeatures])
        let storage = reordered(weight.unsafeRawPointer, from: transposed, to: layout)
        packedWeights.append((layout, storage))
        return storage
    }
}
