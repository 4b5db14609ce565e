import Foundation
import Loading
import Schedulers
import Tensors
import Testing

/// The fixture comparisons every sigma-based scheduler's tests run.
enum SigmaSchedulerChecks {
    /// Fractional timesteps found from σ (Karras, exponential, KDPM2's midpoints) interpolate the training log σ,
    /// which NumPy's float32 log and the C library's differ on by an ulp: relative 1e-7 on the timestep.
    static let interpolatedTimestepTolerance: Float = 5e-7

    /// Timesteps, σ and the initial noise σ of the fixture's run equal diffusers'.
    static func scheduleEqualsDiffusers(_ name: String,
                                        timestepTolerance: Float = interpolatedTimestepTolerance) throws {
        let fixture = try SigmaSchedulerFixture(name)
        let scheduler = try #require(try fixture.makeScheduler() as? any SigmaScheduleExposing)
        #expect(scheduler.timesteps == Array(fixture.timesteps.indices))
        let timestepError = SigmaScheduleLists.difference(scheduler.modelTimesteps, fixture.timesteps)
        #expect(timestepError <= timestepTolerance, "timesteps differ by \(timestepError)")
        let sigmaError = SigmaScheduleLists.difference(scheduler.sigmas, fixture.sigmas)
        #expect(sigmaError <= 2 * Float.ulpOfOne, "σ differ by \(sigmaError)")
        #expect(abs(scheduler.initNoiseSigma - fixture.initNoiseSigma) <= Float.ulpOfOne * fixture.initNoiseSigma)
    }

    /// Each model input and step from diffusers' own sample, keeping the state of the steps before and taking
    /// the noise diffusers drew, within `tolerance`.
    static func everyStepMatchesDiffusers(_ name: String, tolerance: Float = 1e-6) throws {
        let fixture = try SigmaSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        let steps = try fixture.stepErrors(&scheduler)
        #expect(steps.count == fixture.timesteps.count)
        for step in steps {
            #expect(step.drewAsDiffusers, "draws at key \(step.key)")
            #expect(step.inputError <= 1e-6, "model input at key \(step.key): relative error \(step.inputError)")
            #expect(step.stepError <= tolerance, "step at key \(step.key): relative error \(step.stepError)")
        }
    }

    /// The whole run on the scheduler's own outputs, noise from a seeded `TorchGenerator`, within 1e-4.
    static func trajectoryMatchesDiffusers(_ name: String) throws {
        let fixture = try SigmaSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        for (key, error) in try fixture.trajectoryErrors(&scheduler).enumerated() {
            #expect(error <= 1e-4, "after key \(key): relative error \(error)")
        }
    }

    /// set_timesteps for 1, 2, 7, 30 and 61 steps and every spacing on Stable Diffusion's betas.
    static func schedulesEqualDiffusers(_ kind: SchedulerKind, karras: Bool = true, skipping: Set<Int> = [],
                                        timestepTolerance: Float = interpolatedTimestepTolerance) throws {
        let file = try #require(SigmaScheduleLists.schedules)
        for spacing in SigmaScheduleLists.spacings where karras || spacing.name != "karras" {
            for count in SigmaScheduleLists.counts where !skipping.contains(count) {
                let key = "\(kind.classNames[0])_\(spacing.name)_n\(count)"
                var scheduler = try #require(try SigmaScheduleLists.scheduler(kind, spacing.config)
                    as? any SigmaScheduleExposing)
                try scheduler.setTimesteps(count)
                let timesteps = try file.tensor(named: "\(key)_timesteps").scalars
                let sigmas = try file.tensor(named: "\(key)_sigmas").scalars
                let timestepError = SigmaScheduleLists.difference(scheduler.modelTimesteps, timesteps)
                #expect(timestepError <= timestepTolerance, "\(key): timesteps differ by \(timestepError)")
                let sigmaError = SigmaScheduleLists.difference(scheduler.sigmas, sigmas)
                #expect(sigmaError <= 2 * Float.ulpOfOne, "\(key): σ differ by \(sigmaError)")
            }
        }
    }

    /// add_noise at the σ of a run's key (image-to-image's `set_begin_index`), within 1e-6.
    static func addNoiseEqualsDiffusers(_ kind: SchedulerKind) throws {
        let file = try #require(SigmaScheduleLists.addNoise)
        let original = try file.tensor(named: "original"), noise = try file.tensor(named: "noise")
        let steps = try #require(Int(file.metadata["num_inference_steps"] ?? ""))
        for begin in (file.metadata["begins"] ?? "").split(separator: ",").compactMap({ Int($0) }) {
            var scheduler = try SigmaScheduleLists.scheduler(kind)
            try scheduler.setTimesteps(steps)
            let noisy = try scheduler.addNoise(original: original, noise: noise, timesteps: [begin])
            let error = relativeError(noisy, try file.tensor(named: "\(kind.classNames[0])_begin\(begin)"))
            #expect(error <= 1e-6, "begin \(begin): relative error \(error)")
        }
    }

    /// Whether building `kind` from `values` fails with an error that mentions every one of `words`.
    static func isRejected(_ kind: SchedulerKind, _ values: [String: JSONValue], mentioning words: [String]) -> Bool {
        do {
            _ = try SigmaScheduleLists.scheduler(kind, values)
            return false
        } catch {
            return words.allSatisfy { "\(error)".contains($0) }
        }
    }
}
