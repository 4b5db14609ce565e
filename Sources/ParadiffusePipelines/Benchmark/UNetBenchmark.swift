import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors

/// Times the UNet forward pass of a model folder at a batch size: a warm-up call, then `iterations` timed calls.
/// A UNet2DModel gets random samples of its `sample_size`; a UNet2DConditionModel random latents of its
/// `sample_size` (64 for Stable Diffusion 1.5's 512x512) and random 77-token text embeddings.
public struct UNetBenchmark {
    public struct Result: Codable, Sendable {
        public let model: String
        public let batch: Int
        public let iterations: Int
        public let precision: String
        /// `Quantization`'s name: none or int8.
        public var quantization = Quantization.none.rawValue
        public let forwardMilliseconds: [Double]
        public let medianMilliseconds: Double
        public let loadSeconds: Double
        /// The process's peak resident memory after the timed passes.
        public let peakResidentBytes: Int

        enum CodingKeys: String, CodingKey {
            case model, batch, iterations, precision, quantization
            case forwardMilliseconds = "unet_forward_ms_all"
            case medianMilliseconds = "unet_forward_ms"
            case loadSeconds = "load_s"
            case peakResidentBytes = "peak_rss_bytes"
        }
    }

    public let modelFolder: URL
    public let batch: Int
    public let iterations: Int
    public let precision: Precision
    public let quantization: Quantization

    public init(modelFolder: URL, batch: Int, iterations: Int, precision: Precision = .float32,
                quantization: Quantization = .none) {
        self.modelFolder = modelFolder
        self.batch = batch
        self.iterations = iterations
        self.precision = precision
        self.quantization = quantization
    }

    public func run() throws -> Result {
        let loadStart = Date()
        let folder = try DiffusersFolder(url: modelFolder)
        let unetFolder = folder.modelIndex == nil ? modelFolder : try folder.componentURL("unet")
        let className = try JSONConfig(url: unetFolder.appendingPathComponent("config.json")).className
        let forward = try className == "UNet2DConditionModel" ? conditionedForward(unetFolder) : forward(unetFolder)
        let loadSeconds = Date().timeIntervalSince(loadStart)

        let times = try timedRuns(iterations: iterations, forward)
        return Result(model: modelFolder.path, batch: batch, iterations: iterations, precision: precision.rawValue,
                      quantization: quantization.rawValue, forwardMilliseconds: times, medianMilliseconds: median(times),
                      loadSeconds: loadSeconds, peakResidentBytes: PeakResidentMemory.bytes)
    }

    private func forward(_ folder: URL) throws -> () throws -> Void {
        let model = try UNet2DModel(componentFolder: folder, precision: precision, quantization: quantization)
        let configuration = model.configuration
        let size = configuration.sampleSize ?? [32, 32]
        var generator = TorchGenerator(seed: 0)
        let sample = generator.randn([batch, configuration.inChannels, size[0], size[1]])
        let timesteps = [Float](repeating: 500, count: batch)
        let classes = configuration.isClassConditional ? [Float](repeating: 0, count: batch) : nil
        return { _ = try model(sample, timesteps: timesteps, classLabels: classes) }
    }

    private func conditionedForward(_ folder: URL) throws -> () throws -> Void {
        let model = try UNet2DConditionModel(componentFolder: folder, precision: precision, quantization: quantization)
        let configuration = model.configuration
        let size = configuration.sampleSize ?? 64
        var generator = TorchGenerator(seed: 0)
        let latents = generator.randn([batch, configuration.inChannels, size, size])
        let context = generator.randn([batch, 77, configuration.crossAttentionDimension])
        let timesteps = [Float](repeating: 500, count: batch)
        return { _ = try model(latents, timesteps: timesteps, context: context) }
    }
}
