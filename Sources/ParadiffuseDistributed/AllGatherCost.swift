import Dispatch

/// The cost of one all-gather as the usual latency–bandwidth model: `α` per communication round and `β` per byte
/// a rank receives. Recursive doubling and ring all-gathers of `n` bytes over `K` ranks take ⌈log₂ K⌉ rounds and
/// receive `(K − 1)/K · n` bytes, so a measurement between 2 ranks (one round) gives both constants.
public struct AllGatherCost: Codable, Sendable, Equatable {
    /// Seconds per round (measured with one float per rank).
    public let secondsPerRound: Double
    /// Seconds per byte received.
    public let secondsPerByte: Double

    public init(secondsPerRound: Double, secondsPerByte: Double) {
        self.secondsPerRound = secondsPerRound
        self.secondsPerByte = secondsPerByte
    }

    /// Predicted seconds for all-gathering `bytes` in total over `ranks` ranks.
    public func seconds(bytes: Int, ranks: Int) -> Double {
        guard ranks > 1 else { return 0 }
        let rounds = Double(Int.bitWidth - (ranks - 1).leadingZeroBitCount)
        return rounds * secondsPerRound + Double(ranks - 1) / Double(ranks) * Double(bytes) * secondsPerByte
    }

    /// Measures `α` and `β` on `group` (2 ranks; every rank calls this): medians of `repetitions` all-gathers of
    /// one float per rank and of `bytes` in total.
    public static func measure(group: ProcessGroup, bytes: Int, repetitions: Int = 50) throws -> AllGatherCost {
        precondition(group.size == 2, "the all-gather model is fitted between 2 ranks")
        func median(elementsPerRank: Int) throws -> Double {
            let local = [Float](repeating: 1, count: elementsPerRank)
            var result = [Float](repeating: 0, count: elementsPerRank * group.size)
            var times: [Double] = []
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                try local.withUnsafeBufferPointer { source in
                    try result.withUnsafeMutableBufferPointer { target in
                        try group.allGather(source, counts: Array(repeating: elementsPerRank, count: group.size),
                                            into: target, operation: "timing the all-gather")
                    }
                }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return times.sorted()[times.count / 2]
        }
        let round = try median(elementsPerRank: 1)
        let large = try median(elementsPerRank: max(1, bytes / 4 / group.size))
        return AllGatherCost(secondsPerRound: round, secondsPerByte: max(0, large - round) / (Double(bytes) / 2))
    }
}
