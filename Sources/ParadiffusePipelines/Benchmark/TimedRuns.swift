import Dispatch

/// Milliseconds of each of `iterations` calls of `body`, after one untimed warm-up call (which creates the oneDNN
/// primitives and packs the weights).
func timedRuns(iterations: Int, _ body: () throws -> Void) rethrows -> [Double] {
    try body()
    return try (0..<iterations).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}

/// The middle value (the upper of the two middle ones for an even count), as the benchmarks report it.
func median(_ values: [Double]) -> Double {
    values.sorted()[values.count / 2]
}
