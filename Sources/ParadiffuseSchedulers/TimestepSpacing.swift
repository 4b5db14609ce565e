/// How inference timesteps are picked from the training schedule (`timestep_spacing`; Table 2 of Lin et al.
/// 2023). The lists equal diffusers', which computes them with NumPy in double precision.
public enum TimestepSpacing: String, Sendable, CaseIterable {
    /// Multiples of `T / n` (integer division) from 0, plus `steps_offset`: `[T - T/n, ..., 0] + offset`.
    case leading
    /// Counted down from `T - 1` by the exact ratio `T / n`.
    case trailing
    /// `n` evenly spaced values from `T - 1` down to 0, rounded.
    case linspace

    /// `count` timesteps, descending, out of `trainTimesteps`. `stepsOffset` moves `leading` timesteps only.
    ///
    /// For some counts (61 of 1000, for one) NumPy's `arange` gives `trailing` an extra final timestep of −1,
    /// which diffusers would index from the end of its schedule; it is left out here.
    func timesteps(count: Int, trainTimesteps: Int, stepsOffset: Int, scheduler: String) throws -> [Int] {
        try Self.checkCount(count, trainTimesteps: trainTimesteps, scheduler: scheduler)
        let timesteps = spaced(count: count, trainTimesteps: trainTimesteps, stepsOffset: stepsOffset)
        if let outside = timesteps.first(where: { !(0..<trainTimesteps).contains($0) }) {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "steps_offset", reason:
                "\(stepsOffset) moves timestep \(outside) outside the training schedule 0..<\(trainTimesteps)")
        }
        return timesteps
    }

    /// Checks that a run of `count` steps fits the `trainTimesteps` of the training schedule.
    static func checkCount(_ count: Int, trainTimesteps: Int, scheduler: String) throws {
        guard count >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "num_inference_steps",
                                                  reason: "must be at least 1, got \(count)")
        }
        guard count <= trainTimesteps else {
            throw SchedulerError.tooManyInferenceSteps(scheduler: scheduler, requested: count,
                                                       trainTimesteps: trainTimesteps)
        }
    }

    private func spaced(count: Int, trainTimesteps: Int, stepsOffset: Int) -> [Int] {
        positions(count: count, trainTimesteps: trainTimesteps, stepsOffset: stepsOffset)
            .map { Int($0.rounded(.toNearestOrEven)) }
            .filter { self != .trailing || $0 >= 0 }
    }

    /// The spacing every scheduler's timesteps start from: `count` positions, descending, out of `trainTimesteps`
    /// in double precision, before each scheduler rounds or converts them — `linspace` unrounded from T − 1 down to
    /// 0, `leading` the multiples of T / `count` (integer division) plus `stepsOffset`, `trailing` rounded and less
    /// 1, with the final −1 NumPy's `arange` gives some counts.
    func positions(count: Int, trainTimesteps: Int, stepsOffset: Int) -> [Double] {
        switch self {
        case .leading:
            let stride = trainTimesteps / count
            return (0..<count).reversed().map { Double($0 * stride + stepsOffset) }
        case .trailing:
            return Self.numpyArange(from: Double(trainTimesteps), downBy: Double(trainTimesteps) / Double(count))
                .map { $0.rounded(.toNearestOrEven) - 1 }
        case .linspace:
            guard count > 1 else { return [0] }
            let step = Double(trainTimesteps - 1) / Double(count - 1)
            return (0..<count).reversed().map { index in
                index == count - 1 ? Double(trainTimesteps - 1) : Double(index) * step
            }
        }
    }

    /// `numpy.arange(start, 0, -step)`: the length is `ceil(start / step)`, and after the first two values
    /// NumPy steps by their difference rather than by `step`.
    static func numpyArange(from start: Double, downBy step: Double) -> [Double] {
        let length = Int((-start / -step).rounded(.up))
        let second = start + -step
        let delta = second - start
        return (0..<length).map { index in
            switch index {
            case 0: start
            case 1: second
            default: start + Double(index) * delta
            }
        }
    }
}

/// Where a run's timesteps lie among the training timesteps: `timestep_spacing` and `steps_offset`, which most
/// schedulers read alike.
public struct TimestepPlacement: ConfigurationKeys, Sendable, Equatable {
    public var timestepSpacing: TimestepSpacing
    public var stepsOffset = 0

    public init(_ timestepSpacing: TimestepSpacing) {
        self.timestepSpacing = timestepSpacing
    }

    public static var keys: [ConfigurationKey<Self>] {
        [.choice("timestep_spacing", \.timestepSpacing), .value("steps_offset", \.stepsOffset)]
    }
}

/// A configuration with the timestep placement keys, reachable as if declared in it
/// (`configuration.timestepSpacing`).
@dynamicMemberLookup
public protocol TimestepSpacingConfiguration {
    var timestepPlacement: TimestepPlacement { get set }
}

extension TimestepSpacingConfiguration {
    public subscript<Value>(dynamicMember key: WritableKeyPath<TimestepPlacement, Value>) -> Value {
        get { timestepPlacement[keyPath: key] }
        set { timestepPlacement[keyPath: key] = newValue }
    }
}
