import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import Testing

/// Each fixture model loaded in a reduced number format (`--precision bf16` — which runs as `bf16-weights` on CPUs
/// without bfloat16 arithmetic —, `bf16-weights`, `--quantize int8` with float32 or bfloat16 activations) against
/// diffusers' (and transformers') float32 outputs.
struct ReducedPrecisionModelTests {
    struct NumberFormat: CustomTestStringConvertible, Sendable {
        let precision: Precision
        let quantization: Quantization
        let tolerance: OutputDeviation.Tolerance

        static let all = [
            NumberFormat(precision: .bfloat16, quantization: .none, tolerance: .bfloat16),
            NumberFormat(precision: .bfloat16Weights, quantization: .none, tolerance: .bfloat16),
            NumberFormat(precision: .float32, quantization: .int8, tolerance: .int8Here),
            NumberFormat(precision: .bfloat16, quantization: .int8, tolerance: .int8Here),
        ]

        var testDescription: String {
            quantization == .none ? precision.rawValue : "\(quantization.rawValue) + \(precision.rawValue)"
        }
    }

    @Test(arguments: ["attention", "plain-scale-shift", "fourier"], NumberFormat.all)
    func unet2DForwardPassIsCloseToDiffusersFloat32(fixture: String, format: NumberFormat) throws {
        let folder = FixturePaths.unet(fixture)
        let model = try UNet2DModel(componentFolder: folder, precision: format.precision,
                                    quantization: format.quantization)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let classes = reference.contains("class_labels")
            ? try reference.tensor(named: "class_labels").scalars : nil
        let output = try model(reference.tensor(named: "sample"), timesteps: reference.tensor(named: "timestep").scalars,
                               classLabels: classes)
        let deviation = OutputDeviation(output, from: try reference.tensor(named: "output"),
                                        tolerance: format.tolerance)
        #expect(output.dtype == .float32)
        #expect(deviation.isWithinTolerance, "\(fixture) \(format): \(deviation)")
    }

    @Test(arguments: ["sd1", "sd2-inpainting"], NumberFormat.all)
    func unet2DConditionForwardPassIsCloseToDiffusersFloat32(fixture: String, format: NumberFormat) throws {
        let folder = FixturePaths.root.appendingPathComponent("unet-condition/\(fixture)")
        let model = try UNet2DConditionModel(componentFolder: folder, precision: format.precision,
                                             quantization: format.quantization)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let output = try model(reference.tensor(named: "sample"), timesteps: reference.tensor(named: "timestep").scalars,
                               context: reference.tensor(named: "encoder_hidden_states"))
        let deviation = OutputDeviation(output, from: try reference.tensor(named: "output"),
                                        tolerance: format.tolerance)
        #expect(deviation.isWithinTolerance, "\(fixture) \(format): \(deviation)")
    }

    @Test(arguments: ["two-level", "three-level"], NumberFormat.all)
    func autoencoderIsCloseToDiffusersFloat32(fixture: String, format: NumberFormat) throws {
        let folder = FixturePaths.vae(fixture)
        let model = try AutoencoderKL(componentFolder: folder, precision: format.precision,
                                      quantization: format.quantization)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let encoded = try model.encode(reference.tensor(named: "images")).mean
        let decoded = try model.decode(reference.tensor(named: "latents"))
        let encoding = OutputDeviation(encoded, from: try reference.tensor(named: "mean"), tolerance: format.tolerance)
        let decoding = OutputDeviation(decoded, from: try reference.tensor(named: "decoded"),
                                       tolerance: format.tolerance)
        #expect(encoding.isWithinTolerance, "\(fixture) \(format) encoding: \(encoding)")
        #expect(decoding.isWithinTolerance, "\(fixture) \(format) decoding: \(decoding)")
    }

    @Test(arguments: ["quick-gelu", "gelu"], NumberFormat.all)
    func clipTextEncoderIsCloseToTransformersFloat32(fixture: String, format: NumberFormat) throws {
        let folder = FixturePaths.clipText(fixture)
        let model = try CLIPTextModel(componentFolder: folder, precision: format.precision,
                                      quantization: format.quantization)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let ids = try reference.tensor(named: "input_ids")
        let length = ids.shape[1]
        let tokenIDs = (0..<ids.shape[0]).map { item in ids.scalars[item * length..<(item + 1) * length].map { Int($0) } }
        let output = try model(tokenIDs)
        let deviation = OutputDeviation(output.lastHiddenState,
                                        from: try reference.tensor(named: "last_hidden_state"), tolerance: format.tolerance)
        #expect(deviation.isWithinTolerance, "\(fixture) \(format): \(deviation)")
    }
}
