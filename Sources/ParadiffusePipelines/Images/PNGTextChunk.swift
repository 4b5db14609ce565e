/// A PNG text chunk ready for libpng: a Latin-1 keyword, and text in Latin-1 (tEXt) or UTF-8 (iTXt).
struct PNGTextChunk {
    let keyword: [UInt8]
    let text: [UInt8]
    let isUTF8: Bool

    init(keyword: String, text: String) throws {
        let keywordScalars = keyword.unicodeScalars.map(\.value)
        guard (1...79).contains(keywordScalars.count) else {
            throw ImageError.invalidTextKeyword(keyword, reason: "must have 1 to 79 characters")
        }
        guard keywordScalars.allSatisfy({ (32...126).contains($0) || (161...255).contains($0) }) else {
            throw ImageError.invalidTextKeyword(keyword, reason: "must consist of printable Latin-1 characters")
        }
        guard keywordScalars.first != 32, keywordScalars.last != 32, !keyword.contains("  ") else {
            throw ImageError.invalidTextKeyword(keyword, reason: "must not begin or end with a space or hold two in a row")
        }
        guard !text.unicodeScalars.contains("\0") else {
            throw ImageError.invalidText(keyword: keyword, reason: "text must not contain NUL characters")
        }
        self.keyword = keywordScalars.map { UInt8($0) }
        let textScalars = text.unicodeScalars.map(\.value)
        isUTF8 = textScalars.contains { $0 > 255 }
        self.text = isUTF8 ? Array(text.utf8) : textScalars.map { UInt8($0) }
    }
}
