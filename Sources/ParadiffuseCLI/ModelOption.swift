import ArgumentParser
import Foundation
import Paradiffuse

/// `-m/--model`, the folder every command reads: a path, or a Hugging Face repository id found in the local hub
/// cache (as diffusers' `from_pretrained` takes either), at `--revision`.
struct ModelOption: ParsableArguments {
    @Option(name: [.customShort("m"), .long],
            help: ArgumentHelp("A diffusers model folder (model_index.json) or component folder (config.json), or a "
                               + "Hugging Face id (org/name) in the local hub cache; default: the model that ships "
                               + "with Paradiffuse.", valueName: "path|id"))
    var model: String?

    @Option(help: ArgumentHelp("With a Hugging Face id: the branch, tag or commit in the cache (default: main).",
                               valueName: "revision"))
    var revision: String?

    func validate() throws {
        if revision != nil, model == nil { throw ValidationError("--revision needs --model with a Hugging Face id") }
    }

    /// The folder given — an existing path as it is, else the hub cache's snapshot of the id — or nil for the
    /// default model.
    func folder() throws -> URL? {
        guard let model else { return nil }
        return try Self.folder(named: model, revision: revision)
    }

    /// An existing path as it is, else the hub cache's snapshot of the id `name` at `revision` (default main).
    static func folder(named name: String, revision: String?,
                       environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        let path = URL(fileURLWithPath: name, isDirectory: true)
        if FileManager.default.fileExists(atPath: path.path) {
            guard revision == nil else { throw ValidationError("--revision applies to Hugging Face ids; \(name) is a folder") }
            return path
        }
        guard HuggingFaceCache.isRepositoryID(name) else { return path }
        return try HuggingFaceCache(environment: environment).snapshot(of: name, revision: revision ?? "main")
    }

    /// The folder given, or the default model's.
    func folderOrDefault() throws -> URL { try folder() ?? DefaultModel.url }

    /// How messages name the model.
    var name: String { model ?? "the default model" }
}
