import Foundation
import Loading
import Tensors

/// DPM-Solver and DPM-Solver++ (Lu et al. 2022a, 2022b): exponential-integrator multistep solvers of the
/// diffusion ODE (or, for `sde-dpmsolver++`, SDE) in log-SNR time λ = log(α/σ), of order 1 to 3 from the model
/// outputs of the last steps. Steps equal diffusers' `DPMSolverMultistepScheduler` for the options below; the
/// σ schedules other than the spaced and Karras ones, `lambda_min_clipped`, learned variances and flow
/// prediction are not supported and are rejected.
public struct DPMSolverMultistepScheduler: Scheduler {
    public static let className = "DPMSolverMultistepScheduler"
    public static let supportedBetaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]
    public static let supportedOrders = 1...3

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: Sendable, Equatable {
        public var noiseSchedule = NoiseSchedule.Configuration()
        /// How many model outputs each step combines (1 to 3); 2 for guided sampling, 3 for unconditional.
        public var solverOrder = 2
        public var predictionType = PredictionType.epsilon
        public var thresholding = false
        public var dynamicThresholdingRatio = 0.995
        public var sampleMaxValue = 1.0
        public var algorithm = DPMSolverAlgorithm.dpmSolverPlusPlus
        public var solverType = DPMSolverType.midpoint
        /// Use lower orders for the last steps of runs under 15 steps.
        public var lowerOrderFinal = true
        /// Use a first-order step last, whatever the run's length.
        public var eulerAtFinal = false
        /// Space the σ of the run as Karras et al. do, each at a rounded training timestep.
        public var useKarrasSigmas = false
        public var finalSigmas = FinalSigmas.zero
        public var timestepSpacing = TimestepSpacing.linspace
        public var stepsOffset = 0

        public init() {}

        /// The keys DPM-Solver reads, as `DPMSolverMultistepScheduler.from_config` does: other keys are ignored,
        /// absent ones default, and options this engine lacks are errors naming the key.
        public init(_ config: JSONConfig) throws {
            let name = DPMSolverMultistepScheduler.className
            noiseSchedule = try NoiseSchedule.Configuration(
                config, supported: DPMSolverMultistepScheduler.supportedBetaSchedules, scheduler: name)
            solverOrder = try config.value("solver_order", default: solverOrder)
            predictionType = try config.choice("prediction_type", default: predictionType,
                                               among: PredictionType.allCases, for: name)
            thresholding = try config.value("thresholding", default: thresholding)
            dynamicThresholdingRatio = try config.value("dynamic_thresholding_ratio", default: dynamicThresholdingRatio)
            sampleMaxValue = try config.value("sample_max_value", default: sampleMaxValue)
            algorithm = try config.choice("algorithm_type", default: algorithm, among: DPMSolverAlgorithm.allCases,
                                          for: name)
            solverType = try config.choice("solver_type", default: solverType, among: DPMSolverType.allCases,
                                           for: name)
            lowerOrderFinal = try config.value("lower_order_final", default: lowerOrderFinal)
            eulerAtFinal = try config.value("euler_at_final", default: eulerAtFinal)
            useKarrasSigmas = try config.value("use_karras_sigmas", default: useKarrasSigmas)
            finalSigmas = try config.choice("final_sigmas_type", default: finalSigmas, among: FinalSigmas.allCases,
                                            for: name)
            timestepSpacing = try config.choice("timestep_spacing", default: timestepSpacing,
                                                among: TimestepSpacing.allCases, for: name)
            stepsOffset = try config.value("steps_offset", default: stepsOffset)
            for key in ["use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas",
                        "use_dynamic_shifting"] where try config.value(key, default: false) {
                throw LoadingError.invalidConfigValue(config.url, key: key,
                                                      reason: "\(name): true is not supported; only false is")
            }
            // diffusers reads only the learned types here; DDPM's fixed_* values in a swapped config are ignored.
            if let variance: String = try config.optionalValue("variance_type"), variance.hasPrefix("learned") {
                throw LoadingError.invalidConfigValue(config.url, key: "variance_type",
                                                      reason: "\(name): '\(variance)' is not supported yet")
            }
            if let lambdaMin: Double = try config.optionalValue("lambda_min_clipped"), lambdaMin > -.infinity {
                throw LoadingError.invalidConfigValue(config.url, key: "lambda_min_clipped",
                                                      reason: "\(name): \(lambdaMin) is not supported; only -inf is")
            }
        }
    }

    /// α_t = 1/√(σ² + 1), σ_t = σ·α_t and λ = log α_t − log σ_t of one noise level σ, in float32.
    struct NoiseLevel {
        let alpha: Float
        let sigma: Float
        let lambda: Float

        init(_ scaledSigma: Float) {
            alpha = 1 / (scaledSigma * scaledSigma + 1).squareRoot()
            sigma = scaledSigma * alpha
            lambda = log(alpha) - log(sigma)
        }
    }

    public let configuration: Configuration
    public let noiseSchedule: NoiseSchedule
    /// ᾱ_t as diffusers uses it: with zero terminal SNR its last value is 2⁻²⁴ rather than 0.
    public let alphasCumprod: [Float]
    private let sampleLimit: PredictedSampleLimit
    public private(set) var timesteps: [Int]
    /// σ = √((1 − ᾱ)/ᾱ) at each timestep of the run, then the final σ.
    public private(set) var sigmas: [Float] = []
    /// The converted model outputs of the last `solverOrder` steps, oldest first.
    private var modelOutputs: [Tensor] = []
    private var lowerOrderCount = 0
    private var stepIndex: Int?

    public var initNoiseSigma: Float { 1 }

    public init(configuration: Configuration = Configuration()) throws {
        let name = Self.className
        guard Self.supportedOrders.contains(configuration.solverOrder) else {
            throw SchedulerError.invalidParameter(scheduler: name, parameter: "solver_order",
                                                  reason: "must be 1, 2 or 3, got \(configuration.solverOrder)")
        }
        if !configuration.algorithm.predictsData, configuration.finalSigmas == .zero {
            throw SchedulerError.invalidParameter(scheduler: name, parameter: "final_sigmas_type", reason:
                "'zero' is not supported with 'algorithm_type' '\(configuration.algorithm.rawValue)'; "
                + "choose 'sigma_min'")
        }
        self.configuration = configuration
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: Self.supportedBetaSchedules,
                                          scheduler: name)
        var alphasCumprod = noiseSchedule.alphasCumprod
        if configuration.noiseSchedule.rescaleBetasZeroSNR { alphasCumprod[alphasCumprod.count - 1] = 0x1p-24 }
        self.alphasCumprod = alphasCumprod
        sampleLimit = try PredictedSampleLimit(
            clipSample: false, clipSampleRange: 1, thresholding: configuration.thresholding,
            dynamicThresholdingRatio: configuration.dynamicThresholdingRatio,
            sampleMaxValue: configuration.sampleMaxValue, scheduler: name)
        timesteps = Array((0..<noiseSchedule.numTrainTimesteps).reversed())
    }

    /// The scheduler `config` describes; a value it cannot use is an error naming the file and key.
    public init(config: JSONConfig) throws {
        self = try config.validating { try DPMSolverMultistepScheduler(configuration: Configuration(config)) }
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let trainTimesteps = noiseSchedule.numTrainTimesteps
        guard count >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "num_inference_steps",
                                                  reason: "must be at least 1, got \(count)")
        }
        guard count <= trainTimesteps else {
            throw SchedulerError.tooManyInferenceSteps(scheduler: Self.className, requested: count,
                                                       trainTimesteps: trainTimesteps)
        }
        let trainingSigmas = alphasCumprod.map { ((1 - $0) / $0).squareRoot() }
        var runSigmas: [Float]
        if configuration.useKarrasSigmas {
            let logSigmas = trainingSigmas.map { log($0) }
            let karras = KarrasSigmas.sigmas(count: count, minimum: Double(trainingSigmas[0]),
                                             maximum: Double(trainingSigmas[trainTimesteps - 1]))
            let rounds = noiseSchedule.configuration.betaSchedule != .squaredcosCapV2
            timesteps = karras.map { sigma in
                let timestep = KarrasSigmas.timestep(of: sigma, logSigmas: logSigmas)
                return Int(rounds ? timestep.rounded(.toNearestOrEven) : timestep)
            }
            runSigmas = karras.map { Float($0) }
        } else {
            timesteps = try spacedTimesteps(count: count)
            runSigmas = timesteps.map { trainingSigmas[max($0, 0)] }
        }
        runSigmas.append(configuration.finalSigmas == .zero ? 0 : trainingSigmas[0])
        sigmas = runSigmas
        modelOutputs = []
        lowerOrderCount = 0
        stepIndex = nil
    }

    /// diffusers spaces `count + 1` timesteps and drops the last (0) for `linspace` and `leading`.
    private func spacedTimesteps(count: Int) throws -> [Int] {
        let trainTimesteps = noiseSchedule.numTrainTimesteps
        let spaced: [Int]
        switch configuration.timestepSpacing {
        case .linspace:
            let step = Double(trainTimesteps - 1) / Double(count)
            spaced = (1...count).reversed().map { index in
                index == count ? trainTimesteps - 1 : Int((Double(index) * step).rounded(.toNearestOrEven))
            }
        case .leading:
            let stride = trainTimesteps / (count + 1)
            spaced = (1...count).reversed().map { $0 * stride + configuration.stepsOffset }
        case .trailing:
            // Kept as diffusers keeps it: a final −1 that NumPy's `arange` gives some counts (61 of 1000), whose
            // σ is σ(0), as `numpy.interp` clamps.
            return TimestepSpacing.numpyArange(from: Double(trainTimesteps),
                                               downBy: Double(trainTimesteps) / Double(count))
                .map { Int($0.rounded(.toNearestOrEven)) - 1 }
        }
        if let outside = spaced.first(where: { !(0..<trainTimesteps).contains($0) }) {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "steps_offset", reason:
                "\(configuration.stepsOffset) moves timestep \(outside) outside the training schedule "
                + "0..<\(trainTimesteps)")
        }
        return spaced
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { sample }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        guard !sigmas.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: Self.className) }
        guard modelOutput.shape == sample.shape, modelOutput.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "model_output",
                                               shape: modelOutput.shape, expected: "the sample's \(sample.shape)")
        }
        let index = stepIndex ?? scheduleIndex(of: timestep)
        guard index < timesteps.count else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep", reason:
                "\(timestep) comes after the last of the \(timesteps.count) steps; call setTimesteps again")
        }
        let converted = convert(modelOutput, sample: sample, level: NoiseLevel(sigmas[index]))
        modelOutputs = Array((modelOutputs + [converted]).suffix(configuration.solverOrder))
        var stepNoise: Tensor?
        if configuration.algorithm == .sdeDPMSolverPlusPlus {
            let drawn = noise(modelOutput.shape)
            guard drawn.shape == sample.shape, drawn.layout == sample.layout else {
                throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "noise", shape: drawn.shape,
                                                   expected: "the sample's \(sample.shape)")
            }
            stepNoise = drawn
        }
        let result = update(order: stepOrder(at: index, earlierSteps: lowerOrderCount), outputs: modelOutputs,
                            sample: sample, index: index, noise: stepNoise)
        lowerOrderCount = min(lowerOrderCount + 1, configuration.solverOrder)
        stepIndex = index + 1
        return result
    }

    /// The order of the step at schedule position `index` after `earlierSteps` steps of this run: lower at the
    /// start, and for the last steps as `lower_order_final`, `euler_at_final` and a zero final σ ask.
    func stepOrder(at index: Int, earlierSteps: Int) -> Int {
        let count = timesteps.count
        let isShortRun = configuration.lowerOrderFinal && count < 15
        let lowerOrderFinal = index == count - 1
            && (configuration.eulerAtFinal || isShortRun || configuration.finalSigmas == .zero)
        let lowerOrderSecond = index == count - 2 && isShortRun
        if lowerOrderFinal { return 1 }
        let order = min(configuration.solverOrder, earlierSteps + 1)
        return lowerOrderSecond ? min(order, 2) : order
    }

    /// The step from `sample` at schedule position `index` combining the last `order` of `outputs` (converted
    /// model outputs of consecutive steps, oldest first, the step's own last).
    func update(order: Int, outputs: [Tensor], sample: Tensor, index: Int, noise: Tensor?) -> Tensor {
        switch order {
        case 1: firstOrderUpdate(outputs[outputs.count - 1], sample: sample, index: index, noise: noise)
        case 2: secondOrderUpdate(outputs: outputs, sample: sample, index: index, noise: noise)
        default: thirdOrderUpdate(outputs: outputs, sample: sample, index: index, noise: noise)
        }
    }

    /// diffusers' `add_noise`: `α·x₀ + σ·ε` at the σ of each item's timestep in the run.
    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        guard !sigmas.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: Self.className) }
        guard noise.shape == original.shape, noise.layout == original.layout else {
            throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "noise", shape: noise.shape,
                                               expected: "the shape of the original samples, \(original.shape)")
        }
        let itemTimesteps = try timestepsPerItem(timesteps, batchSize: original.batchSize, scheduler: Self.className)
        let levels = itemTimesteps.map { NoiseLevel(sigmas[scheduleIndex(of: $0)]) }
        return original.zipMapItems(noise) { item, sample, noise in
            levels[item].alpha * sample + levels[item].sigma * noise
        }
    }

    /// diffusers' `index_for_timestep`: the second of two equal timesteps (so that a run started in the middle
    /// does not skip a σ), the last step for a timestep not in the run.
    func scheduleIndex(of timestep: Int) -> Int {
        let matches = timesteps.indices.filter { timesteps[$0] == timestep }
        return matches.count > 1 ? matches[1] : matches.first ?? timesteps.count - 1
    }

    // MARK: Step math

    /// The model output as the solver uses it: x₀ for the `++` solvers, ε for `dpmsolver`, thresholded if asked.
    func convert(_ modelOutput: Tensor, sample: Tensor, level: NoiseLevel) -> Tensor {
        let alphas = Array(repeating: level.alpha, count: sample.batchSize)
        let sigmas = Array(repeating: level.sigma, count: sample.batchSize)
        let prediction = configuration.predictionType
        if configuration.algorithm.predictsData {
            return sampleLimit.apply(to: prediction.predictedOriginalSample(
                modelOutput: modelOutput, sample: sample, signalScales: alphas, noiseScales: sigmas))
        }
        let noise = prediction.predictedNoise(modelOutput: modelOutput, sample: sample, signalScales: alphas,
                                              noiseScales: sigmas)
        guard configuration.thresholding else { return noise }
        let originalSample = sampleLimit.apply(to: PredictionType.epsilon.predictedOriginalSample(
            modelOutput: noise, sample: sample, signalScales: alphas, noiseScales: sigmas))
        return PredictionType.noise(fromOriginalSample: originalSample, sample: sample, signalScales: alphas,
                                    noiseScales: sigmas)
    }

    /// The noise term `σ_t·√(1 − e^(−2h))·z` of the SDE solver, nil for the ODE solvers.
    private func noiseTerm(_ noise: Tensor?, target: NoiseLevel, h: Float) -> (Float, Tensor)? {
        noise.map { (Self.sdeNoiseScale(target: target, h: h), $0) }
    }

    static func sdeNoiseScale(target: NoiseLevel, h: Float) -> Float { target.sigma * (1 - exp(-2 * h)).squareRoot() }

    private func firstOrderUpdate(_ output: Tensor, sample: Tensor, index: Int, noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1]), source = NoiseLevel(sigmas[index])
        let h = target.lambda - source.lambda
        switch configuration.algorithm {
        case .dpmSolverPlusPlus:
            return Self.linearCombination([(target.sigma / source.sigma, sample),
                                           (-(target.alpha * (exp(-h) - 1)), output)])
        case .dpmSolver:
            return Self.linearCombination([(target.alpha / source.alpha, sample),
                                           (-(target.sigma * (exp(h) - 1)), output)])
        case .sdeDPMSolverPlusPlus:
            return Self.linearCombination([(target.sigma / source.sigma * exp(-h), sample),
                                           (target.alpha * (1 - exp(-2 * h)), output)]
                                          + [noiseTerm(noise, target: target, h: h)].compactMap { $0 })
        }
    }

    private func secondOrderUpdate(outputs modelOutputs: [Tensor], sample: Tensor, index: Int,
                                   noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1])
        let m0 = modelOutputs[modelOutputs.count - 1], m1 = modelOutputs[modelOutputs.count - 2]
        let h = target.lambda - s0.lambda, h0 = s0.lambda - s1.lambda
        let r0 = h0 / h
        let d0 = m0, d1 = Self.scaledDifference(1 / r0, m0, m1)
        let midpoint = configuration.solverType == .midpoint
        switch configuration.algorithm {
        case .dpmSolverPlusPlus:
            let firstOrder = target.alpha * (exp(-h) - 1)
            return Self.linearCombination([
                (target.sigma / s0.sigma, sample), (-firstOrder, d0),
                midpoint ? (-(0.5 * firstOrder), d1) : (target.alpha * ((exp(-h) - 1) / h + 1), d1),
            ])
        case .dpmSolver:
            let firstOrder = target.sigma * (exp(h) - 1)
            return Self.linearCombination([
                (target.alpha / s0.alpha, sample), (-firstOrder, d0),
                midpoint ? (-(0.5 * firstOrder), d1) : (-(target.sigma * ((exp(h) - 1) / h - 1)), d1),
            ])
        case .sdeDPMSolverPlusPlus:
            let firstOrder = target.alpha * (1 - exp(-2 * h))
            return Self.linearCombination([
                (target.sigma / s0.sigma * exp(-h), sample), (firstOrder, d0),
                midpoint ? (0.5 * firstOrder, d1) : (target.alpha * ((1 - exp(-2 * h)) / (-2 * h) + 1), d1),
            ] + [noiseTerm(noise, target: target, h: h)].compactMap { $0 })
        }
    }

    private func thirdOrderUpdate(outputs modelOutputs: [Tensor], sample: Tensor, index: Int,
                                  noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1]), s2 = NoiseLevel(sigmas[index - 2])
        let count = modelOutputs.count
        let m0 = modelOutputs[count - 1], m1 = modelOutputs[count - 2], m2 = modelOutputs[count - 3]
        let h = target.lambda - s0.lambda, h0 = s0.lambda - s1.lambda, h1 = s1.lambda - s2.lambda
        let r0 = h0 / h, r1 = h1 / h
        let d10 = Self.scaledDifference(1 / r0, m0, m1), d11 = Self.scaledDifference(1 / r1, m1, m2)
        let d1Weight = r0 / (r0 + r1), d2Weight = 1 / (r0 + r1)
        let d1 = d10.zipMap(d11) { d10, d11 in d10 + d1Weight * (d10 - d11) }
        let d2 = Self.scaledDifference(d2Weight, d10, d11)
        switch configuration.algorithm {
        case .dpmSolverPlusPlus:
            return Self.linearCombination([
                (target.sigma / s0.sigma, sample),
                (-(target.alpha * (exp(-h) - 1)), m0),
                (target.alpha * ((exp(-h) - 1) / h + 1), d1),
                (-(target.alpha * ((exp(-h) - 1 + h) / (h * h) - 0.5)), d2),
            ])
        case .dpmSolver:
            return Self.linearCombination([
                (target.alpha / s0.alpha, sample),
                (-(target.sigma * (exp(h) - 1)), m0),
                (-(target.sigma * ((exp(h) - 1) / h - 1)), d1),
                (-(target.sigma * ((exp(h) - 1 - h) / (h * h) - 0.5)), d2),
            ])
        case .sdeDPMSolverPlusPlus:
            let decay = 1 - exp(-2 * h)
            return Self.linearCombination([
                (target.sigma / s0.sigma * exp(-h), sample),
                (target.alpha * decay, m0),
                (target.alpha * (decay / (-2 * h) + 1), d1),
                (target.alpha * ((decay - 2 * h) / ((2 * h) * (2 * h)) - 0.5), d2),
            ] + [noiseTerm(noise, target: target, h: h)].compactMap { $0 })
        }
    }

    /// `scale · (a − b)` elementwise in float32.
    private static func scaledDifference(_ scale: Float, _ a: Tensor, _ b: Tensor) -> Tensor {
        a.zipMap(b) { a, b in scale * (a - b) }
    }

    /// `c₀·x₀ + c₁·x₁ + …`, summed left to right in float32 as diffusers' expressions are (a subtracted term is
    /// a negated coefficient, which rounds the same).
    private static func linearCombination(_ terms: [(Float, Tensor)]) -> Tensor {
        let (firstScale, first) = terms[0]
        return terms.dropFirst().reduce(firstScale * first) { sum, term in
            sum.zipMap(term.1) { total, value in total + term.0 * value }
        }
    }
}
