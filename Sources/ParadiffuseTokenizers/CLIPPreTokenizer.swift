/// The words of normalized text that BPE encodes one by one: CLIP's split pattern
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`, keeping the
/// matches and dropping what lies between (whitespace), followed by the byte-level pre-tokenizer's GPT-2 split of
/// each match. The latter only changes the two literal special tokens, which it cuts into `<|`, the name and `|>`.
enum CLIPPreTokenizer {
    private static let specialLiterals = ["startoftext", "endoftext"].map { Array("<|\($0)|>".unicodeScalars) }
    private static let contractionEndings = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

    static func words(in text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var words: [String] = []
        var position = 0
        func take(_ length: Int) {
            words.append(String(String.UnicodeScalarView(scalars[position..<(position + length)])))
            position += length
        }
        while position < scalars.count {
            let characterClass = CLIPCharacterClass(scalars[position])
            if characterClass == .whitespace {
                position += 1
            } else if let literal = specialLiterals.first(where: { startsWith($0, scalars, at: position) }) {
                take(2)
                take(literal.count - 4)
                take(2)
            } else if scalars[position] == "'",
                      let ending = contractionEndings.first(where: { startsWith($0, scalars, at: position + 1) }) {
                take(1 + ending.count)
            } else if characterClass == .number {
                take(1)
            } else {
                take(runLength(of: characterClass, in: scalars, from: position))
            }
        }
        return words
    }

    private static func startsWith(_ prefix: [Unicode.Scalar], _ scalars: [Unicode.Scalar], at position: Int) -> Bool {
        position + prefix.count <= scalars.count && scalars[position..<(position + prefix.count)].elementsEqual(prefix)
    }

    private static func runLength(of characterClass: CLIPCharacterClass, in scalars: [Unicode.Scalar],
                                  from start: Int) -> Int {
        var end = start + 1
        while end < scalars.count, CLIPCharacterClass(scalars[end]) == characterClass { end += 1 }
        return end - start
    }
}
