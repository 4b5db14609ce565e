import Foundation
import Logging
import ParadiffusePipelines
import ParadiffuseTensors
import Testing

/// The library logs through the `Logger` it is given: loading and generations at debug, a request's warnings at
/// warning; the command line prints them through the progress reporter.
struct LoggingTests {
    final class Recorded: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(Logger.Level, String)] = []
        func append(_ entry: (Logger.Level, String)) { lock.withLock { entries.append(entry) } }
        var all: [(Logger.Level, String)] { lock.withLock { entries } }
    }

    struct RecordingHandler: LogHandler {
        let recorded: Recorded
        var logLevel = Logger.Level.trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { recorded.append((event.level, "\(event.message)")) }
    }

    @Test func loadingAndGeneratingAreLoggedAtDebugAndCutPromptsAtWarning() throws {
        let recorded = Recorded()
        let logger = Logger(label: "test") { _ in RecordingHandler(recorded: recorded) }
        let pipeline = try DiffusionPipeline(folder: StableDiffusionFixtures.pipeline, logger: logger)
        let long = Array(repeating: "astronaut", count: 90).joined(separator: " ")
        var request = GenerationRequest(steps: 2, seed: 0, prompt: PromptRequest(prompts: [long]))
        request.guidance = 1
        request.prompt?.width = 16
        request.prompt?.height = 16
        let result = try pipeline.generate(request)

        let entries = recorded.all
        #expect(entries.contains { $0.0 == .debug && $0.1.hasPrefix("loaded StableDiffusionPipeline from ") })
        #expect(entries.contains { $0.0 == .debug && $0.1 == "generating 1 image" })
        #expect(!result.warnings.isEmpty)
        #expect(entries.filter { $0.0 == .warning }.map(\.1) == result.warnings)
    }

    @Test func progressLogHandlerPrintsTheLevelMessageAndMetadata() {
        let written = Recorded()
        let reporter = ProgressReporter(style: .periodicLines) { written.append((.info, $0)) }
        var logger = Logger(label: "test") { _ in ProgressLogHandler(reporter: reporter, level: .info) }
        logger[metadataKey: "run"] = "7"
        logger.debug("hidden")
        logger.warning("prompt cut", metadata: ["tokens": "77"])
        #expect(written.all.map(\.1) == ["warning: prompt cut run=7 tokens=77\n"])
    }
}
