import ArgumentParser
import Foundation
import Paradiffuse

/// `generate`'s options for the time loop: the sampler, its settings, trajectories and statistics.
struct SamplingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How the time loop runs: one step after another, or in parallel over time.",
                               valueName: SamplingRequest.Method.allCases.map(\.rawValue).joined(separator: "|")))
    var sampler = SamplingRequest.Method.sequential

    @Option(parsing: .unconditional, help: "paradigms: timesteps evaluated together in each iteration (default 16).")
    var parallel: Int?

    @Option(parsing: .unconditional, help: "paradigms: error tolerance (default 0.1); parataa: residual tolerance (default 0.001).")
    var tolerance: Double?

    @Option(parsing: .unconditional, help: "parataa: order k of the triangular system, at most --window (default 20, as the reference).")
    var order: Int?

    @Option(parsing: .unconditional, help: "parataa: Anderson acceleration memory m; 1 is plain fixed-point iteration (default 2).")
    var memory: Int?

    @Option(parsing: .unconditional, help: "parataa: steps evaluated together in each iteration (default: all steps).")
    var window: Int?

    @Option(parsing: .unconditional, help: "paradigms, parataa: stop after this many iterations.")
    var maxIterations: Int?

    @Option(help: ArgumentHelp("Save the whole sampling trajectory, to warm-start a later run.", valueName: "file.safetensors"))
    var saveTrajectory: String?

    @Option(help: ArgumentHelp("parataa: start from a trajectory saved with --save-trajectory (same scheduler and steps).",
                               valueName: "file.safetensors"))
    var initTrajectory: String?

    @Option(parsing: .unconditional, help: "parataa with --init-trajectory: recompute only the last N steps (default: all).")
    var variationSteps: Int?

    @Flag(help: "Also sample sequentially with the same noise and report the difference.")
    var compareSequential = false

    @Option(help: ArgumentHelp("Write iterations, model evaluations, time (and the comparison) as JSON.",
                               valueName: "file.json"))
    var stats: String?

    func validate() throws {
        func positive(_ value: Int?, _ name: String) throws {
            if let value, value < 1 { throw ValidationError("--\(name) must be at least 1, got \(value)") }
        }
        try positive(parallel, "parallel")
        try positive(order, "order")
        try positive(memory, "memory")
        try positive(window, "window")
        try positive(maxIterations, "max-iterations")
        try positive(variationSteps, "variation-steps")
        if let tolerance, !(tolerance.isFinite && tolerance >= 0) {
            throw ValidationError("--tolerance must be a number, 0 or more, got \(tolerance)")
        }
        let paradigmsOnly: [(String, Any?)] = [("parallel", parallel)]
        let parataaOnly: [(String, Any?)] = [("order", order), ("memory", memory), ("window", window),
                                             ("init-trajectory", initTrajectory), ("variation-steps", variationSteps)]
        for (name, value) in paradigmsOnly where value != nil && sampler != .paradigms {
            throw ValidationError("--\(name) applies to --sampler paradigms only")
        }
        for (name, value) in parataaOnly where value != nil && sampler != .parataa {
            throw ValidationError("--\(name) applies to --sampler parataa only")
        }
        if sampler == .sequential, tolerance != nil || maxIterations != nil {
            throw ValidationError("--tolerance and --max-iterations apply to the parallel samplers (paradigms, parataa)")
        }
        if let order, let window, order > window {
            throw ValidationError("--order (\(order)) must not exceed --window (\(window))")
        }
        if variationSteps != nil, initTrajectory == nil {
            throw ValidationError("--variation-steps needs --init-trajectory")
        }
        for (name, path) in [("save-trajectory", saveTrajectory), ("init-trajectory", initTrajectory)] {
            if let path, URL(fileURLWithPath: path).pathExtension.lowercased() != "safetensors" {
                throw ValidationError("--\(name) must name a .safetensors file, got '\(path)'")
            }
        }
        if let stats, URL(fileURLWithPath: stats).pathExtension.lowercased() != "json" {
            throw ValidationError("--stats must name a .json file, got '\(stats)'")
        }
    }

    var request: SamplingRequest {
        var request = SamplingRequest()
        request.method = sampler
        request.parallel = parallel
        request.tolerance = tolerance
        request.order = order
        request.memory = memory
        request.window = window
        request.maxIterations = maxIterations
        request.keepsTrajectory = saveTrajectory != nil
        request.initialTrajectory = initTrajectory.map { URL(fileURLWithPath: $0) }
        request.variationSteps = variationSteps
        request.compareSequential = compareSequential
        return request
    }
}
