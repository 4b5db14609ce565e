import ParadiffuseDistributed
import ParadiffusePipelines
import ParadiffuseSamplers
import ParadiffuseTensors
import Testing

/// Runs across K processes give the same bits for every K only if a latent's model output does not depend on the
/// other latents of its batch, since each rank evaluates a different slice. oneDNN's kernels do not promise that
/// (its AVX2 matmul does not keep it), so `DistributedDenoiser` evaluates item by item (`evaluatesItemwise`, on under
/// mpirun): these tests pin that such outputs are the same for every slice and split, on the digits model
/// (UNet2DModel, class-conditional, guidance) with batches of 1 to 8 latents.
struct BatchInvarianceTests {
    let denoiser: GuidedDenoiser<UNet2DNetwork>
    let latents: Tensor
    let timesteps: [Float]

    init() throws {
        let pipeline = try UnconditionalPipeline(folder: DefaultModel.url, precision: .float32)
        denoiser = GuidedDenoiser(
            network: try UNet2DNetwork(model: pipeline.model, images: 2, classLabels: [3, 7], nullClass: 10),
            guidance: ClassifierFreeGuidance(scale: 3, order: .conditionalFirst))
        var generator = TorchGenerator(seed: 5)
        latents = generator.randn([8, pipeline.model.configuration.inChannels, 32, 32])
        timesteps = [999, 999, 700, 700, 400, 400, 37, 37]
    }

    func itemwise(_ split: BatchSplit) throws -> DistributedDenoiser {
        try DistributedDenoiser(local: denoiser, group: SingleProcess(), split: split, evaluatesItemwise: true)
    }

    @Test func denoisedGroupsDoNotDependOnTheSliceTheyAreIn() throws {
        let whole = try itemwise(.window).denoise(latents, timesteps: timesteps)
        for parts in [2, 3, 4] {
            let sliced = try nearEqualSlices(of: 4, parts: parts).map { groups in
                let items = 2 * groups.lowerBound..<2 * groups.upperBound
                return try itemwise(.window).denoise(latents.batchItems(items), timesteps: Array(timesteps[items]))
            }
            #expect(Tensor.concatenatingBatches(sliced).maxAbsDifference(whole) == 0, "\(parts) slices")
        }
    }

    @Test func guidanceBranchesSplitAnywhereGiveTheSameOutput() throws {
        let whole = try itemwise(.window).denoise(latents, timesteps: timesteps)
        #expect(try itemwise(.cfg).denoise(latents, timesteps: timesteps).maxAbsDifference(whole) == 0)
        for parts in [2, 3, 5] {
            let items = nearEqualSlices(of: 2 * latents.batchSize, parts: parts)
            let outputs = try items.map { slice in
                Tensor.concatenatingBatches(try slice.map {
                    try denoiser.networkOutputs(latents, timesteps: timesteps, items: $0..<$0 + 1)
                })
            }
            #expect(try denoiser.combining(Tensor.concatenatingBatches(outputs)).maxAbsDifference(whole) == 0,
                    "\(parts) slices")
        }
    }

    @Test func itemwiseEvaluationStaysCloseToBatchedEvaluation() throws {
        let batched = try denoiser.denoise(latents, timesteps: timesteps)
        let whole = try itemwise(.window).denoise(latents, timesteps: timesteps)
        #expect(whole.maxAbsDifference(batched) <= 1e-4 * batched.maxAbs)
    }
}
