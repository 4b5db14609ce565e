import Foundation
import ParadiffuseLoading

/// A configuration read key by key from a `JSONConfig`, as diffusers' and transformers' `from_config` do.
public protocol KeyedComponentConfiguration: ComponentConfiguration {
    /// The keys the model reads, not yet checked (see `validate(file:)`).
    init(_ config: JSONConfig) throws
}

extension KeyedComponentConfiguration {
    public static func decode(_ data: Data, from url: URL) throws -> Self {
        try read(JSONConfig(data: data, url: url))
    }

    /// Reads and checks `config`; errors name its file and the key.
    public static func read(_ config: JSONConfig) throws -> Self {
        let configuration = try Self(config)
        try configuration.validate(file: config.url.path)
        return configuration
    }
}
