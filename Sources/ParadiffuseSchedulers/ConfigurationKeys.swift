import ParadiffuseLoading

/// How one `scheduler_config.json` key (or group of keys) is read into a field of the configuration `Root`, as
/// diffusers' `from_config` reads it: an absent key keeps the field's value (the scheduler's default), and a value
/// of the wrong type or outside the supported choices is an error naming the file and the key.
public struct ConfigurationKey<Root> {
    let read: (inout Root, JSONConfig, _ scheduler: String) throws -> Void

    /// A plain value: a flag, a number, a list.
    static func value<Value: JSONConfigValue>(_ key: String, _ field: WritableKeyPath<Root, Value>) -> Self {
        Self { root, config, _ in root[keyPath: field] = try config.value(key, default: root[keyPath: field]) }
    }

    /// A value without a default: nil when absent.
    static func optional<Value: JSONConfigValue>(_ key: String, _ field: WritableKeyPath<Root, Value?>) -> Self {
        Self { root, config, _ in root[keyPath: field] = try config.optionalValue(key) }
    }

    /// One of the named values of `Choice`, limited to `supported` (nil: every one), or a name diffusers takes as
    /// an alias of one. With `otherwise`, any other name is an error that says it is not implemented here, and
    /// what to choose.
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, _ field: WritableKeyPath<Root, Choice>, among supported: [Choice]? = nil,
        aliases: [String: Choice] = [:], otherwise: String? = nil
    ) -> Self where Choice.RawValue == String {
        Self { root, config, scheduler in
            let name: String? = try config.optionalValue(key)
            if let name, let alias = aliases[name] {
                root[keyPath: field] = alias
            } else if let name, let otherwise, Choice(rawValue: name) == nil {
                throw LoadingError.invalidConfigValue(config.url, key: key,
                                                      reason: "'\(name)' is not implemented for \(scheduler); \(otherwise)")
            } else {
                root[keyPath: field] = try config.choice(key, default: root[keyPath: field],
                                                         among: supported ?? Array(Choice.allCases), for: scheduler)
            }
        }
    }

    /// The keys of a group of settings several schedulers read alike (all of the group's, unless `keys` picks
    /// some).
    static func group<Group: ConfigurationKeys>(_ field: WritableKeyPath<Root, Group>,
                                               keys: [ConfigurationKey<Group>] = Group.keys) -> Self {
        Self { root, config, scheduler in
            for key in keys { try key.read(&root[keyPath: field], config, scheduler) }
        }
    }

    /// A flag diffusers reads whose `true` this engine lacks: true is an error naming the key.
    static func onlyFalse(_ key: String) -> Self {
        Self { _, config, scheduler in
            if try config.value(key, default: false) {
                throw LoadingError.invalidConfigValue(config.url, key: key,
                                                      reason: "\(scheduler): true is not supported; only false is")
            }
        }
    }

    /// A check of the file with no field of its own (keys that are read only to be rejected).
    static func check(_ body: @escaping (JSONConfig, _ scheduler: String) throws -> Void) -> Self {
        Self { _, config, scheduler in try body(config, scheduler) }
    }
}

/// Settings read from `scheduler_config.json` through one table of their keys.
public protocol ConfigurationKeys {
    /// Every key these settings read, each once.
    static var keys: [ConfigurationKey<Self>] { get }
}

extension ConfigurationKeys {
    /// Reads `config` into these settings: absent keys keep their values, bad values are errors naming the file,
    /// the key and `scheduler`.
    mutating func read(_ config: JSONConfig, scheduler: String) throws {
        for key in Self.keys { try key.read(&self, config, scheduler) }
    }
}

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
