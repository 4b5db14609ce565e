import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import Testing

/// A UNet2DConditionModel with `time_cond_proj_dim` (Latent Consistency Models): the condition enters the time
/// embedding through `cond_proj`, as in Tools/fixtures/make_lcm_fixtures.py.
struct UNet2DConditionTimeConditionTests {
    private let folder = FixturePaths.root.appendingPathComponent("unet-condition/lcm")

    @Test func forwardPassWithTimestepConditionMatchesDiffusers() throws {
        let model = try UNet2DConditionModel(componentFolder: folder)
        #expect(model.configuration.timeConditionWidth == 8)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let inputs = (sample: try reference.tensor(named: "sample"), timesteps: try reference.tensor(named: "timestep").scalars,
                      context: try reference.tensor(named: "encoder_hidden_states"))
        let expected = try reference.tensor(named: "output")
        let output = try model(inputs.sample, timesteps: inputs.timesteps, context: inputs.context,
                               timestepCondition: reference.tensor(named: "timestep_cond"))
        #expect(output.maxAbsDifference(expected) <= 1e-4 * max(1, expected.maxAbs))
        // diffusers skips cond_proj without a condition; the condition moves the output well beyond the tolerance.
        let unconditioned = try reference.tensor(named: "output_without_cond")
        let withoutCondition = try model(inputs.sample, timesteps: inputs.timesteps, context: inputs.context)
        #expect(withoutCondition.maxAbsDifference(unconditioned) <= 1e-4 * max(1, unconditioned.maxAbs))
        #expect(expected.maxAbsDifference(unconditioned) > 1e-2)
    }

    @Test func timestepConditionOfTheWrongWidthIsRejected() throws {
        let model = try UNet2DConditionModel(componentFolder: folder)
        #expect {
            _ = try model(Tensor(zeros: [1, 4, 16, 16]), timesteps: [1], context: Tensor(zeros: [1, 7, 24]),
                          timestepCondition: Tensor(zeros: [1, 5]))
        } throws: { error in "\(error)".contains("timestep_cond") && "\(error)".contains("[1, 8]") }
    }

    @Test func timestepConditionForAUNetWithoutConditionProjectionIsRejected() throws {
        let model = try UNet2DConditionModel(componentFolder: FixturePaths.root.appendingPathComponent("unet-condition/sd1"))
        #expect {
            _ = try model(Tensor(zeros: [1, 4, 16, 16]), timesteps: [1], context: Tensor(zeros: [1, 7, 24]),
                          timestepCondition: Tensor(zeros: [1, 8]))
        } throws: { error in "\(error)".contains("time_cond_proj_dim") }
    }
}
