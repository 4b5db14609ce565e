import ParadiffuseTensors

/// Why a model could not be built or run; each case names the file, weight or parameter at fault.
public enum ModelError: Error, Equatable, DescribedError {
    case missingWeight(name: String, source: String)
    case weightShapeMismatch(name: String, expected: [Int], actual: [Int], source: String)
    case invalidConfiguration(file: String, key: String, reason: String)
    case invalidInput(parameter: String, reason: String)

    public var description: String {
        switch self {
        case let .missingWeight(name, source):
            "weight '\(name)' is missing from \(source)"
        case let .weightShapeMismatch(name, expected, actual, source):
            "weight '\(name)' in \(source) has shape \(actual), but the model's configuration needs \(expected)"
        case let .invalidConfiguration(file, key, reason):
            "\(file): '\(key)' \(reason)"
        case let .invalidInput(parameter, reason):
            "\(parameter): \(reason)"
        }
    }
}
