import ArgumentParser
import Foundation
import Paradiffuse

/// `--embedding`: textual-inversion embeddings for Stable Diffusion models, as diffusers'
/// `load_textual_inversion` and the A1111 web UI's embeddings folder take them.
struct EmbeddingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A textual-inversion embedding (.safetensors: diffusers' one tensor named by its "
                               + "token, or the web UI's emb_params named by the file); repeat for several.",
                               valueName: "file.safetensors"))
    var embedding: [String] = []

    @Option(help: ArgumentHelp("The token prompts use for the one --embedding (default: the one the file names).",
                               valueName: "token"))
    var token: String?

    func validate() throws {
        if token != nil, embedding.count != 1 {
            throw ValidationError("--token names the token of exactly one --embedding; \(embedding.count) given")
        }
    }

    /// The embeddings, read.
    func embeddings() throws -> [TextualInversion] {
        try embedding.map { try TextualInversion(file: URL(fileURLWithPath: $0), token: token) }
    }
}
