import ArgumentParser
import Foundation
import Paradiffuse

/// Ends the program for an error: help and version requests print their text and succeed; a usage error (a bad
/// option or value) prints `error: <message>` and where to find the options' help, with exit code 64 (EX_USAGE);
/// every other error reaches the user as one line, `error: <message>`, with exit code 1.
func exit(reporting error: Error) -> Never {
    let code = ParadiffuseCommand.exitCode(for: error)
    if code == .success { ParadiffuseCommand.exit(withError: error) }
    let message = ParadiffuseCommand.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    if message.isEmpty { ParadiffuseCommand.exit(withError: error) }
    var text = "error: \(message)\n"
    if code == .validationFailure,
       let hint = ParadiffuseCommand.fullMessage(for: error).split(whereSeparator: \.isNewline).last(where: {
           $0.contains("--help")
       }) {
        text += hint.trimmingCharacters(in: .whitespaces) + "\n"
    }
    FileHandle.standardError.write(Data(text.utf8))
    exit(code == .validationFailure ? code.rawValue : ExitCode.failure.rawValue)
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
