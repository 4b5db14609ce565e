import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// The class names of a class-conditional pipeline, from `id2label` in its `model_index.json` (DiT folders hold the
/// ImageNet names there: `"207": "golden retriever"`). As in diffusers' DiTPipeline, each comma-separated synonym
/// of an entry names its class.
public struct ClassLabelNames: Sendable, Equatable {
    /// Class index of every name.
    public let indices: [String: Int]

    public init(indices: [String: Int] = [:]) { self.indices = indices }

    /// The names of `model_index.json`'s `id2label`, or none when the file has no such table.
    public init(modelIndex: ModelIndex) throws {
        let url = modelIndex.url
        guard let table = modelIndex.config.values["id2label"], table != .null else {
            self.init()
            return
        }
        guard case .object(let entries) = table else {
            throw LoadingError.invalidConfigValue(url, key: "id2label", reason: "expected an object of class names")
        }
        var indices: [String: Int] = [:]
        for (key, value) in entries {
            guard let index = Int(key), case .string(let names) = value else {
                throw LoadingError.invalidConfigValue(url, key: "id2label", reason:
                    "entry '\(key)' is not a class index with a string of names")
            }
            for name in names.split(separator: ",") {
                indices[name.trimmingCharacters(in: .whitespaces)] = index
            }
        }
        self.init(indices: indices)
    }

    /// The class index of `name`.
    public func index(of name: String) throws -> Int {
        guard let index = indices[name] else { throw ClassLabelError.unknownName(name, known: indices.keys.sorted()) }
        return index
    }
}

public enum ClassLabelError: Error, Equatable, DescribedError {
    case unknownName(String, known: [String])

    public var description: String {
        switch self {
        case let .unknownName(name, known) where known.isEmpty:
            "--class '\(name)' is not a class number, and the model folder has no class names (id2label)"
        case let .unknownName(name, known):
            "--class '\(name)' is not a class name of the model folder; its \(known.count) names include "
                + known.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        }
    }
}
