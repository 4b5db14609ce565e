import Foundation

/// The checks that end a process — `precondition`, `preconditionFailure`, `fatalError` — and the forced
/// operations that trap — postfix `!`, `try!`, `as!` — in a Swift file's code, its comments and string literals
/// left out.
struct SwiftSourceScan {
    enum Kind: String, CaseIterable {
        case trap
        case forced
    }

    /// Occurrences of each kind, by the line they are on.
    private(set) var lines: [Kind: [Int]] = [:]

    init(_ source: String) {
        let code = Self.codeOnly(source)
        for (index, line) in code.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(line)
            for _ in Self.matches(of: Self.trapPattern, in: text) { lines[.trap, default: []].append(index + 1) }
            for _ in Self.matches(of: Self.forcedPattern, in: text) { lines[.forced, default: []].append(index + 1) }
        }
    }

    private static let trapPattern = try! NSRegularExpression(pattern: #"\b(precondition|preconditionFailure|fatalError)\s*\("#)
    /// `x!`, `f()!`, `a[i]!` (not `!=`), `try!`, `as!`.
    private static let forcedPattern = try! NSRegularExpression(pattern: #"([\w\)\]]!(?!=))|\btry!|\bas!"#)

    private static func matches(of pattern: NSRegularExpression, in text: String) -> [NSTextCheckingResult] {
        pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    /// The source with comments and the contents of string literals blanked (line breaks kept, so that line
    /// numbers stay), including `"""` literals and interpolations' text.
    static func codeOnly(_ source: String) -> String {
        var result: [Character] = []
        let characters = Array(source)
        var index = 0
        func at(_ offset: Int) -> Character? { index + offset < characters.count ? characters[index + offset] : nil }
        while index < characters.count {
            let character = characters[index]
            if character == "/", at(1) == "/" {
                while index < characters.count, characters[index] != "\n" { index += 1 }
            } else if character == "/", at(1) == "*" {
                index += 2
                while index < characters.count, !(characters[index] == "*" && at(1) == "/") {
                    if characters[index] == "\n" { result.append("\n") }
                    index += 1
                }
                index += 2
            } else if character == "\"" {
                let delimiter = at(1) == "\"" && at(2) == "\"" ? "\"\"\"" : "\""
                index += delimiter.count
                result.append(" ")
                while index < characters.count {
                    if characters[index] == "\\" { index += 2; continue }
                    if String(characters[index..<min(index + delimiter.count, characters.count)]) == delimiter {
                        index += delimiter.count
                        break
                    }
                    if characters[index] == "\n" { result.append("\n") }
                    index += 1
                }
            } else {
                result.append(character)
                index += 1
            }
        }
        return String(result)
    }
}
