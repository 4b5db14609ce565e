import Foundation
import Testing

/// The rule of issue 13: no process-ending check or forced operation on a value from a file, the command line, the
/// network or the hardware. Those that remain check programmer errors (a shape the caller guarantees, a resource
/// built into the binary) and are listed, with their reason, in `programmer-error-checks.txt`; any other one in
/// Sources/ or Fuzz/ fails this test, and so does a listed count that is no longer right.
struct SourceRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `path kind count`, one file per line, from the allowlist (after `#` a reason or comment).
    static func allowlist() throws -> [String: Int] {
        let text = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("programmer-error-checks.txt"), encoding: .utf8)
        var allowed: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "#", maxSplits: 1)[0].split(separator: " ")
            guard fields.count == 3, let count = Int(fields[2]) else { continue }
            allowed["\(fields[0]) \(fields[1])"] = count
        }
        return allowed
    }

    static func found() throws -> [String: (count: Int, lines: [Int])] {
        var found: [String: (count: Int, lines: [Int])] = [:]
        for folder in ["Sources", "Fuzz"] {
            let base = root.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let path as String in files where path.hasSuffix(".swift") {
                let scan = SwiftSourceScan(try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8))
                for kind in SwiftSourceScan.Kind.allCases {
                    guard let lines = scan.lines[kind] else { continue }
                    found["\(folder)/\(path) \(kind.rawValue)"] = (lines.count, lines)
                }
            }
        }
        return found
    }

    @Test func everyTrapAndForcedOperationInTheSourcesIsAListedProgrammerErrorCheck() throws {
        let allowed = try Self.allowlist()
        let found = try Self.found()
        for (key, occurrences) in found.sorted(by: { $0.key < $1.key }) {
            let limit = allowed[key] ?? 0
            #expect(occurrences.count <= limit, """
                \(key): \(occurrences.count) found (lines \(occurrences.lines.map(String.init).joined(separator: ", "))), \
                \(limit) allowed — make a bad value a typed error, or list a programmer-error check with its reason
                """)
        }
        for (key, limit) in allowed where (found[key]?.count ?? 0) < limit {
            #expect(Bool(false), "\(key): \(limit) allowed, \(found[key]?.count ?? 0) found — lower the count")
        }
    }

    @Test func scanSeesCodeOnly() {
        let source = """
            let a = b! // c!
            let s = "not! this \\"either!\\"" + d!
            /* e!
               f! */ if x != y { try! g() }
            """
        let scan = SwiftSourceScan(source)
        #expect(scan.lines[.forced] == [1, 2, 4])
        #expect(SwiftSourceScan("precondition(x)\nlet m = \"fatalError(\"").lines[.trap] == [1])
    }
}
