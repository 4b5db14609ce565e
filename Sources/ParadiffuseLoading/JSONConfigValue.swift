/// A Swift type a config value can be read as. A value of the wrong kind is an error, never silently converted
/// (an integer-valued JSON number reads as `Int`, any number as `Double` or `Float`).
public protocol JSONConfigValue {
    init?(json: JSONValue)
    /// What the config should have held, for error messages ("an integer", "an array of strings", ...).
    static var expectedDescription: String { get }
}

extension Int: JSONConfigValue {
    public init?(json: JSONValue) {
        guard let integer = json.integer else { return nil }
        self = integer
    }

    public static var expectedDescription: String { "an integer" }
}

extension Double: JSONConfigValue {
    public init?(json: JSONValue) {
        guard case let .number(value) = json else { return nil }
        self = value
    }

    public static var expectedDescription: String { "a number" }
}

extension Float: JSONConfigValue {
    public init?(json: JSONValue) {
        guard case let .number(value) = json else { return nil }
        self = Float(value)
    }

    public static var expectedDescription: String { "a number" }
}

extension Bool: JSONConfigValue {
    public init?(json: JSONValue) {
        guard case let .bool(value) = json else { return nil }
        self = value
    }

    public static var expectedDescription: String { "a boolean" }
}

extension String: JSONConfigValue {
    public init?(json: JSONValue) {
        guard case let .string(value) = json else { return nil }
        self = value
    }

    public static var expectedDescription: String { "a string" }
}

extension Array: JSONConfigValue where Element: JSONConfigValue {
    public init?(json: JSONValue) {
        guard case let .array(values) = json else { return nil }
        var elements: [Element] = []
        for value in values {
            guard let element = Element(json: value) else { return nil }
            elements.append(element)
        }
        self = elements
    }

    public static var expectedDescription: String { "an array, each element \(Element.expectedDescription)" }
}

extension JSONValue: JSONConfigValue {
    public init?(json: JSONValue) { self = json }

    public static var expectedDescription: String { "any JSON value" }
}
