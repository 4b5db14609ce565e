import Foundation
import ParadiffuseLoading
import ParadiffuseTensors
import Testing
@testable import ParadiffusePipelines

/// Previews show the x̂₀ a model call predicts: a call on `√ᾱ·x₀ + √(1 − ᾱ)·ε` that returns ε (or v) gives x₀ back,
/// and of a parallel window the group at the smallest timestep.
struct DenoisedEstimateTests {
    static func config(_ values: [String: JSONValue]) -> JSONConfig {
        JSONConfig(values: values, url: URL(fileURLWithPath: "scheduler_config.json"))
    }

    static func noised(_ original: Tensor, _ noise: Tensor, alpha: Float) -> Tensor {
        original.zipMap(noise) { x0, epsilon in alpha.squareRoot() * x0 + (1 - alpha).squareRoot() * epsilon }
    }

    @Test func epsilonPredictionGivesTheCleanSampleBack() throws {
        let estimate = try #require(DenoisedEstimate(schedulerConfig: nil))
        var generator = TorchGenerator(seed: 1)
        let original = generator.randn([2, 3, 4, 4]), noise = generator.randn([2, 3, 4, 4])
        let alpha = estimate.alphasCumprod[600]
        let call = ModelCall(latents: Self.noised(original, noise, alpha: alpha), timesteps: [600, 600], output: noise)
        let denoised = try #require(estimate.denoised(call, imagesPerGroup: 2))
        #expect(denoised.maxAbsDifference(original) <= 1e-4)
    }

    @Test func vPredictionGivesTheCleanSampleBack() throws {
        let estimate = try #require(DenoisedEstimate(schedulerConfig: Self.config([
            "prediction_type": .string("v_prediction"), "beta_schedule": .string("scaled_linear"),
            "beta_start": .number(0.00085), "beta_end": .number(0.012),
        ])))
        var generator = TorchGenerator(seed: 2)
        let original = generator.randn([1, 4, 4, 4]), noise = generator.randn([1, 4, 4, 4])
        let alpha = estimate.alphasCumprod[250]
        let velocity = noise.zipMap(original) { epsilon, x0 in
            alpha.squareRoot() * epsilon - (1 - alpha).squareRoot() * x0
        }
        let call = ModelCall(latents: Self.noised(original, noise, alpha: alpha), timesteps: [250.4], output: velocity)
        let denoised = try #require(estimate.denoised(call, imagesPerGroup: 1))
        #expect(denoised.maxAbsDifference(original) <= 1e-4)
    }

    @Test func ofAWindowTheGroupAtTheSmallestTimestepIsShown() throws {
        let estimate = try #require(DenoisedEstimate(schedulerConfig: nil))
        var generator = TorchGenerator(seed: 3)
        let original = generator.randn([2, 1, 2, 2]), noise = generator.randn([2, 1, 2, 2])
        let late = Self.noised(original, noise, alpha: estimate.alphasCumprod[100])
        let early = generator.randn([2, 1, 2, 2])
        let call = ModelCall(latents: Tensor.concatenatingBatches([early, late]), timesteps: [900, 900, 100, 100],
                             output: Tensor.concatenatingBatches([generator.randn([2, 1, 2, 2]), noise]))
        let denoised = try #require(estimate.denoised(call, imagesPerGroup: 2))
        #expect(denoised.maxAbsDifference(original) <= 1e-4)
        #expect(estimate.denoised(call, imagesPerGroup: 3) == nil)
    }
}
