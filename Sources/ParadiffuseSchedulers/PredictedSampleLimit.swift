import ParadiffuseTensors

/// What a step does to its prediction of x₀ before using it: nothing, clipping (`clip_sample`,
/// `clip_sample_range`), or Imagen's dynamic thresholding (`thresholding`, `dynamic_thresholding_ratio`,
/// `sample_max_value`), which takes precedence over clipping as in diffusers.
public enum PredictedSampleLimit: Sendable, Equatable {
    case none
    /// Clamp to `[-range, range]`.
    case clip(range: Double)
    /// Per item, `s` = the `ratio`-quantile of |x₀| clamped to `[1, maxValue]`; clamp x₀ to `[-s, s]` and divide
    /// by `s`.
    case dynamicThreshold(ratio: Double, maxValue: Double)

    /// The `scheduler_config.json` keys of the limit, with diffusers' defaults but for `clip_sample`, whose default
    /// differs between schedulers.
    public struct Configuration: ConfigurationKeys, Sendable, Equatable {
        public var clipSample: Bool
        public var clipSampleRange = 1.0
        public var thresholding = false
        public var dynamicThresholdingRatio = 0.995
        public var sampleMaxValue = 1.0

        public init(clipSample: Bool) {
            self.clipSample = clipSample
        }

        public static var keys: [ConfigurationKey<Self>] { clippingKeys + thresholdingKeys }

        /// `clip_sample` and `clip_sample_range` (Heun reads only these).
        static var clippingKeys: [ConfigurationKey<Self>] {
            [.value("clip_sample", \.clipSample), .value("clip_sample_range", \.clipSampleRange)]
        }

        /// `thresholding`, `dynamic_thresholding_ratio` and `sample_max_value` (the solvers read only these).
        static var thresholdingKeys: [ConfigurationKey<Self>] {
            [.value("thresholding", \.thresholding), .value("dynamic_thresholding_ratio", \.dynamicThresholdingRatio),
             .value("sample_max_value", \.sampleMaxValue)]
        }
    }

    /// The limit `configuration` describes; a ratio, range or maximum it cannot use is an error naming `scheduler`.
    init(_ configuration: Configuration, scheduler: String) throws {
        if configuration.thresholding {
            let ratio = configuration.dynamicThresholdingRatio, maxValue = configuration.sampleMaxValue
            guard (0...1).contains(ratio) else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "dynamic_thresholding_ratio",
                                                      reason: "must lie in [0, 1], got \(ratio)")
            }
            guard maxValue > 0 else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "sample_max_value",
                                                      reason: "must be positive, got \(maxValue)")
            }
            self = .dynamicThreshold(ratio: ratio, maxValue: maxValue)
        } else if configuration.clipSample {
            guard configuration.clipSampleRange > 0 else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "clip_sample_range",
                    reason: "must be positive, got \(configuration.clipSampleRange)")
            }
            self = .clip(range: configuration.clipSampleRange)
        } else {
            self = .none
        }
    }

    func apply(to predictedSample: Tensor) -> Tensor {
        switch self {
        case .none:
            return predictedSample
        case let .clip(range):
            let bound = Float(range)
            return predictedSample.map { Self.clamp($0, -bound, bound) }
        case let .dynamicThreshold(ratio, maxValue):
            let quantiles = predictedSample.map(abs).itemQuantiles(Float(ratio))
            let thresholds = quantiles.map { Self.clamp($0, 1, Float(maxValue)) }
            return predictedSample.mapItems { item, value in
                Self.clamp(value, -thresholds[item], thresholds[item]) / thresholds[item]
            }
        }
    }

    /// `torch.clamp`: the lower bound first, then the upper one wins; NaN stays NaN.
    private static func clamp(_ value: Float, _ lower: Float, _ upper: Float) -> Float {
        value.isNaN ? value : min(max(value, lower), upper)
    }
}

/// A configuration with x̂₀ limit keys, reachable as if declared in it (`configuration.clipSample`).
@dynamicMemberLookup
public protocol SampleLimitConfiguration {
    var sampleLimit: PredictedSampleLimit.Configuration { get set }
}

extension SampleLimitConfiguration {
    public subscript<Value>(dynamicMember key: WritableKeyPath<PredictedSampleLimit.Configuration, Value>) -> Value {
        get { sampleLimit[keyPath: key] }
        set { sampleLimit[keyPath: key] = newValue }
    }
}
