import Foundation

/// transformers' CLIPTokenizer normalizer: Unicode NFC, every run of whitespace to one space, then lowercase
/// (each character by its full lowercase mapping, without context: `Σ` is always `σ`, `İ` becomes `i̇`).
/// No ftfy and no HTML unescaping: transformers 5's CLIPTokenizer has neither.
enum CLIPNormalizer {
    static func normalize(_ text: String) -> String {
        let composed = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
        var normalized = String.UnicodeScalarView()
        var afterWhitespace = false
        for scalar in composed.unicodeScalars {
            if CLIPCharacterClass(scalar) == .whitespace {
                if !afterWhitespace { normalized.append(" ") }
                afterWhitespace = true
            } else {
                afterWhitespace = false
                if scalar.isASCII {
                    normalized.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(UInt8(scalar.value) + 32) : scalar)
                } else {
                    normalized.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
        }
        return String(normalized)
    }
}
