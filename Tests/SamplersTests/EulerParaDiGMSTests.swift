import Foundation
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// ParaDiGMS with diffusers' Euler scheduler (an ODE in σ): its window of batched Euler steps reproduces the
/// sequential Euler run, exactly with a window of one or tolerance 0, and ever closer as the tolerance shrinks.
struct EulerParaDiGMSTests {
    static let shape = [2, 3, 8, 8]
    static let configurations: [(name: String, configuration: EulerDiscreteScheduler.Configuration)] = [
        ("linear-epsilon", EulerDiscreteScheduler.Configuration()),
        ("sd-v-karras", {
            var configuration = EulerDiscreteScheduler.Configuration()
            configuration.noiseSchedule.betaSchedule = .scaledLinear
            configuration.noiseSchedule.betaStart = 0.00085
            configuration.noiseSchedule.betaEnd = 0.012
            configuration.predictionType = .vPrediction
            configuration.sigmaSpacing = .karras
            return configuration
        }()),
    ]

    static func euler(_ index: Int, steps: Int = 30) throws -> EulerDiscreteScheduler {
        var scheduler = try EulerDiscreteScheduler(configuration: configurations[index].configuration)
        try scheduler.setTimesteps(steps)
        return scheduler
    }

    /// x_T = ε·σmax as a pipeline draws it, and the sampler's run from there.
    static func run(_ sampler: some Sampler, scheduler: EulerDiscreteScheduler) throws -> SamplingResult {
        var generator = TorchGenerator(seed: 17)
        let latents = generator.randn(shape) * scheduler.initNoiseSigma
        var any: any Scheduler = scheduler
        return try sampler.sample(latents, scheduler: &any, denoiser: ElementwiseDenoiser(imagesPerGroup: 2),
                                  noise: { generator.randn($0) }, progress: { _ in })
    }

    @Test(arguments: configurations.indices)
    func windowOfOneReproducesSequentialEulerExactly(configuration: Int) throws {
        let scheduler = try Self.euler(configuration)
        let expected = try Self.run(SequentialSampler(), scheduler: scheduler)
        let result = try Self.run(ParaDiGMSSampler(parallel: 1, tolerance: 0.1), scheduler: scheduler)
        #expect(result.latents.scalars == expected.latents.scalars)
        #expect(result.statistics.parallelIterations == 30)
    }

    @Test(arguments: configurations.indices)
    func zeroToleranceReproducesSequentialTrajectory(configuration: Int) throws {
        let scheduler = try Self.euler(configuration)
        let expected = try #require(try Self.run(SequentialSampler(keepsTrajectory: true), scheduler: scheduler)
            .trajectory)
        let result = try Self.run(ParaDiGMSSampler(parallel: 8, tolerance: 0, keepsTrajectory: true),
                                  scheduler: scheduler)
        let trajectory = try #require(result.trajectory)
        #expect(trajectory.count == expected.count)
        for (point, (computed, sequential)) in zip(trajectory, expected).enumerated() {
            #expect(computed.scalars == sequential.scalars, "point \(point)")
        }
    }

    /// Fewer parallel iterations than steps, and a result that approaches the sequential one as the tolerance
    /// shrinks, ending within 1e-3 of it (relative to the sample's scale) at tolerance 1e-3.
    @Test(arguments: configurations.indices)
    func parallelEulerConvergesToSequentialEuler(configuration: Int) throws {
        let scheduler = try Self.euler(configuration)
        let expected = try Self.run(SequentialSampler(), scheduler: scheduler).latents
        let scale = max(expected.maxAbs, 1)
        let runs = try [0.3, 0.03, 0.001].map { tolerance in
            try Self.run(ParaDiGMSSampler(parallel: 8, tolerance: tolerance), scheduler: scheduler)
        }
        let distances = runs.map { $0.latents.maxAbsDifference(expected) / scale }
        #expect(runs.allSatisfy { $0.statistics.parallelIterations < 30 },
                "\(runs.map(\.statistics.parallelIterations))")
        #expect(distances[1] < distances[0] && distances[2] < distances[1], "\(distances)")
        #expect(distances[2] <= 1e-3, "\(distances)")
    }
}
