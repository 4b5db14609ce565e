import ParadiffuseTensors

/// What a step does to its prediction of x₀ before using it: nothing, clipping (`clip_sample`,
/// `clip_sample_range`), or Imagen's dynamic thresholding (`thresholding`, `dynamic_thresholding_ratio`,
/// `sample_max_value`), which takes precedence over clipping as in diffusers.
enum PredictedSampleLimit: Sendable, Equatable {
    case none
    /// Clamp to `[-range, range]`.
    case clip(range: Double)
    /// Per item, `s` = the `ratio`-quantile of |x₀| clamped to `[1, maxValue]`; clamp x₀ to `[-s, s]` and divide
    /// by `s`.
    case dynamicThreshold(ratio: Double, maxValue: Double)

    init(clipSample: Bool, clipSampleRange: Double, thresholding: Bool, dynamicThresholdingRatio: Double,
         sampleMaxValue: Double, scheduler: String) throws {
        if thresholding {
            guard (0...1).contains(dynamicThresholdingRatio) else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "dynamic_thresholding_ratio",
                    reason: "must lie in [0, 1], got \(dynamicThresholdingRatio)")
            }
            guard sampleMaxValue > 0 else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "sample_max_value",
                                                      reason: "must be positive, got \(sampleMaxValue)")
            }
            self = .dynamicThreshold(ratio: dynamicThresholdingRatio, maxValue: sampleMaxValue)
        } else if clipSample {
            guard clipSampleRange > 0 else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "clip_sample_range",
                                                      reason: "must be positive, got \(clipSampleRange)")
            }
            self = .clip(range: clipSampleRange)
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
