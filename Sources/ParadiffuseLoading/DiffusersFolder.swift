import Foundation

/// A model folder in diffusers' layout: a pipeline with `model_index.json` and one subfolder per component,
/// or a single component folder with its own `config.json` (e.g. a bare UNet).
public struct DiffusersFolder: Sendable {
    public enum Kind: Sendable {
        case pipeline(ModelIndex)
        /// A single component; its config (e.g. `_class_name` "UNet2DModel").
        case component(JSONConfig)
    }

    public let url: URL
    public let kind: Kind

    public init(url: URL) throws {
        self.url = url
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw LoadingError.noSuchModelFolder(url)
        }
        guard isFolder.boolValue else { throw LoadingError.modelIsAFile(url) }
        let modelIndexURL = url.appendingPathComponent("model_index.json")
        let configURL = url.appendingPathComponent("config.json")
        if FileManager.default.fileExists(atPath: modelIndexURL.path) {
            kind = .pipeline(try ModelIndex(url: modelIndexURL))
        } else if FileManager.default.fileExists(atPath: configURL.path) {
            kind = .component(try JSONConfig(url: configURL))
        } else {
            throw LoadingError.notAModelFolder(url)
        }
    }

    public var modelIndex: ModelIndex? {
        if case let .pipeline(index) = kind { index } else { nil }
    }

    /// The folder of a component that `model_index.json` lists and that exists on disk.
    public func componentURL(_ name: String) throws -> URL {
        guard let index = modelIndex else {
            throw LoadingError.notAPipelineFolder(url, component: name)
        }
        guard index.components[name] != nil else {
            throw LoadingError.missingComponent(url, component: name, available: index.componentNames)
        }
        let folder = url.appendingPathComponent(name, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadingError.missingComponentFolder(folder, component: name)
        }
        return folder
    }

    /// A component's configuration: `config.json` for models, `scheduler_config.json` for schedulers.
    public func componentConfig(_ name: String) throws -> JSONConfig {
        let folder = try componentURL(name)
        let candidates = ["config.json", "scheduler_config.json"]
        for fileName in candidates {
            let candidate = folder.appendingPathComponent(fileName)
            if FileManager.default.fileExists(atPath: candidate.path) { return try JSONConfig(url: candidate) }
        }
        throw LoadingError.missingConfig(folder: folder, lookedFor: candidates)
    }

    /// A component's weights, optionally of a variant such as "fp16".
    public func componentWeights(_ name: String, variant: String? = nil) throws -> WeightStore {
        try WeightStore(componentFolder: componentURL(name), variant: variant)
    }
}
