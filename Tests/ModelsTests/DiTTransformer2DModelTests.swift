import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import Testing

struct DiTTransformer2DModelTests {
    static let pipeline = FixturePaths.root.appendingPathComponent("dit/pipeline")
    static let transformer = pipeline.appendingPathComponent("transformer")
    static let legacy = FixturePaths.root.appendingPathComponent("dit/legacy")

    private func expectMatch(_ output: Tensor, _ expected: Tensor) {
        #expect(output.shape == expected.shape)
        #expect(output.maxAbsDifference(expected) <= 1e-4 * max(1, expected.maxAbs))
    }

    @Test func forwardPassWithLearnedSigmaMatchesDiffusers() throws {
        let model = try DiTTransformer2DModel(componentFolder: Self.transformer)
        let reference = try SafetensorsFile(url: Self.transformer.appendingPathComponent("reference.safetensors"))
        let output = try model(reference.tensor(named: "sample"), timesteps: reference.tensor(named: "timestep").scalars,
                               classLabels: reference.tensor(named: "class_labels").scalars.map { Int($0) })
        #expect(model.configuration.learnsSigma)
        #expect(model.configuration.nullClass == 1000)
        expectMatch(output, try reference.tensor(named: "output"))
    }

    @Test func inputLargerThanTrainingSizeRecomputesPositionsAsDiffusers() throws {
        let model = try DiTTransformer2DModel(componentFolder: Self.transformer)
        let reference = try SafetensorsFile(url: Self.transformer.appendingPathComponent("reference.safetensors"))
        let output = try model(reference.tensor(named: "large_sample"),
                               timesteps: reference.tensor(named: "large_timestep").scalars,
                               classLabels: reference.tensor(named: "large_class_labels").scalars.map { Int($0) })
        expectMatch(output, try reference.tensor(named: "large_output"))
    }

    @Test func legacyTransformer2DModelFolderLoadsAsDiT() throws {
        let model = try DiTTransformer2DModel(componentFolder: Self.legacy)
        let reference = try SafetensorsFile(url: Self.legacy.appendingPathComponent("reference.safetensors"))
        let output = try model(reference.tensor(named: "sample"), timesteps: reference.tensor(named: "timestep").scalars,
                               classLabels: reference.tensor(named: "class_labels").scalars.map { Int($0) })
        #expect(!model.configuration.learnsSigma)
        expectMatch(output, try reference.tensor(named: "output"))
    }

    private func configuration(_ json: String) throws -> DiTTransformer2DConfiguration {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dit-config-\(UUID()).json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try DiTTransformer2DConfiguration.read(from: file)
    }

    @Test func patchSizeNotDividingSampleSizeIsRejected() throws {
        #expect {
            _ = try configuration(#"{"_class_name": "DiTTransformer2DModel", "sample_size": 9, "patch_size": 2}"#)
        } throws: { error in
            "\(error)".contains("'patch_size' (2) does not divide sample_size 9")
        }
    }

    @Test func legacyConfigWithoutAdaNormZeroIsRejected() throws {
        #expect {
            _ = try configuration(#"{"_class_name": "Transformer2DModel", "norm_type": "layer_norm", "patch_size": 2}"#)
        } throws: { error in
            "\(error)".contains("norm_type") && "\(error)".contains("layer_norm")
        }
    }

    @Test func missingWeightIsNamedInTheError() throws {
        let configuration = try DiTTransformer2DConfiguration.read(from: Self.transformer.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: Self.transformer)
        let missing = "transformer_blocks.1.norm1.emb.class_embedder.embedding_table.weight"
        let weights = ModelWeights(source: store.url.path) { name in name == missing ? nil : try store.tensor(named: name) }
        #expect {
            _ = try DiTTransformer2DModel(configuration: configuration, weights: weights)
        } throws: { error in
            "\(error)" == "weight '\(missing)' is missing from \(store.url.path)"
        }
    }

    @Test func classOutsideTheTableIsRejected() throws {
        let model = try DiTTransformer2DModel(componentFolder: Self.legacy)
        #expect {
            _ = try model(Tensor(zeros: [1, 4, 8, 8]), timesteps: [1], classLabels: [11])
        } throws: { error in
            "\(error)".contains("class 11 is outside 0..<10")
        }
    }
}
