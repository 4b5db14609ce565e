import Foundation
import ParadiffuseLoading

/// Reading the files of a tokenizer folder, with errors that name the file (and, for JSON, the place).
enum TokenizerFile {
    static func text(_ url: URL) throws -> String {
        let data = try contents(url)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TokenizerError.unreadableFile(url, reason: "not UTF-8 text")
        }
        return text
    }

    /// The top-level JSON object of a file that must exist.
    static func jsonObject(_ url: URL) throws -> [String: JSONValue] {
        let root: JSONValue
        do {
            root = try JSONValue.parse(contents(url), from: url)
        } catch let LoadingError.invalidJSON(_, reason) {
            throw TokenizerError.unreadableFile(url, reason: reason)
        }
        guard case let .object(object) = root else {
            throw TokenizerError.unreadableFile(url, reason: "expected a JSON object at the top level, found \(root.kindDescription)")
        }
        return object
    }

    /// The top-level JSON object of an optional file, or nil when the file does not exist.
    static func optionalJSONObject(_ url: URL) throws -> [String: JSONValue]? {
        FileManager.default.fileExists(atPath: url.path) ? try jsonObject(url) : nil
    }

    private static func contents(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw TokenizerError.missingFile(url) }
        do {
            return try RegularFile.contents(of: url)
        } catch let LoadingError.unreadableFile(_, reason) {
            throw TokenizerError.unreadableFile(url, reason: reason)
        }
    }
}
