import Foundation

/// Watches one generation: passes its progress to the caller's handler and decides, before each model call,
/// whether it goes on. A generation stops, with `CancellationError`, at the first model call after its task is
/// cancelled, `cancel()` is called, or the handler returns false.
public final class GenerationMonitor: @unchecked Sendable {
    /// Called after every unit of progress, on the generating thread; returning false cancels the generation.
    public typealias Handler = @Sendable (GenerationProgress) -> Bool

    private let handler: Handler
    private let lock = NSLock()
    private var cancelled = false
    private var started: DispatchTime?

    public init(handler: @escaping Handler = { _ in true }) {
        self.handler = handler
    }

    public var isCancelled: Bool { lock.withLock { cancelled } || Task.isCancelled }

    public func cancel() {
        lock.withLock { cancelled = true }
    }

    /// Throws `CancellationError` once the generation is cancelled.
    public func checkCancellation() throws {
        if isCancelled { throw CancellationError() }
    }

    func samplingStarted() {
        lock.withLock { started = .now() }
    }

    func report(completed: Int, total: Int, timestep: Int?) {
        let start = lock.withLock { started } ?? .now()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let goesOn = handler(GenerationProgress(completed: completed, total: total, timestep: timestep,
                                                elapsedSeconds: elapsed))
        if !goesOn { cancel() }
    }
}
