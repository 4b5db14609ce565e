import Synchronization

/// Keeps the latest model call of a generation, for previews of the x̂₀ it predicts.
final class ModelCallRecorder: Sendable {
    private let latest = Mutex<ModelCall?>(nil)

    func record(_ call: ModelCall) { latest.withLock { $0 = call } }

    var last: ModelCall? { latest.withLock { $0 } }
}
