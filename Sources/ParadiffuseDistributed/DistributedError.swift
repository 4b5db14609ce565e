import ParadiffuseTensors

/// A run across processes that cannot go on. Every message names the rank, and the operation or option at fault.
public enum DistributedError: Error, Equatable, DescribedError {
    case mpiCall(function: String, operation: String, rank: Int, message: String)
    case timedOut(operation: String, rank: Int, seconds: Double)
    case modelMismatch(folder: String, ranks: [Int])
    case splitNeedsGuidance(split: String)
    case outputShapeMismatch(operation: String, rank: Int, shape: [Int], expected: [Int])
    case sliceTooLarge(operation: String, elements: Int)
    case partialGroup(latents: Int, imagesPerGroup: Int)

    public var description: String {
        switch self {
        case let .mpiCall(function, operation, rank, message):
            "rank \(rank): \(function) failed during \(operation): \(message) (did another rank end?)"
        case let .timedOut(operation, rank, seconds):
            "waited \(Int(seconds)) s (rank \(rank)) for the other ranks in \(operation) and gave up "
                + "(a rank stopped or hangs; --mpi-timeout sets the limit)"
        case let .modelMismatch(folder, ranks):
            "the model files differ between ranks: ranks \(ranks.map(String.init).joined(separator: ", ")) read "
                + "\(folder) with other configurations or weight headers than rank 0; every rank must load the same model"
        case let .splitNeedsGuidance(split):
            "--split \(split) divides classifier-free guidance's conditional and unconditional halves, "
                + "but this run uses no guidance (give --guidance above 1, or --split window)"
        case let .outputShapeMismatch(operation, rank, shape, expected):
            "rank \(rank): the denoiser returned items of shape \(shape) in \(operation), rank 0's are \(expected)"
        case let .sliceTooLarge(operation, elements):
            "\(operation): \(elements) elements in one rank's slice exceed MPI's 32-bit counts"
        case let .partialGroup(latents, imagesPerGroup):
            "a batch of \(latents) latents is not a whole number of groups of \(imagesPerGroup) images"
        }
    }
}
