/// What a safetensors header says about one tensor.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    /// The dtype as the header spells it: "F32", "F16", "BF16", "I64", ...
    public var dtype: String { elementType.rawValue }
    public let elementType: SafetensorsDType
    public let shape: [Int]
    /// Byte range within the data section that follows the header.
    public let dataOffsets: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { dataOffsets.count }
}
