/// How CLIP's split pattern sees a character: `\s`, `\p{L}`, `\p{N}` or anything else.
///
/// `tokenizers` evaluates the pattern with Oniguruma, whose Unicode tables stop at Unicode 16.0: characters
/// assigned later (Unicode 17.0's new scripts) are neither letters nor numbers there, and so neither are they here.
enum CLIPCharacterClass: Equatable {
    case whitespace
    case letter
    case number
    case other

    private static let newestKnownUnicodeVersion = (major: 16, minor: 0)
    private static let asciiClasses: [CLIPCharacterClass] = (0..<128).map { value in
        switch UInt8(value) {
        case 0x09...0x0D, 0x20: .whitespace
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        default: .other
        }
    }

    init(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            self = Self.asciiClasses[Int(scalar.value)]
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        guard let age = properties.age,
              (age.major, age.minor) <= Self.newestKnownUnicodeVersion else {
            self = .other
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        default:
            self = .other
        }
    }
}
