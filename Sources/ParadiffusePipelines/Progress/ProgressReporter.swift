import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports the progress of a run of steps (denoising steps, sampler iterations) as a `ProgressLine`.
///
/// On a terminal the line updates in place (carriage return); in a log (output not a terminal) a line is printed
/// each time another tenth of the steps is done or `logInterval` seconds have passed; `silent` prints nothing.
/// The clock and the output are injectable for tests. Calls may come from any thread.
public final class ProgressReporter: @unchecked Sendable {
    public enum Style: Sendable {
        case updatingLine
        case periodicLines
        case silent
    }

    public let style: Style
    /// Least seconds between two redraws of an updating line.
    public static let redrawInterval = 0.1
    /// Most seconds between two lines in a log while steps complete.
    public static let logInterval = 5.0

    private let clock: () -> Double
    private let output: (String) -> Void
    private let lock = NSLock()
    private var label = "step"
    private var total = 0
    private var isStarted = false
    private var completed = 0
    private var startTime = 0.0
    private var lastOutputTime = -Double.infinity
    private var lastReportedCompleted: Int?
    private var lineIsOpen = false

    /// - Parameters:
    ///   - style: how progress is drawn: a line redrawn in place, periodic lines, or nothing.
    ///   - clock: seconds on a monotonic clock.
    ///   - output: receives text exactly as it should appear, control characters included.
    public init(style: Style, clock: @escaping () -> Double = ProgressReporter.monotonicSeconds,
                output: @escaping (String) -> Void) {
        self.style = style
        self.clock = clock
        self.output = output
    }

    /// A reporter writing to standard error: an updating line on a terminal, periodic lines otherwise,
    /// nothing when `quiet`.
    public static func standardError(quiet: Bool) -> ProgressReporter {
        let isTerminal = isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        let style: Style = quiet ? .silent : isTerminal ? .updatingLine : .periodicLines
        return ProgressReporter(style: style) { text in FileHandle.standardError.write(Data(text.utf8)) }
    }

    public static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Begins a run of `total` steps; the clock for its rate starts now.
    public func start(total: Int, label: String = "step") {
        lock.withLock {
            closeLine()
            self.label = label
            self.total = total
            completed = 0
            isStarted = true
            startTime = clock()
            lastOutputTime = -Double.infinity
            lastReportedCompleted = nil
            if style == .updatingLine { draw(at: startTime) }
        }
    }

    /// Records that `completed` steps of the run are done.
    public func update(completed: Int) {
        lock.withLock {
            self.completed = completed
            let now = clock()
            switch style {
            case .silent:
                break
            case .updatingLine:
                if now - lastOutputTime >= Self.redrawInterval || completed >= total { draw(at: now) }
            case .periodicLines:
                let reportedTenths = lastReportedCompleted.map { tenths(of: $0) } ?? 0
                if completed != lastReportedCompleted
                    && (tenths(of: completed) > reportedTenths || now - lastOutputTime >= Self.logInterval) {
                    report(currentLine(at: now).text + "\n", at: now)
                }
            }
        }
    }

    /// Ends the run: the final state of the line is shown and the terminal line is closed.
    /// Shows a generation's progress: the bar starts with the first report, and anew when the total changes.
    public func show(_ progress: GenerationProgress) {
        if lock.withLock({ !isStarted || total != progress.total }) { start(total: progress.total) }
        update(completed: progress.completed)
    }

    public func finish() {
        lock.withLock {
            let now = clock()
            switch style {
            case .silent:
                break
            case .updatingLine:
                if lastReportedCompleted != completed { draw(at: now) }
                closeLine()
            case .periodicLines:
                if lastReportedCompleted != completed { report(currentLine(at: now).text + "\n", at: now) }
            }
        }
    }

    /// Prints a line of its own (e.g. "seed 42", "wrote output.png"), keeping clear of the progress line.
    public func message(_ text: String) {
        lock.withLock {
            guard style != .silent else { return }
            if lineIsOpen {
                output("\r\u{1B}[K" + text + "\n")
                draw(at: clock())
            } else {
                output(text + "\n")
            }
        }
    }

    private func currentLine(at now: Double) -> ProgressLine {
        ProgressLine(label: label, completed: completed, total: total, elapsed: now - startTime)
    }

    private func tenths(of completed: Int) -> Int {
        ProgressLine(label: label, completed: completed, total: total, elapsed: 0).completedParts(of: 10)
    }

    private func draw(at now: Double) {
        report("\r" + currentLine(at: now).text + "\u{1B}[K", at: now)
        lineIsOpen = true
    }

    private func report(_ text: String, at now: Double) {
        output(text)
        lastOutputTime = now
        lastReportedCompleted = completed
    }

    private func closeLine() {
        if lineIsOpen { output("\n") }
        lineIsOpen = false
    }
}
