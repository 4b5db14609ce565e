import Foundation
import Loading
import Models
import Tensors

/// Times the UNet forward pass of a model folder at a batch size: a warm-up call, then `iterations` timed calls.
public struct UNetBenchmark {
    public struct Result: Codable, Sendable {
        public let model: String
        public let batch: Int
        public let iterations: Int
        public let forwardMilliseconds: [Double]
        public let medianMilliseconds: Double
        public let loadSeconds: Double

        enum CodingKeys: String, CodingKey {
            case model, batch, iterations
            case forwardMilliseconds = "unet_forward_ms_all"
            case medianMilliseconds = "unet_forward_ms"
            case loadSeconds = "load_s"
        }
    }

    public let modelFolder: URL
    public let batch: Int
    public let iterations: Int

    public init(modelFolder: URL, batch: Int, iterations: Int) {
        self.modelFolder = modelFolder
        self.batch = batch
        self.iterations = iterations
    }

    public func run() throws -> Result {
        let loadStart = Date()
        let folder = try DiffusersFolder(url: modelFolder)
        let unetFolder = folder.modelIndex == nil ? modelFolder : try folder.componentURL("unet")
        let model = try UNet2DModel(componentFolder: unetFolder)
        let loadSeconds = Date().timeIntervalSince(loadStart)

        let configuration = model.configuration
        let size = configuration.sampleSize ?? [32, 32]
        var generator = TorchGenerator(seed: 0)
        let sample = generator.randn([batch, configuration.inChannels, size[0], size[1]])
        let timesteps = [Float](repeating: 500, count: batch)
        let classes = configuration.isClassConditional ? [Int](repeating: 0, count: batch) : nil

        _ = try model(sample, timesteps: timesteps, classLabels: classes)
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try model(sample, timesteps: timesteps, classLabels: classes)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return Result(model: modelFolder.path, batch: batch, iterations: iterations, forwardMilliseconds: times,
                      medianMilliseconds: times.sorted()[times.count / 2], loadSeconds: loadSeconds)
    }
}
