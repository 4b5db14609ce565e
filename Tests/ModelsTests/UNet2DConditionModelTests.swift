import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import Testing

struct UNet2DConditionModelTests {
    private func folder(_ name: String) -> URL { FixturePaths.root.appendingPathComponent("unet-condition/\(name)") }

    @Test(arguments: ["sd1", "sd2-inpainting"])
    func forwardPassMatchesDiffusers(fixture: String) throws {
        let model = try UNet2DConditionModel(componentFolder: folder(fixture))
        let reference = try SafetensorsFile(url: folder(fixture).appendingPathComponent("reference.safetensors"))
        let expected = try reference.tensor(named: "output")
        let output = try model(reference.tensor(named: "sample"), timesteps: reference.tensor(named: "timestep").scalars,
                               context: reference.tensor(named: "encoder_hidden_states"))
        #expect(output.shape == expected.shape)
        #expect(output.maxAbsDifference(expected) <= 1e-4 * max(1, expected.maxAbs))
    }

    @Test(arguments: ["sd1", "sd2-inpainting"])
    func latentSidesThatDoNotHalveEvenlyMatchDiffusers(fixture: String) throws {
        let model = try UNet2DConditionModel(componentFolder: folder(fixture))
        let reference = try SafetensorsFile(url: folder(fixture).appendingPathComponent("reference.safetensors"))
        let expected = try reference.tensor(named: "odd_output")
        let output = try model(reference.tensor(named: "odd_sample"),
                               timesteps: [reference.tensor(named: "timestep").scalars[0]],
                               context: reference.tensor(named: "encoder_hidden_states").batchItem(0))
        #expect(output.shape == expected.shape)
        #expect(output.maxAbsDifference(expected) <= 1e-4 * max(1, expected.maxAbs))
    }

    @Test func contextOfTheWrongWidthIsRejected() throws {
        let model = try UNet2DConditionModel(componentFolder: folder("sd1"))
        #expect {
            _ = try model(Tensor(zeros: [1, 4, 16, 16]), timesteps: [1], context: Tensor(zeros: [1, 7, 5]))
        } throws: { error in "\(error)".contains("encoder hidden states") }
    }
}
