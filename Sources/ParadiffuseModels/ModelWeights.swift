import ParadiffuseTensors

/// Named weights of a model, seen from one module's prefix (`down_blocks.0.resnets.1.`), with shape checks.
///
/// Convolution and linear weights come in `precision`'s weight dtype, or under `quantization` `int8` are quantized
/// from float32 for inputs of its activation dtype; every other weight (biases, norms, embedding tables) is float32.
/// The precision is the one this CPU runs (`Precision.resolved`): bf16 without bfloat16 arithmetic loads as
/// bf16 weights with float32 arithmetic.
public struct ModelWeights {
    /// Where the weights come from, for error messages (usually a file path).
    public let source: String
    public let precision: Precision
    public let quantization: Quantization
    /// The tensor with a full name in a dtype, or nil when there is none; the shape the model expects, or nil when
    /// it only asks whether the weight exists.
    private let lookup: (String, [Int]?, DType) throws -> Tensor?
    private let prefix: String

    /// `lookup` returns the tensor with a full name in the requested dtype, or nil when there is none.
    public init(source: String, precision: Precision = .float32, quantization: Quantization = .none,
                lookup: @escaping (String, DType) throws -> Tensor?) {
        self.init(source: source, precision: precision, quantization: quantization, prefix: "") { name, _, dtype in
            try lookup(name, dtype)
        }
    }

    /// Weights made up in whatever shape the model asks for (all 0.01), with no optional weight present; for building
    /// a model from a configuration alone, e.g. to check that every configuration that passes validation builds and
    /// runs. More than `elementLimit` elements in all is an error.
    public static func synthetic(source: String, elementLimit: Int) -> ModelWeights {
        let budget = ElementBudget(limit: elementLimit)
        return ModelWeights(source: source, precision: .float32, quantization: .none, prefix: "") { name, shape, dtype in
            guard let shape else { return nil }
            try budget.take(shape, name: name, source: source)
            return Tensor(shape: shape, repeating: 0.01).converted(to: dtype)
        }
    }

    /// `lookup` returns the tensor with a full name, or nil when there is none; it is converted as needed.
    public init(source: String, precision: Precision = .float32, quantization: Quantization = .none,
                lookup: @escaping (String) throws -> Tensor?) {
        self.init(source: source, precision: precision, quantization: quantization) { name, dtype in
            try lookup(name)?.converted(to: dtype)
        }
    }

    private init(source: String, precision: Precision, quantization: Quantization, prefix: String,
                 lookup: @escaping (String, [Int]?, DType) throws -> Tensor?) {
        self.source = source
        self.precision = precision.resolved()
        self.quantization = quantization
        self.prefix = prefix
        self.lookup = lookup
    }

    /// The same weights with convolution and linear weights in float32 and not quantized, for layers whose
    /// precision matters (timestep embeddings).
    public var inFloat32: ModelWeights {
        ModelWeights(source: source, precision: .float32, quantization: .none, prefix: prefix, lookup: lookup)
    }

    public func scoped(_ name: String) -> ModelWeights {
        ModelWeights(source: source, precision: precision, quantization: quantization, prefix: prefix + name + ".",
                     lookup: lookup)
    }

    /// Layers that stay in `precision` under `int8`: a model's first and last convolutions, whose few channels
    /// (latents or pixels) make them cheap and whose errors reach the output undamped.
    private static let unquantizedLayers: Set<Substring> = ["conv_in", "conv_out"]

    /// Whether the convolution or linear layer of this scope is quantized to int8.
    var quantizesLayer: Bool {
        quantization == .int8 && !Self.unquantizedLayers.contains(prefix.split(separator: ".").last ?? "")
    }

    public func contains(_ name: String) throws -> Bool { try lookup(prefix + name, nil, .float32) != nil }

    /// The float32 weight `name` under this scope; its shape must be `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        try tensor(name, shape: shape, dtype: .float32)
    }

    /// The convolution or linear weight `name` under this scope, in `precision`'s weight dtype.
    func layerWeight(_ name: String, shape: [Int]) throws -> Tensor {
        try tensor(name, shape: shape, dtype: precision.weightDType)
    }

    private func tensor(_ name: String, shape: [Int], dtype: DType) throws -> Tensor {
        guard let tensor = try lookup(prefix + name, shape, dtype) else {
            throw ModelError.missingWeight(name: prefix + name, source: source)
        }
        guard tensor.shape == shape else {
            throw ModelError.weightShapeMismatch(name: prefix + name, expected: shape, actual: tensor.shape, source: source)
        }
        return tensor
    }

    /// The first of `names` that exists (checkpoints from older diffusers versions use other names).
    public func tensor(oneOf names: [String], shape: [Int]) throws -> Tensor {
        for name in names where try contains(name) { return try tensor(name, shape: shape) }
        return try tensor(names[0], shape: shape)
    }
}

/// The elements synthetic weights may still take.
private final class ElementBudget: @unchecked Sendable {
    private var remaining: Int
    private let limit: Int

    init(limit: Int) {
        remaining = limit
        self.limit = limit
    }

    /// Takes the element count of `shape` from the budget.
    func take(_ shape: [Int], name: String, source: String) throws {
        var count = 1
        for side in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: max(side, 0))
            guard !overflow, product <= remaining else {
                throw ModelError.invalidInput(parameter: name, reason:
                    "synthetic weights of \(source) would exceed \(limit) elements")
            }
            count = product
        }
        remaining -= count
    }
}

extension Convolution2D {
    convenience init(_ weights: ModelWeights, input: Int, output: Int, kernel: Int, stride: Int = 1,
                     padding: Int = 0, bias: Bool = true) throws {
        try self.init(weights, input: input, output: output, kernel: kernel, stride: stride, paddingBefore: padding,
                      paddingAfter: padding, bias: bias)
    }

    convenience init(_ weights: ModelWeights, input: Int, output: Int, kernel: Int, stride: Int,
                     paddingBefore: Int, paddingAfter: Int, bias: Bool = true) throws {
        let shape = [output, input, kernel, kernel]
        let weight = try weights.quantizesLayer ? weights.tensor("weight", shape: shape)
            : weights.layerWeight("weight", shape: shape)
        let bias = bias ? try weights.tensor("bias", shape: [output]) : nil
        if weights.quantizesLayer {
            self.init(quantizing: weight, bias: bias, inputDType: weights.precision.dtype, stride: stride,
                      paddingBefore: paddingBefore, paddingAfter: paddingAfter)
        } else {
            self.init(weight: weight, bias: bias, inputDType: weights.precision.dtype, stride: stride,
                      paddingBefore: paddingBefore, paddingAfter: paddingAfter)
        }
    }
}

extension Linear {
    convenience init(_ weights: ModelWeights, input: Int, output: Int, bias: Bool = true) throws {
        let weight = try weights.quantizesLayer ? weights.tensor("weight", shape: [output, input])
            : weights.layerWeight("weight", shape: [output, input])
        let bias = bias ? try weights.tensor("bias", shape: [output]) : nil
        if weights.quantizesLayer {
            self.init(quantizing: weight, bias: bias, inputDType: weights.precision.dtype)
        } else {
            self.init(weight: weight, bias: bias, inputDType: weights.precision.dtype)
        }
    }
}

extension GroupNorm {
    convenience init(_ weights: ModelWeights, groups: Int, channels: Int, epsilon: Float) throws {
        try self.init(groups: groups, weight: weights.tensor("weight", shape: [channels]),
                      bias: weights.tensor("bias", shape: [channels]), epsilon: epsilon)
    }
}

extension LayerNorm {
    convenience init(_ weights: ModelWeights, features: Int, epsilon: Float) throws {
        try self.init(weight: weights.tensor("weight", shape: [features]),
                      bias: weights.tensor("bias", shape: [features]), epsilon: epsilon)
    }
}
