import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import Testing

struct UNet2DModelTests {
    @Test(arguments: ["attention", "plain-scale-shift", "fourier"])
    func forwardPassMatchesDiffusers(fixture: String) throws {
        let folder = FixturePaths.unet(fixture)
        let model = try UNet2DModel(componentFolder: folder)
        let reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let sample = try reference.tensor(named: "sample")
        let timesteps = try reference.tensor(named: "timestep").scalars
        let classes = reference.contains("class_labels")
            ? try reference.tensor(named: "class_labels").scalars : nil
        let expected = try reference.tensor(named: "output")

        let output = try model(sample, timesteps: timesteps, classLabels: classes)

        #expect(output.shape == expected.shape)
        #expect(output.maxAbsDifference(expected) <= 1e-4 * max(1, expected.maxAbs))
    }

    @Test func weightOfWrongShapeIsNamedInTheError() throws {
        let folder = FixturePaths.unet("attention")
        var configuration = try UNet2DConfiguration.read(from: folder.appendingPathComponent("config.json"))
        configuration.blockOutChannels = configuration.blockOutChannels.map { $0 * 2 }
        let store = try WeightStore(componentFolder: folder)
        #expect {
            _ = try UNet2DModel(configuration: configuration, weights: ModelWeights(store))
        } throws: { error in
            "\(error)".contains("conv_in.weight") && "\(error)".contains("diffusion_pytorch_model.safetensors")
        }
    }

    @Test func missingWeightIsNamedInTheError() throws {
        let folder = FixturePaths.unet("attention")
        let configuration = try UNet2DConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder)
        let weights = ModelWeights(source: store.url.path) { name in
            name == "conv_out.bias" ? nil : try store.tensor(named: name)
        }
        #expect {
            _ = try UNet2DModel(configuration: configuration, weights: weights)
        } throws: { error in
            "\(error)" == "weight 'conv_out.bias' is missing from \(store.url.path)"
        }
    }

    @Test func unsupportedBlockTypeIsRejectedNamingTheKey() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("unet-config-\(UUID()).json")
        try #"{"down_block_types": ["SkipDownBlock2D"], "up_block_types": ["UpBlock2D"], "block_out_channels": [32]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try UNet2DConfiguration.read(from: file)
        } throws: { error in
            "\(error)".contains("down_block_types") && "\(error)".contains("SkipDownBlock2D") && "\(error)".contains(file.path)
        }
    }

    @Test func sampleSizeNotDivisibleByTheDownsamplingIsRejected() throws {
        let model = try UNet2DModel(componentFolder: FixturePaths.unet("attention"))
        let channels = model.configuration.inChannels
        #expect(throws: ModelError.self) {
            _ = try model(Tensor(zeros: [1, channels, 7, 8]), timesteps: [1])
        }
    }
}
