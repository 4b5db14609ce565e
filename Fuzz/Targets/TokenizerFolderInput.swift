import Foundation

/// One fuzz input as the files of a tokenizer folder: the bytes split at each pair of NUL bytes into
/// `vocab.json`, `merges.txt`, `tokenizer_config.json`, `special_tokens_map.json` and `added_tokens.json`, in that
/// order; a file without a part is absent. Written into one folder per process, replaced for each input.
struct TokenizerFolderInput {
    static let fileNames = ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json",
                            "added_tokens.json"]
    static let separator = Data([0, 0])

    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("paradiffuse-fuzz-tokenizer-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes the parts of `data` and returns the folder.
    static func write(_ data: Data) throws -> URL {
        var parts: [Data] = []
        var rest = data[...]
        while parts.count < fileNames.count - 1, let range = rest.range(of: separator) {
            parts.append(Data(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(Data(rest))
        for (index, name) in fileNames.enumerated() {
            let url = folder.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: url)
            if index < parts.count { try parts[index].write(to: url) }
        }
        return folder
    }

    /// The parts joined as `write` splits them: for building seed inputs from real tokenizer folders.
    static func joining(_ files: [Data]) -> Data {
        files.dropFirst().reduce(files.first ?? Data()) { $0 + separator + $1 }
    }
}
