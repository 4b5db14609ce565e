import Foundation
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// A smooth noise predictor that treats every latent alone, `ε = tanh(a(t)·x + b_i)` with `b_i` fixed per element
/// position, so its output for a latent never depends on the rest of the batch. Records each call's batch size.
final class ElementwiseDenoiser: Denoiser {
    let imagesPerGroup: Int
    private(set) var batchSizes: [Int] = []

    init(imagesPerGroup: Int) {
        self.imagesPerGroup = imagesPerGroup
    }

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        batchSizes.append(latents.batchSize)
        let itemCount = latents.count / latents.batchSize
        var output = Tensor(uninitializedShape: latents.shape)
        latents.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { result in
                for index in 0..<input.count {
                    let gain = 0.5 + timesteps[index / itemCount] / 2000
                    let offset = sin(Float(index % itemCount)) / 2
                    result[index] = tanh(gain * input[index] + offset)
                }
            }
        }
        return output
    }
}

/// The initial latents and the step noise of one seeded run, drawn as diffusers' pipelines draw them: the latents
/// first, then every noise tensor from the same generator.
struct SeededRun {
    let latents: Tensor
    /// The generator after the latents were drawn: the source of every step's noise.
    let generator: TorchGenerator

    init(seed: UInt64, shape: [Int]) {
        var generator = TorchGenerator(seed: seed)
        latents = generator.randn(shape)
        self.generator = generator
    }

    func sample(_ sampler: some Sampler, scheduler: any Scheduler, denoiser: Denoiser,
                progress: (SamplingProgress) -> Void = { _ in }) throws -> SamplingResult {
        var generator = generator
        var scheduler = scheduler
        return try sampler.sample(latents, scheduler: &scheduler, denoiser: denoiser, noise: { generator.randn($0) },
                                  progress: progress)
    }
}
