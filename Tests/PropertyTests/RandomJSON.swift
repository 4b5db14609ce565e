import ParadiffuseLoading

/// A JSON document built from a seed: nested arrays and objects, numbers of every magnitude (finite: JSON has no
/// NaN), strings of any Unicode scalars (quotes, backslashes and control characters among them).
struct RandomJSON {
    private var generator: SplitMix

    init(seed: UInt64) { generator = SplitMix(seed: seed) }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch generator.next() % (depth < 4 ? 7 : 4) {
        case 0: return .null
        case 1: return .bool(generator.next() % 2 == 0)
        case 2: return .number(number())
        case 3: return .string(string())
        case 4 where generator.next() % 2 == 0, 5 where generator.next() % 2 == 0:
            return .array((0..<Int(generator.next() % 5)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int(generator.next() % 5) { members[string()] = value(depth: depth + 1) }
            return .object(members)
        }
    }

    private mutating func number() -> Double {
        switch generator.next() % 4 {
        case 0: return Double(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 63))
        case 1: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())))
        default: return Double(bitPattern: generator.next())
        }
    }

    private mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int(generator.next() % 12) {
            let pick = generator.next()
            let value: UInt32 = switch pick % 4 {
            case 0: UInt32(truncatingIfNeeded: pick >> 8) % 0x20  // control characters
            case 1: [0x22, 0x5C, 0x2F, 0x7F][Int(pick >> 8) % 4]  // " \ / DEL
            case 2: UInt32(truncatingIfNeeded: pick >> 8) % 0x80
            default: UInt32(truncatingIfNeeded: pick >> 8) % 0x11_0000
            }
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }
}

/// SplitMix64: a seeded generator, so that a failing case is reproduced from its seed.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
