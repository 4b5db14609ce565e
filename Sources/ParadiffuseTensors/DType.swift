/// Element types a tensor can hold.
public enum DType: String, Sendable, CaseIterable {
    case float32
    case bfloat16

    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .bfloat16: 2
        }
    }
}
