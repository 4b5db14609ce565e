/// The processes that run one generation together, each with its rank in `0..<size`. Every collective must be
/// called by every process in the same order.
public protocol ProcessGroup: AnyObject {
    var rank: Int { get }
    var size: Int { get }

    /// Every process passes its own `local` elements; `counts[r]` is how many rank `r` passes. Returns every
    /// process's elements, in rank order.
    func allGather(_ local: UnsafeBufferPointer<Float>, counts: [Int], into result: UnsafeMutableBufferPointer<Float>,
                   operation: String) throws

    /// Every process passes the same number of bytes; returns each rank's, in rank order.
    func allGather(bytes: [UInt8], operation: String) throws -> [[UInt8]]

    /// Rank 0's `values` on every process (the others pass as many placeholders).
    func broadcastFromFirst(_ values: [Int32], operation: String) throws -> [Int32]
}

/// A run in one process: every collective returns the process's own data.
public final class SingleProcess: ProcessGroup {
    public let rank = 0
    public let size = 1

    public init() {}

    public func allGather(_ local: UnsafeBufferPointer<Float>, counts: [Int], into result: UnsafeMutableBufferPointer<Float>,
                          operation: String) throws {
        precondition(counts == [local.count] && result.count == local.count, "\(operation): counts \(counts) for one process")
        _ = result.initialize(from: local)
    }

    public func allGather(bytes: [UInt8], operation: String) throws -> [[UInt8]] { [bytes] }

    public func broadcastFromFirst(_ values: [Int32], operation: String) throws -> [Int32] { values }
}
