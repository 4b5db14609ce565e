import ArgumentParser
import Foundation
import Paradiffuse

/// Ends the program for an error: help and version requests print their text and succeed; every other error
/// reaches the user as one line, `error: <message>`, with exit code 1.
func exit(reporting error: Error) -> Never {
    if ParadiffuseCommand.exitCode(for: error) == .success { ParadiffuseCommand.exit(withError: error) }
    let message = ParadiffuseCommand.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    if message.isEmpty { ParadiffuseCommand.exit(withError: error) }
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(ExitCode.failure.rawValue)
}

do {
    var command = try ParadiffuseCommand.parseAsRoot()
    if let cap = CPUCapabilities.current.invalidCap {
        throw ValidationError("PARADIFFUSE_MAX_CPU_ISA='\(cap)' names no instruction set; use one of "
                              + CPUCapabilities.InstructionSet.allCases.map(\.description).joined(separator: ", "))
    }
    try command.run()
} catch {
    exit(reporting: error)
}
