import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseTensors
import Testing

/// Textual inversion equal to diffusers' `load_textual_inversion` (Tools/fixtures/make_textual_inversion_fixtures.py):
/// a one-vector embedding in diffusers' format and a three-vector one in the A1111 web UI's, in a prompt and a
/// negative prompt.
struct TextualInversionTests {
    static let folder = StableDiffusionFixtures.root.appendingPathComponent("embeddings", isDirectory: true)

    static func embeddings() throws -> [TextualInversion] {
        try [TextualInversion(file: folder.appendingPathComponent("cat-toy.safetensors")),
             TextualInversion(file: folder.appendingPathComponent("my-style.safetensors"))]
    }

    @Test func embeddingsAreNamedAsDiffusersAndTheWebUINameThem() throws {
        let embeddings = try Self.embeddings()
        #expect(embeddings.map(\.token) == ["<cat-toy>", "my-style"])
        #expect(embeddings.map(\.vectors.shape) == [[1, 24], [3, 24]])
        #expect(embeddings[1].tokens == ["my-style", "my-style_1", "my-style_2"])
        let renamed = try TextualInversion(file: Self.folder.appendingPathComponent("my-style.safetensors"), token: "<s>")
        #expect(renamed.tokens == ["<s>", "<s>_1", "<s>_2"])
    }

    @Test func promptsWithTheirTokensMatchDiffusers() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline).loading(Self.embeddings())
        let ids = pipeline.promptEncoder.tokenizer.tokenize("a <cat-toy> in my-style my-style_1 my-style_2").ids
        #expect(Array(ids.prefix(8)) == [49406, 320, 49408, 530, 49409, 49410, 49411, 49407])
        let configuration = StableDiffusionPipeline.Configuration(
            prompts: ["a photo of a <cat-toy> in my-style"], negativePrompts: ["my-style"], imagesPerPrompt: 2,
            guidanceScale: 7.5, width: 32, height: 32, steps: 10, seed: 0)
        let output = try pipeline.textToImage(configuration)
        let expected = try StableDiffusionFixtures.reference("textual-inversion").tensor(named: "latents")
        #expect(output.latents.maxAbsDifference(expected) <= 1e-3 * max(1, expected.maxAbs))
    }

    @Test func aTokenTheTokenizerHasOrAPickleFileIsRefused() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        #expect {
            _ = try pipeline.loading([TextualInversion(token: "cat", vectors: Tensor(zeros: [1, 24]))])
        } throws: { error in
            "\(error)".contains("'cat' is already a token of this tokenizer")
        }
        #expect(throws: TextualInversionError.notSafetensors(URL(fileURLWithPath: "/x/style.pt"))) {
            _ = try TextualInversion(file: URL(fileURLWithPath: "/x/style.pt"))
        }
        #expect {
            _ = try pipeline.loading([TextualInversion(token: "<wide>", vectors: Tensor(zeros: [1, 32]))])
        } throws: { error in
            "\(error)".contains("is not [k, 24]")
        }
    }
}
