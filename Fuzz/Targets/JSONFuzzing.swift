import Foundation
import ParadiffuseLoading

enum JSONFuzzing {
    /// Parses; a document that parses must describe itself without trapping.
    static func run(_ data: Data) throws {
        let value = try JSONValue.parse(data, from: FuzzTarget.source)
        _ = value.description
        _ = value.integer
    }
}
