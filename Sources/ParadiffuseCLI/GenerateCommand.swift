import ArgumentParser
import Foundation
import Paradiffuse

extension SamplingRequest.Method: ExpressibleByArgument {}
extension SigmaSpacing: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate images with a diffusion model.")

    @OptionGroup var model: ModelOption

    @Option(parsing: .unconditional, help: ArgumentHelp("Denoising steps, at least 1 (default: 50 for Stable Diffusion, 4 for LCM, otherwise "
                               + "the scheduler's: 50 for ddim, 1000 for ddpm)."))
    var steps: Int?

    @Option(help: ArgumentHelp("The scheduler (default: the one in the model's scheduler_config.json); also by the "
                               + "names stable-diffusion.cpp, A1111 and ComfyUI use (euler_a, dpm++2m, \"DPM++ 2M Karras\", "
                               + "dpmpp_2m_karras, uni_pc, plms, ...), a karras suffix asking for Karras sigmas.",
                               valueName: SchedulerKind.allCases.map(\.rawValue).joined(separator: "|")))
    var scheduler: SchedulerChoice?

    @Flag(help: "Karras sigma schedule, for schedulers with use_karras_sigmas (\"DPM++ 2M Karras\" is --scheduler dpm-solver --karras).")
    var karras = false

    @Option(help: ArgumentHelp("The σ schedule (default: the folder's): karras (the solvers and σ schedulers), "
                               + "exponential or beta (Euler, Heun, LMS, KDPM2, KDPM2 a); timesteps keeps the training σ.",
                               valueName: SigmaSpacing.allCases.map(\.rawValue).joined(separator: "|")))
    var sigmaSchedule: SigmaSpacing?

    @Option(help: ArgumentHelp("Timestep spacing over the training schedule (default: the folder's).",
                               valueName: "leading|trailing|linspace"))
    var timestepSpacing: String?

    @Option(parsing: .unconditional, help: "DDIM's eta in [0, 1]: 0 is deterministic, 1 adds as much noise as DDPM (default: 0).")
    var eta: Float?

    @Option(name: [.customShort("s"), .long], parsing: .unconditional,
            help: "Seed of the PyTorch-compatible random generator (default: a random seed, printed).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Images to generate, at least 1.")
    var count = 1

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var vaeOptions: VAEOptions

    @OptionGroup var embeddingOptions: EmbeddingOptions

    @Flag(help: ArgumentHelp("One random generator for the whole batch, as diffusers given one torch.Generator "
                             + "(default: image i has its own generator seeded seed + i, so it can be made again alone, "
                             + "as diffusers given a list of generators)."))
    var batchSeed = false

    @Option(name: .customLong("class"),
            help: ArgumentHelp("Class for class-conditional models: a number (e.g. an ImageNet class) or, for folders "
                               + "with class names (DiT's id2label), a name.", valueName: "label"))
    var classLabel: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Classifier-free guidance scale, at least 0; 1 or less means no guidance (default: the "
                               + "pipeline's: 7.5 for Stable Diffusion, 8.5 for LCM).",
                               discussion: "For LCM UNets (time_cond_proj_dim) it sets the guidance embedding "
                               + "w = g − 1 instead of a classifier-free guidance batch."))
    var guidance: Float?

    @Option(name: [.customShort("o"), .long],
            help: ArgumentHelp("The PNG file to write; with --count above 1, <name>-0.png, <name>-1.png, ...",
                               valueName: "file.png"))
    var output = "output.png"

    @Flag(help: "Also write all images tiled into one grid, <name>-grid.png.")
    var grid = false

    @Option(parsing: .unconditional, help: "The grid's rows, with ⌈n / rows⌉ columns (implies --grid).")
    var rows: Int?

    @Option(parsing: .unconditional, help: "The grid's columns (implies --grid; default ⌈√n⌉).")
    var columns: Int?

    @Option(name: .customLong("save-latents"),
            help: ArgumentHelp("Also save the final latents to a safetensors file.", valueName: "file.safetensors"))
    var saveLatents: String?

    @Flag(help: "Replace output files that already exist.")
    var overwrite = false

    @Flag(help: "Run even when the memory the run needs is estimated above the memory available.")
    var force = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup(title: "Stable Diffusion")
    var prompts: PromptOptions

    @OptionGroup(title: "Parallel sampling")
    var sampling: SamplingOptions

    @OptionGroup var arithmetic: PrecisionOption

    @OptionGroup(title: "Processes (mpirun -np K paradiffuse generate ...)")
    var processes: ProcessOptions

    /// Images in one run: their latents, and all the model's activations for them, are held at once.
    static let maximumImages = 4_096

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if let sigmaSchedule, sigmaSchedule != .karras, karras || scheduler?.karras == true {
            throw ValidationError("--sigma-schedule \(sigmaSchedule.rawValue) and Karras sigmas (--karras, a karras "
                                  + "scheduler name) are two σ schedules; give one")
        }
        guard (1...Self.maximumImages).contains(count) else {
            throw ValidationError("--count must be in 1...\(Self.maximumImages), got \(count)")
        }
        if prompts.prompt.count * count > Self.maximumImages {
            throw ValidationError("\(prompts.prompt.count) prompts × --count \(count) make more than "
                                  + "\(Self.maximumImages) images in one run")
        }
        if let eta {
            guard eta.isFinite, (0...1).contains(eta) else { throw ValidationError("--eta must be in [0, 1], got \(eta)") }
            if let scheduler, scheduler.scheduler != .ddim {
                throw ValidationError("--eta applies to the ddim scheduler only, not \(scheduler.scheduler.rawValue)")
            }
        }
        if let timestepSpacing, !["leading", "trailing", "linspace"].contains(timestepSpacing) {
            throw ValidationError("--timestep-spacing must be leading, trailing or linspace, got '\(timestepSpacing)'")
        }
        if let number = classLabel.flatMap({ Int($0) }), number < 0 {
            throw ValidationError("--class must be 0 or more, got \(number)")
        }
        if let guidance, !(guidance.isFinite && guidance >= 0) {
            throw ValidationError("--guidance must be a number, 0 or more, got \(guidance)")
        }
        try processes.validate(guidance: guidance)
        if rows != nil, columns != nil { throw ValidationError("give --rows or --columns, not both") }
        for (name, value) in [("rows", rows), ("columns", columns)] {
            if let value, !(1...Self.maximumImages).contains(value) {
                throw ValidationError("--\(name) must be in 1...\(Self.maximumImages), got \(value)")
            }
        }
        guard URL(fileURLWithPath: output).pathExtension.lowercased() == "png" else {
            throw ValidationError("--output must name a .png file, got '\(output)'")
        }
        if let saveLatents, URL(fileURLWithPath: saveLatents).pathExtension.lowercased() != "safetensors" {
            throw ValidationError("--save-latents must name a .safetensors file, got '\(saveLatents)'")
        }
    }

    func run() throws {
        let folder = try model.folder()
        let vae = try vaeOptions.folder()
        let embeddings = try embeddingOptions.embeddings()
        try processes.run(model: folder ?? DefaultModel.url, seed: seed, quiet: quiet) { role, progress, seed in
            let request = try makeRequest(seed: seed)
            progress.message(arithmetic.summary)
            if role.writesOutputs { try outputs.files(imageCount: request.imageCount).checkWritable(overwrite: overwrite) }
            if self.seed == nil { progress.message("seed \(request.seed)") }
            let pipeline = try DiffusionPipeline(folder: folder,
                                                 precision: arithmetic.precision, quantization: arithmetic.quantization,
                                                 variant: prompts.variant, vae: vae, embeddings: embeddings,
                                                 logger: logging.logger(progress))
            try vaeOptions.apply(to: pipeline)
            try Generation.run(request, pipeline: pipeline, outputs: outputs, progress: progress, role: role)
        }
    }

    var outputs: GenerationOutputs {
        var outputs = GenerationOutputs(image: URL(fileURLWithPath: output), grid: grid || rows != nil || columns != nil,
                          latents: saveLatents.map { URL(fileURLWithPath: $0) },
                          trajectory: sampling.saveTrajectory.map { URL(fileURLWithPath: $0) },
                          statistics: sampling.stats.map { URL(fileURLWithPath: $0) }, overwrite: overwrite)
        outputs.gridColumns = columns
        outputs.gridRows = rows
        return outputs
    }

    func makeRequest(seed: UInt64) throws -> GenerationRequest {
        var request = GenerationRequest(
            steps: steps,
            scheduler: scheduler?.scheduler,
            eta: eta,
            seed: seed,
            count: count,
            classLabel: classLabel.flatMap { Int($0) },
            guidance: guidance,
            schedulerSettings: SchedulerSettings(sigmaSpacing: karras || scheduler?.karras == true ? .karras : sigmaSchedule,
                                                 timestepSpacing: timestepSpacing),
            sampling: sampling.request,
            prompt: try prompts.request())
        request.classLabelName = classLabel.flatMap { Int($0) == nil ? $0 : nil }
        request.force = force
        request.perImageSeeds = !batchSeed
        return request
    }
}
