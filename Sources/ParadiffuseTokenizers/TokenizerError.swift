import Foundation
import ParadiffuseTensors

/// A problem with a tokenizer folder's files. Every message names the file at fault.
public enum TokenizerError: Error, Equatable, DescribedError {
    case missingFile(URL)
    case unreadableFile(URL, reason: String)
    case invalidVocabulary(URL, reason: String)
    case invalidMerge(URL, line: Int, reason: String)
    case invalidConfiguration(URL, key: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(url):
            "tokenizer file \(url.path) does not exist"
        case let .unreadableFile(url, reason):
            "cannot read tokenizer file \(url.path): \(reason)"
        case let .invalidVocabulary(url, reason):
            "\(url.path) is not a byte-level BPE vocabulary: \(reason)"
        case let .invalidMerge(url, line, reason):
            "\(url.path), line \(line): \(reason)"
        case let .invalidConfiguration(url, key, reason):
            "\(url.path): key '\(key)': \(reason)"
        }
    }
}
