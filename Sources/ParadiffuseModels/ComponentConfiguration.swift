import Foundation
import ParadiffuseLoading

/// What a model component's `config.json` holds, read and checked before anything is built.
public protocol ComponentConfiguration: Sendable {
    /// Reads and checks the bytes of a `config.json`; `url` names it in errors, which name the key at fault.
    static func decode(_ data: Data, from url: URL) throws -> Self

    /// Checks that a model can be built as configured; errors name `file` and the key at fault.
    func validate(file: String) throws
}

extension ComponentConfiguration {
    /// Reads and checks `config.json`; errors name the file and the key.
    public static func read(from url: URL) throws -> Self {
        try decode(RegularFile.contents(of: url), from: url)
    }
}
