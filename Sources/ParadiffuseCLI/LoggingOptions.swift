import ArgumentParser
import Logging
import Paradiffuse

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--log-level`: what the library reports besides the progress, printed clear of the progress line.
struct LoggingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The least severe log messages shown: debug shows loading times and each generation's "
                               + "settings, warning only what a run should know (e.g. a prompt cut to 77 tokens).",
                               valueName: Logger.Level.allCases.map(\.rawValue).joined(separator: "|")))
    var logLevel = Logger.Level.warning

    /// A logger printing through `progress` at `--log-level`.
    func logger(_ progress: ProgressReporter) -> Logger {
        Logger(label: "paradiffuse") { _ in ProgressLogHandler(reporter: progress, level: logLevel) }
    }
}
