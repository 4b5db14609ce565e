import Foundation
import ParadiffuseTensors

/// Watches one generation: passes its progress (with a preview every `previewInterval` units, when asked) to
/// the caller's handler and decides, before each model call, whether it goes on. A generation stops, with `CancellationError`, at the first model call after its task is
/// cancelled, `cancel()` is called, or the handler returns false.
public final class GenerationMonitor: @unchecked Sendable {
    /// Called after every unit of progress, on the generating thread; returning false cancels the generation.
    public typealias Handler = @Sendable (GenerationProgress) -> Bool

    private let handler: Handler
    /// Progress units between previews (and a preview at the end); nil for none.
    public let previewInterval: Int?
    private let lock = NSLock()
    private var cancelled = false
    private var started: DispatchTime?

    public init(previewInterval: Int? = nil, handler: @escaping Handler = { _ in true }) {
        self.previewInterval = previewInterval.map { max($0, 1) }
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

    /// Reports progress; `preview` draws the latents when a preview is due (a failed drawing leaves it out).
    func report(completed: Int, total: Int, timestep: Int?, latents: Tensor, preview: (Tensor) throws -> RGBImage) {
        let start = lock.withLock { started } ?? .now()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let previewDue = previewInterval.map { completed % $0 == 0 || completed == total } ?? false
        let goesOn = handler(GenerationProgress(completed: completed, total: total, timestep: timestep,
                                                elapsedSeconds: elapsed,
                                                preview: previewDue ? try? preview(latents) : nil))
        if !goesOn { cancel() }
    }
}
