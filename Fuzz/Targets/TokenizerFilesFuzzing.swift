import Foundation
import ParadiffuseTokenizers

enum TokenizerFilesFuzzing {
    /// Loads the folder the input describes and tokenizes a prompt with special tokens in it.
    static func run(_ data: Data) throws {
        let tokenizer = try CLIPTokenizer(folder: TokenizerFolderInput.write(data))
        let prompt = tokenizer.tokenize("a photo of <|endoftext|> an astronaut riding a horse!", length: 12)
        _ = tokenizer.decode(prompt.ids)
        _ = tokenizer.tokenize("")
    }
}
