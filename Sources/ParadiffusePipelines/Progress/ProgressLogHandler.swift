import Logging

/// A swift-log handler that prints through a `ProgressReporter`, so log lines keep clear of the progress line:
/// `warning: <message>` (the level, then the message and any metadata as `key=value`).
public struct ProgressLogHandler: LogHandler {
    public let reporter: ProgressReporter
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(reporter: ProgressReporter, level: Logger.Level) {
        self.reporter = reporter
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.keys.sorted().map { "\($0)=\(merged[$0].map { "\($0)" } ?? "")" }
        reporter.message(([ "\(event.level): \(event.message)"] + fields).joined(separator: " "))
    }
}
