import ArgumentParser
import Paradiffuse

struct ParadiffuseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paradiffuse",
        abstract: "Run diffusers-format diffusion models on the CPU.",
        version: ParadiffuseVersion.current,
        subcommands: [GenerateCommand.self, InfoCommand.self, BenchCommand.self])
}
