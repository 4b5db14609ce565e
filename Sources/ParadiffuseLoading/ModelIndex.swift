import Foundation

/// A pipeline's `model_index.json`: its class, and the library and class of each component folder.
public struct ModelIndex: Sendable {
    public struct Component: Sendable, Equatable {
        public let name: String
        /// "diffusers", "transformers", ...
        public let library: String
        public let className: String
    }

    /// The whole file, for pipeline options such as `requires_safety_checker`.
    public let config: JSONConfig
    public let className: String
    public let diffusersVersion: String?
    /// Components by name. Entries set to `[null, null]` (a component left out, e.g. `safety_checker`) are absent.
    public let components: [String: Component]

    public var url: URL { config.url }
    public var componentNames: [String] { components.keys.sorted() }

    public init(url: URL) throws {
        config = try JSONConfig(url: url)
        className = try config.value("_class_name")
        diffusersVersion = try config.optionalValue("_diffusers_version")
        var components: [String: Component] = [:]
        for (name, value) in config.values where !name.hasPrefix("_") {
            if let pair = [String](json: value), pair.count == 2 {
                components[name] = Component(name: name, library: pair[0], className: pair[1])
            }
        }
        self.components = components
    }
}
