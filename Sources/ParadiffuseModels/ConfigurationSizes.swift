/// Bounds on the sizes a model's `config.json` gives, checked before anything is built or allocated: every count
/// positive and within a range far beyond any published model, so that a corrupt or hostile configuration fails with
/// the file and key at fault instead of dividing by zero, wrapping an index or asking for terabytes.
/// The other checks configurations share (entry counts that must match, divisors, supported values) fail the same way.
struct ConfigurationSizes {
    /// Channels, hidden widths and embedding widths (SDXL's largest is 1,280 × 4; Flux's 3,072 × 4).
    static let width = 1...65_536
    /// Input, output and latent channels.
    static let imageChannels = 1...1_024
    /// Layers per block, transformer layers, encoder layers.
    static let layers = 1...256
    /// Attention heads, and the dimension of each.
    static let heads = 1...4_096
    /// Resolution levels of a UNet or VAE (each halves the sample).
    static let levels = 1...8
    /// Sample sides, in latents or pixels.
    static let side = 1...16_384
    /// Token positions, vocabulary entries, classes.
    static let entries = 1...4_194_304

    let file: String

    func fail(_ key: String, _ reason: String) -> ModelError {
        .invalidConfiguration(file: file, key: key, reason: reason)
    }

    func require(_ key: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw fail(key, "is \(value); it must be in \(range.lowerBound)...\(range.upperBound)")
        }
    }

    /// Each `(key, value, range)`, in order.
    func require(_ sizes: [(key: String, value: Int, range: ClosedRange<Int>)]) throws {
        for (key, value, range) in sizes { try require(key, value, in: range) }
    }

    func require(_ key: String, _ values: [Int], in range: ClosedRange<Int>) throws {
        for value in values where !range.contains(value) {
            throw fail(key, "contains \(value); every entry must be in \(range.lowerBound)...\(range.upperBound)")
        }
    }

    /// `count` entries, within `range`.
    func require(_ key: String, entries values: [Int], count: ClosedRange<Int>, in range: ClosedRange<Int>) throws {
        guard count.contains(values.count) else {
            throw fail(key, "has \(values.count) entries; it needs \(count.lowerBound)...\(count.upperBound)")
        }
        try require(key, values, in: range)
    }

    /// As many entries (`count`) as `otherKey` has (`otherCount`).
    func require(_ key: String, count: Int, matching otherKey: String, _ otherCount: Int) throws {
        guard count == otherCount else { throw fail(key, "has \(count) entries but \(otherKey) has \(otherCount)") }
    }

    /// `divisor`, the value of `key`, divides `value`, the value `name` names.
    func require(_ key: String, _ divisor: Int, divides value: Int, of name: String) throws {
        guard value % divisor == 0 else { throw fail(key, "(\(divisor)) does not divide \(name) \(value)") }
    }

    /// `divisor`, the value of `key`, divides every entry of `values`, the value of `arrayKey`.
    func require(_ key: String, _ divisor: Int, dividesEntriesOf arrayKey: String, _ values: [Int]) throws {
        for value in values { try require(key, divisor, divides: value, of: "\(arrayKey) entry") }
    }

    /// One of `supported`, or of `aliases` (accepted, not named).
    func require(_ key: String, _ value: String, oneOf supported: [String], alsoAccepting aliases: [String] = []) throws {
        guard supported.contains(value) || aliases.contains(value) else {
            throw fail(key, "is '\(value)'; supported: \(supported.joined(separator: ", "))")
        }
    }

    /// Every entry one of `supported`.
    func require(_ key: String, entries values: [String], oneOf supported: [String]) throws {
        for value in values where !supported.contains(value) {
            throw fail(key, "contains '\(value)'; supported: \(supported.joined(separator: ", "))")
        }
    }

    func requireEpsilon(_ key: String, _ value: Float) throws {
        guard value.isFinite, value >= 0 else { throw fail(key, "is \(value); it must be a finite number, 0 or more") }
    }
}
