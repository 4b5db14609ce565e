import ParadiffuseTensors

/// A sampler asked to do something it cannot. Every message names the sampler and the parameter at fault.
public enum SamplerError: Error, Equatable, DescribedError {
    case invalidParameter(sampler: String, parameter: String, reason: String)
    case schedulerNotParallel(sampler: String, scheduler: String)
    case batchMismatch(sampler: String, latents: Int, imagesPerGroup: Int)
    case noiseShapeMismatch(sampler: String, shape: [Int], expected: [Int])

    public var description: String {
        switch self {
        case let .invalidParameter(sampler, parameter, reason):
            "\(sampler): '\(parameter)' \(reason)"
        case let .schedulerNotParallel(sampler, scheduler):
            "\(sampler) needs a scheduler with a batched noise-free step (a ParallelScheduler such as DDPM or DDIM); "
                + "\(scheduler) is not one"
        case let .batchMismatch(sampler, latents, imagesPerGroup):
            "\(sampler): the latents hold \(latents) images but the denoiser generates \(imagesPerGroup) at a time"
        case let .noiseShapeMismatch(sampler, shape, expected):
            "\(sampler): the noise source gave shape \(shape), expected the latents' \(expected)"
        }
    }
}
