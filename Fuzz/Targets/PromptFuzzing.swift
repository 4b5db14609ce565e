import Foundation
import ParadiffuseTokenizers

enum PromptFuzzing {
    /// Stable Diffusion 1.x's CLIP tokenizer, from the test fixtures; the process ends when they are missing.
    static let tokenizer: CLIPTokenizer = {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/clip-tokenizer", isDirectory: true)
        do {
            return try CLIPTokenizer(folder: folder)
        } catch {
            FileHandle.standardError.write(Data("fuzz target prompt: cannot load \(folder.path): \(error)\n".utf8))
            exit(2)
        }
    }()

    /// Tokenizes the input as text (invalid UTF-8 replaced, as a prompt read from a file would be), cut to 77
    /// and to 8 tokens, and decodes the ids again; the input's bytes are also decoded as ids.
    static func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        _ = tokenizer.decode(tokenizer.tokenize(text).ids)
        _ = tokenizer.tokenize(text, length: 8).truncatedText
        _ = tokenizer.decode(tokenizer.encode(text))
        let bytes = [UInt8](data)
        _ = tokenizer.decode(stride(from: 0, to: bytes.count - 1, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) })
    }
}
