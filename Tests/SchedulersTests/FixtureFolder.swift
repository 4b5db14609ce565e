import Foundation

/// A folder of fixture runs, each stored as `<name>.json` (its scheduler_config.json) and `<name>.safetensors`.
protocol FixtureFolder {
    static var directory: URL { get }
}

extension FixtureFolder {
    /// The case names of the fixture folder that start with `prefix`.
    static func cases(prefix: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
            .map { String($0.dropLast(".json".count)) }.sorted()
    }
}
