import ArgumentParser
import Foundation
import Pipelines

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model folder: components, parameters, dtypes, size and memory estimate.")

    @Option(help: ArgumentHelp("A diffusers model folder (model_index.json) or component folder (config.json); "
                               + "default: the model that ships with Paradiffuse.", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Weights variant to describe, e.g. fp16 for diffusion_pytorch_model.fp16.safetensors.",
                               valueName: "name"))
    var variant: String?

    func run() throws {
        print(try ModelInfo(folder: model.map { URL(fileURLWithPath: $0) } ?? DefaultModel.url, variant: variant))
    }
}
