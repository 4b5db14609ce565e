/// The tokens matched whole in the text before normalization and BPE (CLIP's start/end tokens, SD2's `!` pad
/// token, textual-inversion tokens), as `tokenizers`' added vocabulary matches them: first the non-normalized
/// tokens in the raw text, then the normalized ones in each remaining piece after normalization; at each place the
/// leftmost, then longest, token wins.
struct AddedVocabulary: Sendable {
    enum Piece: Equatable {
        case token(Int)
        case text(String)
    }

    private let rawTokens: [Pattern]
    private let normalizedTokens: [Pattern]
    /// Every added token by id, for decoding; `tokenizers` gives a normalized token's normalized text.
    let tokens: [Int: String]
    /// Every added token's id.
    let ids: [String: Int]

    /// Ids come from the vocabulary; a token it lacks gets the next id after the vocabulary's (its size, when its
    /// ids are 0..<size as in every real vocabulary) and earlier added tokens. A token declared again keeps its place and takes the later declaration's `normalized` flag.
    init(_ declarations: [AddedTokenDeclaration], vocabulary: [String: Int]) {
        var latest: [AddedTokenDeclaration] = []
        for declaration in declarations where !declaration.content.isEmpty {
            if let index = latest.firstIndex(where: { $0.content == declaration.content }) {
                latest[index] = declaration
            } else {
                latest.append(declaration)
            }
        }
        var nextID = (vocabulary.values.max() ?? -1) + 1
        let patterns = latest.map { declaration -> Pattern in
            let id = vocabulary[declaration.content] ?? nextID
            nextID = max(nextID, id + 1)
            return Pattern(declaration, id: id)
        }
        ids = Dictionary(uniqueKeysWithValues: patterns.map { ($0.content, $0.id) })
        tokens = Dictionary(uniqueKeysWithValues: patterns.map { ($0.id, String(String.UnicodeScalarView($0.scalars))) })
        rawTokens = patterns.filter { !$0.isNormalized }
        normalizedTokens = patterns.filter(\.isNormalized)
    }

    /// The text as added tokens and normalized text between them.
    func pieces(of text: String) -> [Piece] {
        Self.split(text, on: rawTokens).flatMap { piece -> [Piece] in
            guard case let .text(raw) = piece else { return [piece] }
            return Self.split(CLIPNormalizer.normalize(raw), on: normalizedTokens)
        }
    }

    private static func split(_ text: String, on patterns: [Pattern]) -> [Piece] {
        let scalars = Array(text.unicodeScalars)
        guard !patterns.isEmpty, !scalars.isEmpty else { return scalars.isEmpty ? [] : [.text(text)] }
        var pieces: [Piece] = []
        var textStart = 0
        var position = 0
        while position < scalars.count {
            var match: Pattern?
            for pattern in patterns where pattern.scalars.count > match?.scalars.count ?? 0 {
                if pattern.matches(scalars, at: position) { match = pattern }
            }
            guard let match else {
                position += 1
                continue
            }
            if textStart < position { pieces.append(.text(String(String.UnicodeScalarView(scalars[textStart..<position])))) }
            pieces.append(.token(match.id))
            position += match.scalars.count
            textStart = position
        }
        if textStart < scalars.count { pieces.append(.text(String(String.UnicodeScalarView(scalars[textStart...])))) }
        return pieces
    }
}

private struct Pattern: Sendable {
    let content: String
    let id: Int
    let isNormalized: Bool
    /// What is matched: the content, normalized for a normalized token.
    let scalars: [Unicode.Scalar]

    init(_ declaration: AddedTokenDeclaration, id: Int) {
        content = declaration.content
        self.id = id
        isNormalized = declaration.normalized
        let text = declaration.normalized ? CLIPNormalizer.normalize(declaration.content) : declaration.content
        scalars = Array(text.unicodeScalars)
    }

    func matches(_ text: [Unicode.Scalar], at position: Int) -> Bool {
        !scalars.isEmpty && position + scalars.count <= text.count
            && text[position..<(position + scalars.count)].elementsEqual(scalars)
    }
}
