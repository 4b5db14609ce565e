import Foundation

/// A parsed JSON document, for files whose keys are not known in advance (safetensors headers, configs).
public enum JSONValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `data`, read from `url`, as strict JSON (`JSONParser`); errors name the file and the place. Python's
    /// `json` writes `Infinity`, `-Infinity` and `NaN` (diffusers saves `"lambda_min_clipped": -Infinity`), so those
    /// are accepted too.
    public static func parse(_ data: Data, from url: URL) throws -> JSONValue {
        do {
            return try JSONParser.parse(data)
        } catch let failure as JSONParser.Failure {
            throw LoadingError.invalidJSON(url, reason: "not valid JSON: \(failure.reason)")
        }
    }

    /// Reads and parses the JSON file at `url`.
    public static func read(_ url: URL) throws -> JSONValue {
        try parse(RegularFile.contents(of: url), from: url)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value):
            if let integer = JSONValue.exactInteger(value) { try container.encode(integer) } else { try container.encode(value) }
        case let .string(value): try container.encode(value)
        case let .array(values): try container.encode(values)
        case let .object(members): try container.encode(members)
        }
    }

    /// The value as an integer, if it is a number without a fractional part.
    public var integer: Int? {
        if case let .number(value) = self { JSONValue.exactInteger(value) } else { nil }
    }

    public var boolean: Bool? {
        if case let .bool(value) = self { value } else { nil }
    }

    /// What kind of value this is, for error messages ("a string", "an array", ...).
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Scalars as JSON writes them; arrays and objects by their kind, for error messages.
    public var description: String {
        switch self {
        case .null: "null"
        case let .bool(value): "\(value)"
        case let .number(value): JSONValue.exactInteger(value).map(String.init) ?? "\(value)"
        case let .string(value): "\"\(value)\""
        case .array, .object: kindDescription
        }
    }

    private static func exactInteger(_ value: Double) -> Int? {
        guard value.rounded() == value, abs(value) <= 0x1p53 else { return nil }
        return Int(value)
    }
}
