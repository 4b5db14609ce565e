import ParadiffuseLoading

extension JSONConfig {
    /// The string value of `key` as one of `supported`, or `defaultValue` when absent; any other string is an
    /// error naming the file, the key, and the values `scheduler` accepts.
    func choice<Choice: RawRepresentable>(
        _ key: String, default defaultValue: Choice, among supported: [Choice], for scheduler: String
    ) throws -> Choice where Choice.RawValue == String {
        guard let name: String = try optionalValue(key) else { return defaultValue }
        guard let choice = Choice(rawValue: name), supported.map(\.rawValue).contains(name) else {
            throw LoadingError.invalidConfigValue(url, key: key, reason:
                "'\(name)' is not supported by \(scheduler); choose one of "
                + supported.map(\.rawValue).joined(separator: ", "))
        }
        return choice
    }

    /// Runs `body`, reporting a parameter it rejects as an invalid value of this file.
    func validating<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let SchedulerError.invalidParameter(scheduler, parameter, reason) {
            throw LoadingError.invalidConfigValue(url, key: parameter, reason: "\(scheduler): \(reason)")
        } catch let SchedulerError.unsupportedChoice(scheduler, parameter, value, supported) {
            throw LoadingError.invalidConfigValue(url, key: parameter, reason:
                "'\(value)' is not supported by \(scheduler); choose one of \(supported.joined(separator: ", "))")
        }
    }
}
