import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors

/// Times the DiTTransformer2DModel forward pass of a DiT folder (a DiTPipeline folder or a bare transformer
/// folder) at a batch size and precision: float32 latents of the model's `sample_size`, timestep 500, class 0; a warm-up call, then
/// `iterations` timed calls. (A guided DiT step is one forward pass at batch 2: the class and the null class.)
public struct DiTBenchmark {
    public let modelFolder: URL
    public let batch: Int
    public let iterations: Int
    public let precision: Precision

    public init(modelFolder: URL, batch: Int, iterations: Int, precision: Precision = .float32) {
        self.modelFolder = modelFolder
        self.batch = batch
        self.iterations = iterations
        self.precision = precision
    }

    /// Whether `folder` holds a DiT: a DiTPipeline folder, or a transformer folder whose config is a DiT's.
    public static func handles(_ folder: URL) throws -> Bool {
        let diffusers = try DiffusersFolder(url: folder)
        switch diffusers.kind {
        case .pipeline(let index): return index.className == "DiTPipeline"
        case .component(let config): return DiTTransformer2DConfiguration.classNames.contains(config.className ?? "")
        }
    }

    public func run() throws -> UNetBenchmark.Result {
        let loadStart = Date()
        let folder = try DiffusersFolder(url: modelFolder)
        let model = try DiTTransformer2DModel(
            componentFolder: folder.modelIndex == nil ? modelFolder : try folder.componentURL("transformer"),
            precision: precision)
        let loadSeconds = Date().timeIntervalSince(loadStart)

        let configuration = model.configuration
        var generator = TorchGenerator(seed: 0)
        let latents = generator.randn([batch, configuration.inChannels, configuration.sampleSize, configuration.sampleSize])
        let timesteps = [Float](repeating: 500, count: batch)
        let classes = [Int](repeating: 0, count: batch)

        let times = try timedRuns(iterations: iterations) {
            _ = try model(latents, timesteps: timesteps, classLabels: classes)
        }
        return UNetBenchmark.Result(model: modelFolder.path, batch: batch, iterations: iterations,
                                    precision: precision.rawValue, forwardMilliseconds: times,
                                    medianMilliseconds: median(times), loadSeconds: loadSeconds,
                                    peakResidentBytes: PeakResidentMemory.bytes)
    }
}
