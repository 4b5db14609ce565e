import ParadiffuseLoading

/// A scheduler's `scheduler_config.json` settings: diffusers' defaults, and one table of the keys it reads.
public protocol SchedulerConfiguration: ConfigurationKeys, Sendable, Equatable {
    /// diffusers' defaults.
    init()
}

extension SchedulerConfiguration {
    /// The keys of `config` this configuration reads, as `from_config` does: other keys are ignored, absent ones
    /// default, and values `scheduler` cannot use are errors naming the file and key.
    init(_ config: JSONConfig, scheduler: String) throws {
        self.init()
        try read(config, scheduler: scheduler)
    }
}

/// A scheduler made from its `Configuration`, and so from a `scheduler_config.json` (diffusers' `from_config`).
public protocol ConfiguredScheduler: Scheduler {
    associatedtype Configuration: SchedulerConfiguration

    /// diffusers' class name, which errors and `scheduler_config.json` use.
    static var className: String { get }

    init(configuration: Configuration) throws

    /// A scheduler for a run with the step options `options` (DDIM's; the other schedulers have none).
    static func make(configuration: Configuration, options: StepOptions) throws -> Self
}

extension ConfiguredScheduler {
    public static func make(configuration: Configuration, options: StepOptions) throws -> Self {
        try Self(configuration: configuration)
    }

    /// The scheduler `config` describes; a value it cannot use is an error naming the file and key.
    public init(config: JSONConfig) throws {
        self = try config.validating { try Self(configuration: Configuration(config, scheduler: Self.className)) }
    }

    /// A scheduler of this type configured by `config`, or with diffusers' defaults when `config` is nil.
    static func make(config: JSONConfig?, options: StepOptions) throws -> any Scheduler {
        guard let config else { return try make(configuration: Configuration(), options: options) }
        return try config.validating {
            try make(configuration: Configuration(config, scheduler: className), options: options)
        }
    }
}
