import Foundation
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// A smooth noise predictor whose output for a latent depends only on that latent, its timestep and its image
/// within the group: `ε = tanh(g(t)·x + sin(position)/2 + image/4)`. Batching cannot change its results, so
/// parallel samplers can be compared with the sequential one bit for bit. Records each call's batch size.
final class ParaTAAToyDenoiser: Denoiser {
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
                    let item = index / itemCount
                    let gain = 0.6 + timesteps[item] / 1500
                    let offset = sin(Float(index % itemCount)) / 2 + Float(item % imagesPerGroup) / 4
                    result[index] = tanh(gain * input[index] + offset)
                }
            }
        }
        return output
    }
}

extension SeededRun {
    /// The noise each step of `scheduler` draws in a run (nil where it draws none).
    func stepNoise(_ scheduler: any ParallelScheduler) -> [Tensor?] {
        var generator = generator
        return scheduler.timesteps.map { scheduler.drawsNoise(at: $0) ? generator.randn(latents.shape) : nil }
    }
}

enum ParaTAASchedulers {
    static func ddim(steps: Int, eta: Double = 0) throws -> any ParallelScheduler {
        var scheduler = try DDIMScheduler(options: StepOptions(eta: eta))
        try scheduler.setTimesteps(steps)
        return scheduler
    }

    static func ddpm(steps: Int) throws -> any ParallelScheduler {
        var scheduler = try DDPMScheduler()
        try scheduler.setTimesteps(steps)
        return scheduler
    }
}
