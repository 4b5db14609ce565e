import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import Testing

extension FixturePaths {
    static func clipText(_ name: String) -> URL { root.appendingPathComponent("clip-text").appendingPathComponent(name) }
}

struct CLIPTextModelTests {
    private struct Reference {
        let tokenIDs: [[Int]]
        let file: SafetensorsFile

        init(_ folder: URL) throws {
            file = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
            let ids = try file.tensor(named: "input_ids")
            let length = ids.shape[1]
            tokenIDs = (0..<ids.shape[0]).map { item in ids.scalars[item * length..<(item + 1) * length].map { Int($0) } }
        }

        func expectClose(_ actual: Tensor, to name: String) throws {
            let expected = try file.tensor(named: name)
            #expect(actual.shape == expected.shape, "\(name)")
            #expect(actual.maxAbsDifference(expected) <= 1e-4 * expected.maxAbs, "\(name)")
        }
    }

    /// `quick-gelu`: SD 1.x-like, legacy eos_token_id 2 (pooling at the largest id), weights under `text_model.`;
    /// `gelu`: SD 2.x-like, pooling at the first eos_token_id, weights without the prefix.
    @Test(arguments: ["quick-gelu", "gelu"])
    func forwardPassMatchesTransformers(fixture: String) throws {
        let folder = FixturePaths.clipText(fixture)
        let model = try CLIPTextModel(componentFolder: folder)
        let reference = try Reference(folder)

        let output = try model(reference.tokenIDs)

        try reference.expectClose(output.lastHiddenState, to: "last_hidden_state")
        try reference.expectClose(output.pooledOutput, to: "pooled_output")
        #expect(output.hiddenStates.count == model.configuration.layerCount + 1)
        for (index, hidden) in output.hiddenStates.enumerated() {
            try reference.expectClose(hidden, to: "hidden_states.\(index)")
        }
    }

    @Test(arguments: ["quick-gelu", "gelu"])
    func clipSkipNormalizesAnEarlierLayerAsDiffusersDoes(fixture: String) throws {
        let folder = FixturePaths.clipText(fixture)
        let model = try CLIPTextModel(componentFolder: folder)
        let reference = try Reference(folder)
        let output = try model(reference.tokenIDs)

        try reference.expectClose(model.promptEmbeddings(output, clipSkip: 1), to: "clip_skip_1")
        try reference.expectClose(model.promptEmbeddings(output, clipSkip: 0), to: "last_hidden_state")
        #expect(try model.promptEmbeddings(output, clipSkip: nil).scalars == output.lastHiddenState.scalars)
        #expect(throws: ModelError.self) { try model.promptEmbeddings(output, clipSkip: model.configuration.layerCount + 1) }
    }

    @Test func weightOfWrongShapeIsNamedInTheError() throws {
        let folder = FixturePaths.clipText("quick-gelu")
        var configuration = try CLIPTextConfiguration.read(from: folder.appendingPathComponent("config.json"))
        configuration.intermediateSize += 3
        let store = try WeightStore(componentFolder: folder)
        #expect {
            _ = try CLIPTextModel(configuration: configuration, weights: ModelWeights(store))
        } throws: { error in
            "\(error)".contains("text_model.encoder.layers.0.mlp.fc1.weight") && "\(error)".contains(store.url.path)
        }
    }

    @Test func missingWeightIsNamedInTheError() throws {
        let folder = FixturePaths.clipText("gelu")
        let configuration = try CLIPTextConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder)
        let weights = ModelWeights(source: store.url.path) { name in
            store.contains(name) && name != "encoder.layers.1.self_attn.v_proj.bias" ? try store.tensor(named: name) : nil
        }
        #expect {
            _ = try CLIPTextModel(configuration: configuration, weights: weights)
        } throws: { error in
            "\(error)" == "weight 'encoder.layers.1.self_attn.v_proj.bias' is missing from \(store.url.path)"
        }
    }

    @Test func tokenIDsOutsideTheVocabularyAreRejected() throws {
        let model = try CLIPTextModel(componentFolder: FixturePaths.clipText("gelu"))
        #expect(model.configuration.vocabularySize == 1000)
        for badID in [1000, -1] {
            #expect {
                _ = try model([[996, 5, 997], [996, badID, 997]])
            } throws: { error in
                "\(error)" == "tokenIDs: token id \(badID) (sequence 1, position 1) is outside the vocabulary 0..<1000 (vocab_size)"
            }
        }
    }

    @Test func sequencesLongerThanThePositionTableOrOfUnequalLengthAreRejected() throws {
        let model = try CLIPTextModel(componentFolder: FixturePaths.clipText("gelu"))
        #expect {
            _ = try model([Array(repeating: 5, count: 78)])
        } throws: { error in
            "\(error)".contains("78 tokens") && "\(error)".contains("max_position_embeddings 77")
        }
        #expect {
            _ = try model([[996, 997], [996, 5, 997]])
        } throws: { error in
            "\(error)".contains("sequence 1 has 3 tokens")
        }
        #expect(throws: ModelError.self) { _ = try model([]) }
    }

    @Test func unsupportedActivationIsRejectedNamingFileAndKey() throws {
        let file = try temporaryConfig(#"{"hidden_act": "relu", "hidden_size": 32, "num_attention_heads": 4}"#)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try CLIPTextConfiguration.read(from: file)
        } throws: { error in
            "\(error)" == "\(file.path): 'hidden_act' is 'relu'; supported: quick_gelu, gelu"
        }
    }

    @Test func headCountThatDoesNotDivideTheWidthIsRejected() throws {
        let file = try temporaryConfig(#"{"hidden_size": 30, "num_attention_heads": 4}"#)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try CLIPTextConfiguration.read(from: file)
        } throws: { error in
            "\(error)".contains("num_attention_heads") && "\(error)".contains(file.path)
        }
    }

    @Test func absentKeysTakeCLIPTextConfigDefaults() throws {
        let file = try temporaryConfig(#"{"hidden_act": "gelu", "layer_norm_eps": null}"#)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try CLIPTextConfiguration.read(from: file)
        var expected = CLIPTextConfiguration()
        expected.hiddenActivation = "gelu"
        #expect(configuration == expected)
        #expect(expected.vocabularySize == 49408 && expected.hiddenSize == 512 && expected.layerCount == 12
                && expected.endOfSequenceTokenID == 49407 && expected.layerNormEpsilon == 1e-5)
    }

    private func temporaryConfig(_ json: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("clip-config-\(UUID()).json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
