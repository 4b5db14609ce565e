import Distributed
import Pipelines
import Samplers
import Tensors
import Testing

/// Runs across K processes give the same bits for every K only if a latent's model output does not depend on the
/// other latents of its batch: each rank evaluates a different slice. These tests pin that for the digits model
/// (UNet2DModel, class-conditional, guidance), whose oneDNN kernels see batches of every size from 1 up.
struct BatchInvarianceTests {
    let pipeline: UnconditionalPipeline
    let denoiser: UNet2DDenoiser
    let latents: Tensor
    let timesteps: [Float]

    init() throws {
        pipeline = try UnconditionalPipeline(folder: DefaultModel.url)
        denoiser = try UNet2DDenoiser(model: pipeline.model, images: 2, classLabels: [3, 7],
                                      guidance: .init(scale: 3, nullClass: 10))
        var generator = TorchGenerator(seed: 5)
        latents = generator.randn([8, pipeline.model.configuration.inChannels, 32, 32])
        timesteps = [999, 999, 700, 700, 400, 400, 37, 37]
    }

    @Test func modelOutputsDoNotDependOnTheBatchSize() throws {
        let labels = [0, 1, 2, 3, 4, 5, 6, 10]
        let whole = try pipeline.model(latents, timesteps: timesteps, classLabels: labels)
        for size in 1...7 {
            let chunks = try stride(from: 0, to: 8, by: size).map { start in
                let items = start..<min(8, start + size)
                return try pipeline.model(latents.batchItems(items), timesteps: Array(timesteps[items]),
                                          classLabels: Array(labels[items]))
            }
            #expect(Tensor.concatenatingBatches(chunks).maxAbsDifference(whole) == 0, "batches of \(size)")
        }
    }

    @Test func denoisedGroupsDoNotDependOnTheSliceTheyAreIn() throws {
        let whole = try denoiser.denoise(latents, timesteps: timesteps)
        for parts in [2, 3, 4] {
            let sliced = try nearEqualSlices(of: 4, parts: parts).map { groups in
                let items = 2 * groups.lowerBound..<2 * groups.upperBound
                return try denoiser.denoise(latents.batchItems(items), timesteps: Array(timesteps[items]))
            }
            #expect(Tensor.concatenatingBatches(sliced).maxAbsDifference(whole) == 0, "\(parts) slices")
        }
    }

    @Test func guidanceBranchesSplitAnywhereGiveTheSameOutput() throws {
        let whole = try denoiser.denoise(latents, timesteps: timesteps)
        for parts in [2, 3, 5] {
            let items = nearEqualSlices(of: 2 * latents.batchSize, parts: parts)
            let outputs = try items.map { try denoiser.networkOutputs(latents, timesteps: timesteps, items: $0) }
            #expect(try denoiser.combining(Tensor.concatenatingBatches(outputs)).maxAbsDifference(whole) == 0,
                    "\(parts) slices")
        }
    }
}
