import Synchronization

/// How many oneDNN primitives run at once, and the most that have since the last reset: the measure that two
/// generations in one process compute at the same time.
public enum ConcurrentExecutions {
    private static let running = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    static func begin() {
        let now = running.add(1, ordering: .relaxed).newValue
        _ = peak.max(now, ordering: .relaxed)
    }

    static func end() {
        running.subtract(1, ordering: .relaxed)
    }

    /// The most primitives that ran at once since the last `resetPeak()`.
    public static var peakSinceReset: Int { peak.load(ordering: .relaxed) }

    public static func resetPeak() {
        peak.store(running.load(ordering: .relaxed), ordering: .relaxed)
    }
}
