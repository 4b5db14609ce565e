import Foundation

/// Reading the files of a tokenizer folder, with errors that name the file.
enum TokenizerFile {
    static func text(_ url: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: url.path) else { throw TokenizerError.missingFile(url) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(url, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.unreadableFile(url, reason: "not UTF-8 text")
        }
        return text
    }

    /// The top-level JSON object of a file that must exist.
    static func jsonObject(_ url: URL) throws -> [String: Any] {
        let text = try text(url)
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw TokenizerError.unreadableFile(url, reason: "invalid JSON (\(error.localizedDescription))")
        }
        guard let object = root as? [String: Any] else {
            throw TokenizerError.unreadableFile(url, reason: "expected a JSON object at the top level")
        }
        return object
    }

    /// The top-level JSON object of an optional file, or nil when the file does not exist.
    static func optionalJSONObject(_ url: URL) throws -> [String: Any]? {
        FileManager.default.fileExists(atPath: url.path) ? try jsonObject(url) : nil
    }
}
