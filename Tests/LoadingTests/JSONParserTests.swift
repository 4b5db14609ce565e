import Foundation
import Testing
@testable import ParadiffuseLoading

/// Configs and safetensors headers are strict JSON (plus Python's NaN/Infinity): anything else is an error that
/// says where, never a trap (Foundation's JSON5 scanner trapped on an invalid UTF-8 byte starting an unquoted key).
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Data(text.utf8)) }

    private func reason(_ bytes: [UInt8]) -> String? {
        do {
            _ = try JSONParser.parse(Data(bytes))
            return nil
        } catch let failure as JSONParser.Failure {
            return failure.reason
        } catch {
            return "\(error)"
        }
    }

    @Test func documentsParseAsJSON() throws {
        let value = try parse(#" { "a": [1, -2.5e3, 0, true, false, null], "b\u00e9\n": {"c": "\ud83d\ude00"} } "#)
        #expect(value == .object(["a": .array([.number(1), .number(-2500), .number(0), .bool(true), .bool(false), .null]),
                                  "bé\n": .object(["c": .string("😀")])]))
        #expect(try parse(#"{"lambda_min_clipped": -Infinity, "x": NaN, "y": Infinity}"#).objectValue?["y"]
            == .number(.infinity))
    }

    @Test(arguments: [
        ("{\u{1}a: 1}", "byte 1"),
        ("{a: 1}", "expected a quoted key at byte 1"),
        ("{\"a\": 1,}", "expected a quoted key"),
        ("[1, 2,]", "unexpected character ']'"),
        ("// comment\n{}", "unexpected character '/'"),
        ("{\"a\": 01}", "expected ',' or '}' in an object at byte 7"),
        ("{\"a\": 1.}", "digits must follow '.'"),
        ("{\"a\": -}", "invalid number"),
        ("{\"a\": 'x'}", "unexpected character '''"),
        ("{\"a\": \"\\x\"}", "invalid escape"),
        ("{\"a\": \"\\ud800\"}", "lone high surrogate"),
        ("{\"a\": 1} {", "unexpected text after the document at byte 9"),
        ("{\"a\":\n  tru}", "expected 'true' at byte 8 (line 2, column 3)"),
        ("{\"a\": 1, \"a\": 2}", "duplicate key 'a' at byte 9"),
    ])
    func invalidDocumentsAreRejectedSayingWhere(text: String, expected: String) {
        let reason = reason(Array(text.utf8))
        #expect(reason?.contains(expected) == true, "\(text.debugDescription): \(reason ?? "accepted")")
    }

    @Test func invalidUTF8IsRejectedWherever() {
        #expect(reason([UInt8(ascii: "{"), 0xFF, UInt8(ascii: "a"), UInt8(ascii: "}")])?.contains("byte 1") == true)
        let inString: [UInt8] = Array("{\"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(reason(inString)?.contains("not valid UTF-8") == true)
    }

    @Test func deepNestingIsRejectedWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(reason(Array(deep.utf8))?.contains("nesting deeper than") == true)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(reason(Array(fine.utf8)) == nil)
    }
}

private extension JSONValue {
    var objectValue: [String: JSONValue]? { if case let .object(members) = self { members } else { nil } }
}
