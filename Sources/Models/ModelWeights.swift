import Tensors

/// Named weights of a model, seen from one module's prefix (`down_blocks.0.resnets.1.`), with shape checks.
///
/// Convolution and linear weights come in the dtype of `precision`; every other weight (biases, norms, embedding
/// tables) is float32.
public struct ModelWeights {
    /// Where the weights come from, for error messages (usually a file path).
    public let source: String
    public let precision: Precision
    private let lookup: (String, DType) throws -> Tensor?
    private let prefix: String

    /// `lookup` returns the tensor with a full name in the requested dtype, or nil when there is none.
    public init(source: String, precision: Precision = .float32, lookup: @escaping (String, DType) throws -> Tensor?) {
        self.init(source: source, precision: precision, prefix: "", lookup: lookup)
    }

    /// `lookup` returns the tensor with a full name, or nil when there is none; it is converted as needed.
    public init(source: String, precision: Precision = .float32, lookup: @escaping (String) throws -> Tensor?) {
        self.init(source: source, precision: precision) { name, dtype in try lookup(name)?.converted(to: dtype) }
    }

    private init(source: String, precision: Precision, prefix: String,
                 lookup: @escaping (String, DType) throws -> Tensor?) {
        self.source = source
        self.precision = precision
        self.prefix = prefix
        self.lookup = lookup
    }

    /// The same weights with convolution and linear weights in float32, for layers whose precision matters
    /// (timestep embeddings).
    public var inFloat32: ModelWeights {
        ModelWeights(source: source, precision: .float32, prefix: prefix, lookup: lookup)
    }

    public func scoped(_ name: String) -> ModelWeights {
        ModelWeights(source: source, precision: precision, prefix: prefix + name + ".", lookup: lookup)
    }

    public func contains(_ name: String) throws -> Bool { try lookup(prefix + name, .float32) != nil }

    /// The float32 weight `name` under this scope; its shape must be `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        try tensor(name, shape: shape, dtype: .float32)
    }

    /// The convolution or linear weight `name` under this scope, in the dtype of `precision`.
    func layerWeight(_ name: String, shape: [Int]) throws -> Tensor {
        try tensor(name, shape: shape, dtype: precision.dtype)
    }

    private func tensor(_ name: String, shape: [Int], dtype: DType) throws -> Tensor {
        guard let tensor = try lookup(prefix + name, dtype) else {
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

extension Convolution2D {
    convenience init(_ weights: ModelWeights, input: Int, output: Int, kernel: Int, stride: Int = 1,
                     padding: Int = 0, bias: Bool = true) throws {
        try self.init(weight: weights.layerWeight("weight", shape: [output, input, kernel, kernel]),
                      bias: bias ? weights.tensor("bias", shape: [output]) : nil, stride: stride, padding: padding)
    }
}

extension Linear {
    convenience init(_ weights: ModelWeights, input: Int, output: Int, bias: Bool = true) throws {
        try self.init(weight: weights.layerWeight("weight", shape: [output, input]),
                      bias: bias ? weights.tensor("bias", shape: [output]) : nil)
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
