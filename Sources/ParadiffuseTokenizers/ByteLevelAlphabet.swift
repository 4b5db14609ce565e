/// GPT-2's byte-level alphabet, which CLIP's vocabulary is written in: every byte stands for one printable
/// character, so that any UTF-8 text becomes a string of vocabulary symbols and back without loss.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the other 68 bytes, in increasing
/// order, for U+0100 onwards.
enum ByteLevelAlphabet {
    /// The character each byte stands for, indexed by byte.
    static let characters: [Unicode.Scalar] = {
        var characters = [Unicode.Scalar](repeating: "\0", count: 256)
        var nextShifted: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(UInt8(byte)) {
                characters[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                characters[byte] = Unicode.Scalar(nextShifted)!
                nextShifted += 1
            }
        }
        return characters
    }()

    /// The byte each alphabet character stands for.
    static let bytes: [Unicode.Scalar: UInt8] = Dictionary(
        uniqueKeysWithValues: characters.enumerated().map { ($0.element, UInt8($0.offset)) })

    private static func isPrintable(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}
