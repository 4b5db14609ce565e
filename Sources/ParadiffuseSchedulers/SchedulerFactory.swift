import ParadiffuseLoading

/// The schedulers this engine implements, by command-line name and diffusers class name.
public enum SchedulerKind: String, Sendable, CaseIterable {
    case ddpm
    case ddim
    case pndm
    case dpmSolver = "dpm-solver"
    case unipc
    case deis
    case dpmSolverSinglestep = "dpm-solver-singlestep"
    case lcm
    case euler
    case eulerAncestral = "euler-a"
    case heun
    case lms
    case kdpm2
    case kdpm2Ancestral = "kdpm2-a"

    /// The type of this kind's schedulers.
    var schedulerType: any ConfiguredScheduler.Type {
        switch self {
        case .ddpm: DDPMScheduler.self
        case .ddim: DDIMScheduler.self
        case .pndm: PNDMScheduler.self
        case .dpmSolver: DPMSolverMultistepScheduler.self
        case .unipc: UniPCMultistepScheduler.self
        case .deis: DEISMultistepScheduler.self
        case .dpmSolverSinglestep: DPMSolverSinglestepScheduler.self
        case .lcm: LCMScheduler.self
        case .euler: EulerDiscreteScheduler.self
        case .eulerAncestral: EulerAncestralDiscreteScheduler.self
        case .heun: HeunDiscreteScheduler.self
        case .lms: LMSDiscreteScheduler.self
        case .kdpm2: KDPM2DiscreteScheduler.self
        case .kdpm2Ancestral: KDPM2AncestralDiscreteScheduler.self
        }
    }

    /// The diffusers classes configured by the same `scheduler_config.json` keys (the parallel DDPM and DDIM
    /// classes read the sequential ones' keys).
    public var classNames: [String] {
        switch self {
        case .ddpm: [schedulerType.className, "DDPMParallelScheduler"]
        case .ddim: [schedulerType.className, "DDIMParallelScheduler"]
        default: [schedulerType.className]
        }
    }

    /// The kind named `name`: a command-line name (`ddim`, any case) or a diffusers class name
    /// (`DDIMScheduler`); an unknown name is an error listing the known ones.
    public init(named name: String) throws {
        let match = Self.allCases.first { kind in
            kind.rawValue.caseInsensitiveCompare(name) == .orderedSame || kind.classNames.contains(name)
        }
        guard let match else {
            throw SchedulerError.unknownScheduler(name, known: Self.allCases.map { kind in
                "\(kind.rawValue) (\(kind.classNames.joined(separator: ", ")))"
            })
        }
        self = match
    }

    /// A scheduler of this kind configured by `config` (diffusers' `from_config`: the file's other keys, even
    /// another scheduler's, are ignored), or with diffusers' defaults when `config` is nil. `options` are DDIM's.
    public func makeScheduler(config: JSONConfig? = nil, options: StepOptions = StepOptions()) throws -> any Scheduler {
        try schedulerType.make(config: config, options: options)
    }
}

/// The scheduler a `scheduler_config.json` describes, by its `_class_name`.
public func makeScheduler(config: JSONConfig, options: StepOptions = StepOptions()) throws -> any Scheduler {
    try SchedulerKind(named: try config.value("_class_name", as: String.self))
        .makeScheduler(config: config, options: options)
}
