import Foundation
import Loading
import Models
import Tensors
import Testing

/// Each fixture model loaded with `--precision bf16` against diffusers' (and transformers') float32 outputs.
struct BFloat16ModelTests {
    @Test(arguments: ["attention", "plain-scale-shift", "fourier"])
    func unet2DForwardPassIsCloseToDiffusersFloat32(fixture: String) throws {
        let folder = FixturePaths.unet(fixture)
        let model = try UNet2DModel(componentFolder: folder, precision: .bfloat16)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let classes = reference.contains("class_labels")
            ? try reference.tensor(named: "class_labels").scalars : nil
        let output = try model(reference.tensor(named: "sample"), timesteps: reference.tensor(named: "timestep").scalars,
                               classLabels: classes)
        let deviation = OutputDeviation(output, from: try reference.tensor(named: "output"), tolerance: .bfloat16)
        #expect(output.dtype == .float32)
        #expect(deviation.isWithinTolerance, "\(fixture): \(deviation)")
    }

    @Test(arguments: ["sd1", "sd2-inpainting"])
    func unet2DConditionForwardPassIsCloseToDiffusersFloat32(fixture: String) throws {
        let folder = FixturePaths.root.appendingPathComponent("unet-condition/\(fixture)")
        let model = try UNet2DConditionModel(componentFolder: folder, precision: .bfloat16)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let output = try model(reference.tensor(named: "sample"), timesteps: reference.tensor(named: "timestep").scalars,
                               context: reference.tensor(named: "encoder_hidden_states"))
        let deviation = OutputDeviation(output, from: try reference.tensor(named: "output"), tolerance: .bfloat16)
        #expect(deviation.isWithinTolerance, "\(fixture): \(deviation)")
    }

    @Test(arguments: ["two-level", "three-level"])
    func autoencoderIsCloseToDiffusersFloat32(fixture: String) throws {
        let folder = FixturePaths.vae(fixture)
        let model = try AutoencoderKL(componentFolder: folder, precision: .bfloat16)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let encoded = try model.encode(reference.tensor(named: "images")).mean
        let decoded = try model.decode(reference.tensor(named: "latents"))
        let encoding = OutputDeviation(encoded, from: try reference.tensor(named: "mean"), tolerance: .bfloat16)
        let decoding = OutputDeviation(decoded, from: try reference.tensor(named: "decoded"), tolerance: .bfloat16)
        #expect(encoding.isWithinTolerance, "\(fixture) encoding: \(encoding)")
        #expect(decoding.isWithinTolerance, "\(fixture) decoding: \(decoding)")
    }

    @Test(arguments: ["quick-gelu", "gelu"])
    func clipTextEncoderIsCloseToTransformersFloat32(fixture: String) throws {
        let folder = FixturePaths.clipText(fixture)
        let model = try CLIPTextModel(componentFolder: folder, precision: .bfloat16)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let ids = try reference.tensor(named: "input_ids")
        let length = ids.shape[1]
        let tokenIDs = (0..<ids.shape[0]).map { item in ids.scalars[item * length..<(item + 1) * length].map { Int($0) } }
        let output = try model(tokenIDs)
        let deviation = OutputDeviation(output.lastHiddenState,
                                        from: try reference.tensor(named: "last_hidden_state"), tolerance: .bfloat16)
        #expect(deviation.isWithinTolerance, "\(fixture): \(deviation)")
    }
}
