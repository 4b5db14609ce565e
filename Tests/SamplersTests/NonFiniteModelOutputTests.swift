import Foundation
import ParadiffuseLoading
@testable import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// A network whose weights hold a NaN: every output element is NaN from the given call on.
private final class NaNDenoiser: Denoiser {
    let imagesPerGroup = 1
    private(set) var calls = 0

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        calls += 1
        return latents.scaledPerItem(Array(repeating: .nan, count: latents.batchSize))
    }
}

@Test(arguments: ["sequential", "paradigms", "parataa"])
func everySamplerStopsAtTheFirstNonFiniteModelOutput(_ name: String) throws {
    let sampler: any Sampler = switch name {
    case "paradigms": try ParaDiGMSSampler(parallel: 8, tolerance: 0.1)
    case "parataa": try ParaTAASampler(window: 8, order: 1, memory: 1)
    default: SequentialSampler()
    }
    var scheduler: any Scheduler = try DDIMScheduler()
    try scheduler.setTimesteps(20)
    let denoiser = NaNDenoiser()
    var generator = TorchGenerator(seed: 0)
    let latents = generator.randn([1, 2, 4, 4])
    #expect(throws: NonFiniteModelOutput.self) {
        try sampler.sample(latents, scheduler: &scheduler, denoiser: denoiser, noise: { generator.randn($0) },
                           progress: { _ in })
    }
    #expect(denoiser.calls == 1, "the sampler went on after the first NaN output")
}

@Test func nonFiniteOutputNamesTheWeightsOrTheInputAsTheCause() {
    #expect("\(NonFiniteModelOutput(inputWasFinite: true, timesteps: [981]))".contains("its weights probably hold NaN"))
    #expect("\(NonFiniteModelOutput(inputWasFinite: false, timesteps: [981, 961]))".contains("timesteps 961.0…981.0: its input already did"))
}

@Test func betasOutsideZeroToOneAreAnErrorNamingTheKeys() throws {
    for betaStart in [-Double.infinity, -0.5, .nan, 2] {
        let config = JSONConfig(values: ["beta_start": .number(betaStart), "beta_schedule": .string("linear")],
                                url: URL(fileURLWithPath: "scheduler_config.json"))
        #expect {
            try DDPMScheduler(config: config)
        } throws: { error in
            "\(error)".contains("scheduler_config.json: key 'beta_start'") && "\(error)".contains("must give betas in [0, 1]")
        }
    }
}
