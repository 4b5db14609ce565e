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

    /// The diffusers classes configured by the same `scheduler_config.json` keys.
    public var classNames: [String] {
        switch self {
        case .ddpm: [DDPMScheduler.className, "DDPMParallelScheduler"]
        case .ddim: [DDIMScheduler.className, "DDIMParallelScheduler"]
        case .pndm: [PNDMScheduler.className]
        case .dpmSolver: [DPMSolverMultistepScheduler.className]
        case .unipc: [UniPCMultistepScheduler.className]
        case .deis: [DEISMultistepScheduler.className]
        case .dpmSolverSinglestep: [DPMSolverSinglestepScheduler.className]
        case .lcm: [LCMScheduler.className]
        case .euler: [EulerDiscreteScheduler.className]
        case .eulerAncestral: [EulerAncestralDiscreteScheduler.className]
        case .heun: [HeunDiscreteScheduler.className]
        case .lms: [LMSDiscreteScheduler.className]
        case .kdpm2: [KDPM2DiscreteScheduler.className]
        case .kdpm2Ancestral: [KDPM2AncestralDiscreteScheduler.className]
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
        switch self {
        case .ddpm:
            try config.map { try DDPMScheduler(config: $0) } ?? DDPMScheduler()
        case .ddim:
            try config.map { try DDIMScheduler(config: $0, options: options) } ?? DDIMScheduler(options: options)
        case .pndm:
            try config.map { try PNDMScheduler(config: $0) } ?? PNDMScheduler()
        case .dpmSolver:
            try config.map { try DPMSolverMultistepScheduler(config: $0) } ?? DPMSolverMultistepScheduler()
        case .unipc:
            try config.map { try UniPCMultistepScheduler(config: $0) } ?? UniPCMultistepScheduler()
        case .deis:
            try config.map { try DEISMultistepScheduler(config: $0) } ?? DEISMultistepScheduler()
        case .dpmSolverSinglestep:
            try config.map { try DPMSolverSinglestepScheduler(config: $0) } ?? DPMSolverSinglestepScheduler()
        case .lcm:
            try config.map { try LCMScheduler(config: $0) } ?? LCMScheduler()
        case .euler:
            try config.map { try EulerDiscreteScheduler(config: $0) } ?? EulerDiscreteScheduler()
        case .eulerAncestral:
            try config.map { try EulerAncestralDiscreteScheduler(config: $0) } ?? EulerAncestralDiscreteScheduler()
        case .heun:
            try config.map { try HeunDiscreteScheduler(config: $0) } ?? HeunDiscreteScheduler()
        case .lms:
            try config.map { try LMSDiscreteScheduler(config: $0) } ?? LMSDiscreteScheduler()
        case .kdpm2:
            try config.map { try KDPM2DiscreteScheduler(config: $0) } ?? KDPM2DiscreteScheduler()
        case .kdpm2Ancestral:
            try config.map { try KDPM2AncestralDiscreteScheduler(config: $0) } ?? KDPM2AncestralDiscreteScheduler()
        }
    }
}

/// The scheduler a `scheduler_config.json` describes, by its `_class_name`.
public func makeScheduler(config: JSONConfig, options: StepOptions = StepOptions()) throws -> any Scheduler {
    try SchedulerKind(named: try config.value("_class_name", as: String.self))
        .makeScheduler(config: config, options: options)
}
