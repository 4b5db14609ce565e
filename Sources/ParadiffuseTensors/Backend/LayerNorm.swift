import CDNNL
import Foundation

/// Layer normalization over the last dimension of row-major activations, as `torch.nn.LayerNorm`:
/// `(x − mean) / √(variance + ε) · weight + bias`, with float32 statistics (biased variance) per row.
/// Inputs are float32 or bfloat16 (the affine parameters stay float32); the output has the input's dtype.
public final class LayerNorm: @unchecked Sendable {  // compiled primitives and packed weights behind `lock`
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float
    public var features: Int { weight.count }

    private struct Key: Hashable {
        let rows: Int
        let dtype: DType
    }

    private var compiled: [Key: Primitive] = [:]
    private let lock = NSLock()

    /// `weight` and `bias` are `[features]`.
    public init(weight: Tensor, bias: Tensor, epsilon: Float) {
        precondition(weight.rank == 1 && bias.shape == weight.shape, "layer norm affine must be [features]")
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// `input` is row-major `[..., features]`; the result has its shape.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.layout == .rowMajor && input.shape.last == features,
                     "layer norm expects [..., \(features)], got \(input)")
        let rows = input.count / features
        let key = Key(rows: rows, dtype: input.dtype)
        let primitive = lock.withLock { compiled[key] ?? compile(key) }
        let output = Tensor(uninitializedShape: input.shape, dtype: input.dtype)
        primitive.run([input.unsafeRawPointer, weight.unsafeRawPointer, bias.unsafeRawPointer, output.unsafeRawPointer])
        return output
    }

    private func compile(_ key: Key) -> Primitive {
        let rows = key.rows
        let data = MemoryDescriptor(shape: [rows, features], dtype: key.dtype, tag: dnnl_ab)
        var descriptor: dnnl_primitive_desc_t?
        DNNL.check(dnnl_layer_normalization_forward_primitive_desc_create(
            &descriptor, DNNL.engine, dnnl_forward_inference, data.handle, data.handle, nil, epsilon,
            dnnl_use_scale.rawValue | dnnl_use_shift.rawValue, nil), "creating a layer norm over [\(rows), \(features)]")
        let primitive = Primitive(descriptor: descriptor!, arguments: [Int32(DNNL_ARG_SRC), Int32(DNNL_ARG_SCALE),
                                                                       Int32(DNNL_ARG_SHIFT), Int32(DNNL_ARG_DST)])
        compiled[key] = primitive
        return primitive
    }
}
