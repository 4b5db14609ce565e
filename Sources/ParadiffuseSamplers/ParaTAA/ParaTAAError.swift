import ParadiffuseTensors

/// A ParaTAA setting or input the sampler cannot use. Every message names the parameter at fault.
public enum ParaTAAError: Error, Equatable, DescribedError {
    case invalidParameter(parameter: String, reason: String)
    case schedulerNotParallel(scheduler: String)
    case multistepScheduler(scheduler: String)

    public var description: String {
        switch self {
        case let .invalidParameter(parameter, reason):
            "ParaTAA: '\(parameter)' \(reason)"
        case let .schedulerNotParallel(scheduler):
            "ParaTAA: 'scheduler' \(scheduler) is not a ParallelScheduler (it has no batched noise-free "
                + "transition); use the sequential sampler with it"
        case let .multistepScheduler(scheduler):
            "ParaTAA: 'scheduler' \(scheduler) is a multistep solver, whose steps combine earlier model outputs; "
                + "ParaTAA's triangular system is built for one-step schedulers (DDIM, DDPM): use ParaDiGMS with it"
        }
    }
}
