import JSON
import Testing

/// Parses `text`, failing the test (and returning nil) when it does not parse.
private func parsed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSON? {
    do {
        return try JSON.parse(text)
    } catch {
        Issue.record("expected \(text.prefix(80)) to parse, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The parse error for `bytes`, or nil (recording an issue) when they parse.
private func parseError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> JSONParseError? {
    do {
        let value = try JSON.parse(bytes)
        Issue.record("expected a parse error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONParseError? {
    parseError(Array(text.utf8), sourceLocation: sourceLocation)
}

@Suite struct JSONParseValueKindTests {
    @Test func scalarsAtTopLevel() {
        #expect(parsed("null") == .null)
        #expect(parsed("true") == .bool(true))
        #expect(parsed("false") == .bool(false))
        #expect(parsed("42") == .int(42))
        #expect(parsed("-7") == .int(-7))
        #expect(parsed("0") == .int(0))
        #expect(parsed("1.5") == .double(1.5))
        #expect(parsed("\"text\"") == .string("text"))
    }

    @Test func containers() {
        #expect(parsed("[]") == .array([]))
        #expect(parsed("{}") == .object([:]))
        #expect(parsed(#"[1, "a", null, true, 2.5, [], {}]"#)
            == .array([.int(1), .string("a"), .null, .bool(true), .double(2.5), .array([]), .object([:])]))
        #expect(parsed(#"{"a": {"b": [1, {"c": null}]}, "d": false}"#)
            == .object(["a": .object(["b": .array([.int(1), .object(["c": .null])])]), "d": .bool(false)]))
    }

    @Test func surroundingWhitespaceIsAllowed() {
        #expect(parsed(" \n\t\r {\"a\" : 1 } \n") == .object(["a": .int(1)]))
    }

    @Test func byteAndStringEntryPointsAgree() throws {
        let text = #"{"k": ["v", 1, 2.25]}"#
        #expect(try JSON.parse(text) == JSON.parse(Array(text.utf8)))
    }

    @Test func accessors() throws {
        let value = try JSON.parse(#"{"s": "x", "n": null, "i": 3}"#)
        #expect(value["s"] == .string("x"))
        #expect(value["s"]?.stringValue == "x")
        #expect(value["i"]?.stringValue == nil)
        #expect(value["missing"] == nil)
        #expect(value["n"]?.isNull == true)
        #expect(value["i"]?.isNull == false)
        #expect(value.objectValue?.count == 3)
        #expect(JSON.array([]).objectValue == nil)
        #expect(JSON.array([])["s"] == nil)
        #expect(JSON.null.kindName == "null")
        #expect(JSON.bool(true).kindName == "boolean")
        #expect(JSON.int(1).kindName == "number")
        #expect(JSON.double(1).kindName == "number")
        #expect(JSON.string("").kindName == "string")
        #expect(JSON.array([]).kindName == "array")
        #expect(JSON.object([:]).kindName == "object")
    }
}

@Suite struct JSONParseStringTests {
    @Test func simpleEscapes() {
        #expect(parsed(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{8} \u{c} \n \r \t"))
    }

    @Test func unicodeEscapesIncludingSurrogatePairs() {
        #expect(parsed(#""\u00e9\u4e2d\ud83d\ude00\u0041""#) == .string("é中😀A"))
        #expect(parsed(#""\u001f\u007f""#) == .string("\u{1f}\u{7f}"))
    }

    @Test func rawUTF8PassesThrough() {
        #expect(parsed("\"héllo 中文 😀 \u{2028}\"") == .string("héllo 中文 😀 \u{2028}"))
        #expect(parsed("{\"ключ\": \"значение\"}") == .object(["ключ": .string("значение")]))
    }

    @Test func emptyString() {
        #expect(parsed(#""""#) == .string(""))
        #expect(parsed(#"{"": ""}"#) == .object(["": .string("")]))
    }

    @Test func nulIsRejectedInValuesAndKeys() {
        #expect(parseError(#""a\u0000b""#) != nil)
        #expect(parseError(#"{"a\u0000": 1}"#) != nil)
        // A raw NUL byte inside a string is a control character and is rejected too.
        #expect(parseError([0x22, 0x61, 0x00, 0x62, 0x22]) != nil)
    }

    @Test func unescapedControlCharactersAreRejected() {
        #expect(parseError("\"a\nb\"") != nil)
        #expect(parseError("\"a\u{1}b\"") != nil)
    }

    @Test func invalidEscapesAreRejected() {
        #expect(parseError(#""\x41""#) != nil)
        #expect(parseError(#""\u12""#) != nil)
        #expect(parseError(#""\ud800""#) != nil, "lone high surrogate")
        #expect(parseError(#""\udc00""#) != nil, "lone low surrogate")
    }

    @Test func invalidUTF8IsRejected() {
        let quote: UInt8 = 0x22
        #expect(parseError([quote, 0xFF, quote]) != nil, "invalid byte")
        #expect(parseError([quote, 0xC3, quote]) != nil, "truncated two-byte sequence")
        #expect(parseError([quote, 0xC0, 0xAF, quote]) != nil, "overlong encoding of '/'")
        #expect(parseError([quote, 0xED, 0xA0, 0x80, quote]) != nil, "UTF-8 encoded surrogate")
        #expect(parseError([quote, 0xF4, 0x90, 0x80, 0x80, quote]) != nil, "beyond U+10FFFF")
        #expect(parseError([0x7B, quote, 0xFF, quote, 0x3A, 0x31, 0x7D]) != nil, "invalid key")
    }
}

@Suite struct JSONParseNumberTests {
    @Test func int64Bounds() {
        #expect(parsed("9223372036854775807") == .int(Int64.max))
        #expect(parsed("-9223372036854775808") == .int(Int64.min))
    }

    @Test func integersBeyondInt64AreRejected() {
        #expect(parseError("9223372036854775808") != nil)
        #expect(parseError("-9223372036854775809") != nil)
        #expect(parseError("[99999999999999999999999]") != nil)
    }

    @Test func doubles() {
        #expect(parsed("1.0") == .double(1.0))
        #expect(parsed("-0.5") == .double(-0.5))
        #expect(parsed("1e3") == .double(1000))
        #expect(parsed("1E-5") == .double(1e-5))
        #expect(parsed("2.5e+2") == .double(250))
        #expect(parsed("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(parsed("5e-324") == .double(.leastNonzeroMagnitude))
        #expect(parsed("0.30000000000000004") == .double(0.1 + 0.2))
        if case .double(let zero)? = parsed("-0.0") {
            #expect(zero == 0 && zero.sign == .minus)
        } else {
            Issue.record("-0.0 should parse as a double")
        }
    }

    @Test func doubleOverflowIsRejected() {
        #expect(parseError("1e400") != nil)
    }

    @Test func malformedNumbersAreRejected() {
        for text in ["01", "+1", ".5", "1.", "-", "1e", "0x10", "NaN", "Infinity", "-Infinity", "1.5.2"] {
            #expect(parseError(text) != nil, "\(text)")
        }
    }
}

@Suite struct JSONParseRejectionTests {
    @Test func duplicateKeysAreRejected() {
        #expect(parseError(#"{"a": 1, "a": 2}"#) != nil)
        #expect(parseError(#"{"x": {"a": 1, "b": 2, "a": 1}}"#) != nil)
        // The same key in sibling objects is fine.
        #expect(parsed(#"[{"a": 1}, {"a": 2}]"#) == .array([.object(["a": .int(1)]), .object(["a": .int(2)])]))
    }

    /// Was a bug: jansson compares keys bytewise, but `JSON(borrowing:)` stores them in a Swift
    /// `[String: JSON]`, where canonically equivalent strings are equal keys. So `"\u00e9"`
    /// (precomposed é) and `"e\u0301"` (e + combining acute) pass jansson's duplicate check and
    /// then silently collapse into one entry, losing a value. Fix: in `JSON(borrowing:)`, treat
    /// a key that is already present as a duplicate and fail the parse (make the init throwing,
    /// or check `fields[key] == nil` and report "duplicate object key").
    @Test func canonicallyEquivalentKeysAreNotSilentlyMerged() {
        let text = #"{"\u00e9": 1, "e\u0301": 2}"#
        let result = try? JSON.parse(text)
        // Either rejected as a duplicate or both values kept — never one silently dropped.
        #expect(result == nil || result?.objectValue?.count == 2)
    }

    @Test func truncatedInputIsRejected() {
        let document = #"{"name": "model", "tags": [1, 2.5, true, null], "nested": {"k": "v"}}"#
        #expect(parsed(document) != nil)
        let bytes = Array(document.utf8)
        for length in 0..<bytes.count {
            #expect(parseError(Array(bytes[0..<length])) != nil, "prefix of \(length) bytes")
        }
    }

    @Test func emptyAndBlankInputIsRejected() {
        #expect(parseError([]) != nil)
        #expect(parseError("") != nil)
        #expect(parseError("   \n") != nil)
    }

    @Test func trailingContentIsRejected() {
        #expect(parseError("{} {}") != nil)
        #expect(parseError("1 2") != nil)
        #expect(parseError("[1],") != nil)
    }

    @Test func syntaxErrorsAreRejected() {
        for text in ["{a: 1}", "{'a': 1}", "[1,]", "{\"a\": 1,}", "[1 2]", "{\"a\" 1}", "tru", "nul", "[", "]", "}", "\"abc"] {
            #expect(parseError(text) != nil, "\(text)")
        }
    }

    @Test func deepNestingIsRejectedWithoutCrashing() {
        let depth = 100_000
        let arrays = [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
        #expect(parseError(arrays) != nil)
        var objects = [UInt8]()
        for _ in 0..<depth { objects += Array(#"{"a":"#.utf8) }
        objects += Array("1".utf8)
        objects += [UInt8](repeating: UInt8(ascii: "}"), count: depth)
        #expect(parseError(objects) != nil)
        // Unterminated deep nesting, too.
        #expect(parseError([UInt8](repeating: UInt8(ascii: "["), count: depth)) != nil)
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        }
        var value = try JSON.parse(nested(2048))
        var levels = 0
        while case .array(let items) = value {
            levels += 1
            guard let first = items.first else { break }
            value = first
        }
        #expect(levels == 2048)
        #expect(parseError(nested(2049)) != nil)
    }

    @Test func errorsCarryAPositionAndMessage() throws {
        let error = try #require(parseError("{\n  \"a\": 1,\n  \"a\": 2\n}"))
        #expect(!error.message.isEmpty)
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("invalid JSON at line 3"))
        let truncated = try #require(parseError(#"{"a": "#))
        #expect(truncated.position > 0)
    }
}
