import ArgumentParser
import Foundation
import Tensors

/// Ends the program for an error: help and version requests print their text and succeed; every other error
/// reaches the user as one line, `error: <message>`, with exit code 1.
func exit(reporting error: Error) -> Never {
    if Paradiffuse.exitCode(for: error) == .success { Paradiffuse.exit(withError: error) }
    let message = Paradiffuse.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    if message.isEmpty { Paradiffuse.exit(withError: error) }
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(ExitCode.failure.rawValue)
}

do {
    var command = try Paradiffuse.parseAsRoot()
    if let cap = CPUCapabilities.current.invalidCap {
        throw ValidationError("PARADIFFUSE_MAX_CPU_ISA='\(cap)' names no instruction set; use one of "
                              + CPUCapabilities.InstructionSet.allCases.map(\.description).joined(separator: ", "))
    }
    try command.run()
} catch {
    exit(reporting: error)
}
