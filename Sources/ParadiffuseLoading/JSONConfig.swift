import Foundation

/// A JSON configuration file (`config.json`, `scheduler_config.json`, `model_index.json`) read by key.
///
/// As in diffusers' `from_config`, keys nobody asks for are ignored, and a key holding `null` counts as absent.
/// Errors name the file and the key.
public struct JSONConfig: Sendable {
    public let url: URL
    public let values: [String: JSONValue]

    public init(url: URL) throws {
        try self.init(root: JSONValue.read(url), url: url)
    }

    /// The configuration in `data`, the bytes of a file; `url` names it in errors.
    public init(data: Data, url: URL) throws {
        try self.init(root: JSONValue.parse(data, from: url), url: url)
    }

    private init(root: JSONValue, url: URL) throws {
        guard case let .object(values) = root else {
            throw LoadingError.invalidJSON(url, reason: "expected a JSON object, found \(root.kindDescription)")
        }
        self.url = url
        self.values = values
    }

    /// A configuration that is not (only) a file: `values` stand in for the file's, `url` names where they come from.
    public init(values: [String: JSONValue], url: URL) {
        self.url = url
        self.values = values
    }

    /// This configuration with `changes` replacing or adding keys (settings given on the command line).
    public func overriding(_ changes: [String: JSONValue]) -> JSONConfig {
        JSONConfig(values: values.merging(changes) { $1 }, url: url)
    }

    /// `_class_name`, the diffusers or transformers class the file configures.
    public var className: String? { try? optionalValue("_class_name") }

    /// Whether `key` is present with a non-null value.
    public func contains(_ key: String) -> Bool {
        if let value = values[key], value != .null { true } else { false }
    }

    /// The value of a key the file must have.
    public func value<Value: JSONConfigValue>(_ key: String, as type: Value.Type = Value.self) throws -> Value {
        guard let value: Value = try optionalValue(key) else { throw LoadingError.missingConfigKey(url, key: key) }
        return value
    }

    /// The value of `key`, or `defaultValue` when the key is absent or null.
    public func value<Value: JSONConfigValue>(_ key: String, default defaultValue: Value) throws -> Value {
        try optionalValue(key) ?? defaultValue
    }

    /// The value of `key`, or nil when the key is absent or null.
    public func optionalValue<Value: JSONConfigValue>(_ key: String, as type: Value.Type = Value.self) throws -> Value? {
        guard let json = values[key], json != .null else { return nil }
        guard let value = Value(json: json) else {
            throw LoadingError.invalidConfigValue(url, key: key, reason:
                "expected \(Value.expectedDescription), found \(json.kindDescription)")
        }
        return value
    }
}
