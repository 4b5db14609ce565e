import Foundation
import ParadiffusePipelines
import ParadiffuseTensors
import Testing

/// The library's entry point on the digits model: results returned, not written; progress reported per step;
/// cancellation, by the progress handler or the task, stops the run before its next model call.
struct DiffusionPipelineTests {
    static let request = GenerationRequest(steps: 10, scheduler: .ddim, seed: 3, count: 2, classLabel: 5)

    @Test func generatesImagesWithTheirParameters() async throws {
        let result = try await DiffusionPipeline().generate(Self.request)

        #expect(result.images.count == 2 && result.images.allSatisfy { $0.width == 32 && $0.height == 32 })
        #expect(result.parameters.map(\.classLabel) == [5, 5])
        #expect(result.parameters.allSatisfy { $0.model == "paradiffuse-digits (default)" && $0.guidance == 3 })
        #expect(result.timesteps.count == 10 && result.report.steps == 10)
        let png = try result.pngData()
        #expect(png.count == 2 && png.allSatisfy { $0.starts(with: [0x89, 0x50, 0x4E, 0x47]) })
    }

    @Test func reportsEveryStepWithItsTimestep() throws {
        let steps = Locked<[GenerationProgress]>([])
        let monitor = GenerationMonitor { progress in
            steps.withValue { $0.append(progress) }
            return true
        }
        let result = try DiffusionPipeline().generate(Self.request, monitor: monitor)

        let reported = steps.withValue { $0 }
        #expect(reported.map(\.completed) == Array(1...10))
        #expect(reported.allSatisfy { $0.total == 10 })
        #expect(reported.map(\.timestep) == result.timesteps.map { $0 })
        #expect(zip(reported, reported.dropFirst()).allSatisfy { $0.elapsedSeconds <= $1.elapsedSeconds })
    }

    /// The handler says stop after step 3: no fourth model call is made.
    @Test func handlerReturningFalseStopsBeforeTheNextModelCall() async throws {
        let reports = Locked(0)
        let pipeline = try DiffusionPipeline()
        await #expect(throws: CancellationError.self) {
            _ = try await pipeline.generate(Self.request) { progress in
                reports.withValue { $0 += 1 }
                return progress.completed < 3
            }
        }
        #expect(reports.withValue { $0 } == 3)
    }

    /// Cancelling the task while step 2 is reported ends the run at the next model call.
    @Test func taskCancellationStopsBeforeTheNextModelCall() async throws {
        let reports = Locked(0)
        let pipeline = try DiffusionPipeline()
        let secondStep = AsyncStream<Void>.makeStream()
        let cancelled = DispatchSemaphore(value: 0)
        let task = Task {
            try await pipeline.generate(Self.request) { _ in
                if reports.withValue({ $0 += 1; return $0 }) == 2 {
                    secondStep.continuation.yield()
                    cancelled.wait()
                }
                return true
            }
        }
        for await _ in secondStep.stream { break }
        task.cancel()
        cancelled.signal()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(reports.withValue { $0 } == 2)
    }

    /// Previews every 4 steps and at the end; for a pixel-space model the last is the grid of the final images.
    @Test func previewsComeEveryIntervalAndAtTheEnd() async throws {
        let previews = Locked<[(Int, RGBImage)]>([])
        let result = try await DiffusionPipeline().generate(Self.request, previewInterval: 4) { progress in
            if let preview = progress.preview { previews.withValue { $0.append((progress.completed, preview)) } }
            return true
        }
        let shown = previews.withValue { $0 }
        #expect(shown.map(\.0) == [4, 8, 10])
        #expect(shown.last?.1 == RGBImage.grid(result.images))
        #expect(shown.first?.1 != shown.last?.1)
    }

    @Test func cancelledMonitorRunsNoModelCall() throws {
        let monitor = GenerationMonitor()
        monitor.cancel()
        #expect(throws: CancellationError.self) { _ = try DiffusionPipeline().generate(Self.request, monitor: monitor) }
    }
}

/// A value shared with a callback on another thread.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withValue<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.withLock { body(&value) }
    }
}

/// Two pipelines in one process compute at the same time (each thread has its own oneDNN stream, each primitive
/// its own lock) and each gets the result it gets alone.
@Test func twoPipelinesGenerateConcurrently() async throws {
    let request = DiffusionPipelineTests.request
    let alone = try await DiffusionPipeline().generate(request)
    let (first, second) = (try DiffusionPipeline(), try DiffusionPipeline())
    ConcurrentExecutions.resetPeak()
    async let firstResult = first.generate(request)
    async let secondResult = second.generate(request)
    let results = try await [firstResult, secondResult]

    #expect(ConcurrentExecutions.peakSinceReset >= 2)
    for result in results {
        #expect(result.latents.maxAbsDifference(alone.latents) <= 1e-5)
    }
}
