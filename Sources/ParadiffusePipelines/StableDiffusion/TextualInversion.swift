import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// A textual-inversion embedding (Gal et al. 2022): new token vectors for the text encoder, named by a token that
/// prompts then use. Read from the formats diffusers' `load_textual_inversion` and the A1111 web UI read from
/// safetensors files: diffusers' one tensor named by its token, or the web UI's `emb_params` named by the file.
public struct TextualInversion: Sendable {
    /// The token prompts use; with several vectors, its further tokens are `<token>_1`, `<token>_2`, … as in diffusers.
    public let token: String
    /// `[k, hidden_size]`, one row per vector.
    public let vectors: Tensor

    public init(token: String, vectors: Tensor) {
        self.token = token
        self.vectors = vectors
    }

    /// Reads `file`; `token` replaces the token the file names (its tensor's name, or for `emb_params` the file's
    /// name without extension, as the web UI names it). Pickle files (`.pt`, `.bin`, `.ckpt`) are refused: reading
    /// them can run code.
    public init(file: URL, token: String? = nil) throws {
        guard file.pathExtension.lowercased() == "safetensors" else {
            throw TextualInversionError.notSafetensors(file)
        }
        let contents = try SafetensorsFile(url: file)
        let names = contents.tensorNames
        let name = names.contains("emb_params") ? "emb_params" : names.count == 1 ? names[0] : nil
        guard let name else { throw TextualInversionError.unknownLayout(file, tensors: names) }
        let tensor = try contents.tensor(named: name)
        guard (1...2).contains(tensor.rank), tensor.count > 0 else {
            throw TextualInversionError.invalidShape(file, tensor: name, shape: tensor.shape)
        }
        let named = token ?? (name == "emb_params" ? file.deletingPathExtension().lastPathComponent : name)
        guard !named.isEmpty, !named.contains(where: \.isWhitespace) else {
            throw TextualInversionError.invalidToken(file, token: named)
        }
        self.init(token: named, vectors: tensor.rank == 1 ? tensor.reshaped([1, tensor.count]) : tensor)
    }

    /// The tokens of the vectors, in order: the token, then `<token>_1`, `<token>_2`, …
    public var tokens: [String] { [token] + (1..<max(vectors.batchSize, 1)).map { "\(token)_\($0)" } }
}

/// A textual-inversion file that cannot be used.
public enum TextualInversionError: Error, Equatable, DescribedError {
    case notSafetensors(URL)
    case unknownLayout(URL, tensors: [String])
    case invalidShape(URL, tensor: String, shape: [Int])
    case invalidToken(URL, token: String)

    public var description: String {
        switch self {
        case .notSafetensors(let url):
            "\(url.path): textual-inversion embeddings are read from .safetensors files only; pickle files (.pt, "
                + ".bin, .ckpt) can run code when read — convert it to safetensors"
        case let .unknownLayout(url, tensors):
            "\(url.path) is not a textual-inversion embedding: expected one tensor named by its token, or "
                + "'emb_params'; it holds \(tensors.joined(separator: ", "))"
        case let .invalidShape(url, tensor, shape):
            "\(url.path): tensor '\(tensor)' has shape \(shape); an embedding is [hidden_size] or [vectors, hidden_size]"
        case let .invalidToken(url, token):
            "\(url.path): '\(token)' cannot be a token (empty or with spaces); choose one with --token"
        }
    }
}
