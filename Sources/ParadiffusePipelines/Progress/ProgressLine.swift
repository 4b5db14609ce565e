import Foundation

/// One line of progress: `step 12/50 ▕██████░░░░░░░░░░░░░░░░░░▏ 24% · 3.2 it/s · ETA 0:12`.
///
/// Before the first step there is no rate to show; once all steps are done the line gives the total time
/// instead of the time left. Rates below one step a second read as seconds per step (`4.5 s/it`).
public struct ProgressLine: Sendable, Equatable {
    public var label: String
    public var completed: Int
    public var total: Int
    /// Seconds since the first step began.
    public var elapsed: Double

    public static let barWidth = 24

    public init(label: String = "step", completed: Int, total: Int, elapsed: Double) {
        self.label = label
        self.completed = completed
        self.total = total
        self.elapsed = elapsed
    }

    public var isFinished: Bool { completed >= total }

    /// Whole parts of `scale` done, rounded down, so that only a finished run shows the full scale.
    public func completedParts(of scale: Int) -> Int {
        total > 0 ? min(max(completed, 0), total) * scale / total : scale
    }

    /// Steps a second, or nil before any step has completed in measurable time.
    public var rate: Double? {
        completed > 0 && elapsed > 0 ? Double(completed) / elapsed : nil
    }

    public var text: String {
        let filled = completedParts(of: Self.barWidth)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: Self.barWidth - filled)
        var parts = ["\(label) \(completed)/\(total) ▕\(bar)▏ \(completedParts(of: 100))%"]
        if let rate {
            parts.append(Self.formatRate(rate))
            if isFinished {
                parts.append("took " + Self.formatDuration(elapsed))
            } else {
                parts.append("ETA " + Self.formatDuration(Double(total - completed) / rate))
            }
        }
        return parts.joined(separator: " · ")
    }

    /// `3.2 it/s`, or `4.5 s/it` below one step a second.
    public static func formatRate(_ stepsPerSecond: Double) -> String {
        stepsPerSecond >= 1
            ? String(format: "%.1f it/s", stepsPerSecond)
            : String(format: "%.1f s/it", 1 / stepsPerSecond)
    }

    /// `m:ss` below an hour, `h:mm:ss` from an hour on; rounded to the nearest second.
    public static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e9 else { return "?:??" }
        let total = Int(max(seconds, 0).rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, secs)
            : String(format: "%d:%02d", minutes, secs)
    }
}
