import ParadiffuseTensors

/// A scheduler asked for something it cannot do. Every message names the scheduler and the parameter at fault.
public enum SchedulerError: Error, Equatable, DescribedError {
    case unknownScheduler(String, known: [String])
    case invalidParameter(scheduler: String, parameter: String, reason: String)
    case unsupportedChoice(scheduler: String, parameter: String, value: String, supported: [String])
    case tooManyInferenceSteps(scheduler: String, requested: Int, trainTimesteps: Int)
    case invalidCustomTimesteps(scheduler: String, reason: String)
    case timestepsNotSet(scheduler: String)
    case timestepOutOfRange(scheduler: String, timestep: Int, trainTimesteps: Int)
    case timestepNotInSchedule(scheduler: String, timestep: Int)
    case shapeMismatch(scheduler: String, parameter: String, shape: [Int], expected: String)
    case timestepCountMismatch(scheduler: String, timesteps: Int, batchSize: Int)
    case noiseScaleDependsOnModelOutput(scheduler: String, varianceType: String)

    public var description: String {
        switch self {
        case let .unknownScheduler(name, known):
            "unknown scheduler '\(name)'; known schedulers: \(known.joined(separator: ", "))"
        case let .invalidParameter(scheduler, parameter, reason):
            "\(scheduler): '\(parameter)' \(reason)"
        case let .unsupportedChoice(scheduler, parameter, value, supported):
            "\(scheduler): '\(parameter)' is '\(value)', which \(scheduler) does not support; "
                + "choose one of \(supported.joined(separator: ", "))"
        case let .tooManyInferenceSteps(scheduler, requested, trainTimesteps):
            "\(scheduler): 'num_inference_steps' \(requested) cannot be larger than 'num_train_timesteps' "
                + "\(trainTimesteps), the number of timesteps the model was trained on"
        case let .invalidCustomTimesteps(scheduler, reason):
            "\(scheduler): custom 'timesteps' \(reason)"
        case let .timestepsNotSet(scheduler):
            "\(scheduler): 'num_inference_steps' is not set; call setTimesteps before step"
        case let .timestepOutOfRange(scheduler, timestep, trainTimesteps):
            "\(scheduler): timestep \(timestep) is outside the training schedule 0..<\(trainTimesteps)"
        case let .timestepNotInSchedule(scheduler, timestep):
            "\(scheduler): timestep \(timestep) is not one of the scheduler's timesteps"
        case let .shapeMismatch(scheduler, parameter, shape, expected):
            "\(scheduler): '\(parameter)' has shape \(shape), expected \(expected)"
        case let .timestepCountMismatch(scheduler, timesteps, batchSize):
            "\(scheduler): \(timesteps) timesteps for a batch of \(batchSize); give one per item (or one for all)"
        case let .noiseScaleDependsOnModelOutput(scheduler, varianceType):
            "\(scheduler): with 'variance_type' '\(varianceType)' the noise scale comes from the model output, "
                + "so there is no noise scale per timestep"
        }
    }
}
