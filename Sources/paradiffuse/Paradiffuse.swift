import ArgumentParser

struct Paradiffuse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paradiffuse",
        abstract: "Run diffusers-format diffusion models on the CPU.",
        subcommands: [GenerateCommand.self, InfoCommand.self, BenchCommand.self])
}
