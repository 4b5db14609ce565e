import ParadiffuseSchedulers

extension SchedulerKind {
    /// The name the AUTOMATIC1111 web UI gives this scheduler in an image's "Sampler" field (its Karras variants
    /// add "Schedule type: Karras"), so that other tools read back which scheduler made an image.
    public var webUIName: String {
        switch self {
        case .ddpm: "DDPM"
        case .ddim: "DDIM"
        case .pndm: "PLMS"
        case .dpmSolver: "DPM++ 2M"
        case .unipc: "UniPC"
        case .deis: "DEIS"
        case .dpmSolverSinglestep: "DPM++ 2S"
        case .lcm: "LCM"
        case .euler: "Euler"
        case .eulerAncestral: "Euler a"
        case .heun: "Heun"
        case .lms: "LMS"
        case .kdpm2: "DPM2"
        case .kdpm2Ancestral: "DPM2 a"
        }
    }
}
