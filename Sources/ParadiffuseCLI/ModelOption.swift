import ArgumentParser
import Foundation
import Paradiffuse

/// `-m/--model`, the folder every command reads.
struct ModelOption: ParsableArguments {
    @Option(name: [.customShort("m"), .long],
            help: ArgumentHelp("A diffusers model folder (model_index.json) or component folder (config.json); "
                               + "default: the model that ships with Paradiffuse.", valueName: "path"))
    var model: String?

    /// The folder given, or nil for the default model.
    var folder: URL? { model.map { URL(fileURLWithPath: $0, isDirectory: true) } }

    /// The folder given, or the default model's.
    var folderOrDefault: URL { folder ?? DefaultModel.url }

    /// How messages name the model.
    var name: String { model ?? "the default model" }
}
