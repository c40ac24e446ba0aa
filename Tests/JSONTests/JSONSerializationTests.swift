import JSON
import Testing

private func text(_ value: JSON) -> String {
    String(decoding: value.serialized(), as: UTF8.self)
}

@Suite struct JSONSerializationTests {
    @Test func scalars() {
        #expect(text(.null) == "null")
        #expect(text(.bool(true)) == "true")
        #expect(text(.bool(false)) == "false")
        #expect(text(.int(0)) == "0")
        #expect(text(.int(-42)) == "-42")
        #expect(text(.int(Int64.max)) == "9223372036854775807")
        #expect(text(.int(Int64.min)) == "-9223372036854775808")
        #expect(text(.string("")) == #""""#)
    }

    @Test func compactContainers() {
        #expect(text(.array([])) == "[]")
        #expect(text(.object([:])) == "{}")
        #expect(text(.array([.int(1), .null, .string("a"), .array([])])) == #"[1,null,"a",[]]"#)
    }

    @Test func objectKeysAreSortedAtEveryLevel() {
        let value = JSON.object([
            "zeta": .int(1), "alpha": .int(2), "Beta": .int(3), "_": .int(4), "alpha2": .int(5),
            "nested": .object(["b": .null, "a": .array([.object(["y": .int(1), "x": .int(2)])])]),
        ])
        #expect(text(value) == #"{"Beta":3,"_":4,"alpha":2,"alpha2":5,"nested":{"a":[{"x":2,"y":1}],"b":null},"zeta":1}"#)
    }

    @Test func serializationIsDeterministic() {
        var fields: [String: JSON] = [:]
        for i in 0..<200 { fields["key\(i)"] = .int(Int64(i)) }
        let first = JSON.object(fields).serialized()
        for _ in 0..<5 {
            var copy: [String: JSON] = [:]
            for (key, value) in fields.shuffled() { copy[key] = value }
            #expect(JSON.object(copy).serialized() == first)
        }
    }

    @Test func quotesBackslashesAndControlCharactersAreEscaped() {
        #expect(text(.string("say \"hi\"")) == #""say \"hi\"""#)
        #expect(text(.string(#"C:\path\"#)) == #""C:\\path\\""#)
        #expect(text(.string("a\nb\rc\td")) == #""a\nb\rc\td""#)
        #expect(text(.string("\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f}")) == #""\u0000\u0001\u0008\u000c\u001f\u007f""#)
        #expect(text(.object(["k\"\n": .string("v")])) == #"{"k\"\n":"v"}"#)
    }

    @Test func everyControlCharacterIsEscaped() {
        for scalar in 0..<0x20 {
            let bytes = JSON.string(String(UnicodeScalar(UInt8(scalar)))).serialized()
            #expect(!bytes.dropFirst().dropLast().contains { $0 < 0x20 }, "U+\(scalar) must be escaped")
        }
    }

    @Test func nonASCIIAndSlashArePassedThroughAsUTF8() {
        #expect(text(.string("é中😀/\u{2028}")) == "\"é中😀/\u{2028}\"")
        #expect(JSON.string("é").serialized() == [0x22, 0xC3, 0xA9, 0x22])
    }

    @Test func wholeDoublesArePrintedWithoutAFraction() {
        #expect(text(.double(1)) == "1")
        #expect(text(.double(-2)) == "-2")
        #expect(text(.double(0)) == "0")
        #expect(text(.double(-0.0)) == "0")
        #expect(text(.double(123456789)) == "123456789")
        #expect(text(.double(999_999_999_999_999)) == "999999999999999")
    }

    @Test func fractionalAndLargeDoubles() throws {
        #expect(text(.double(1.5)) == "1.5")
        #expect(text(.double(-0.25)) == "-0.25")
        #expect(text(.double(0.1)) == "0.1")
        #expect(text(.double(0.1 + 0.2)) == "0.30000000000000004")
        // Beyond the integer range a double keeps an exponent form; it must still be valid
        // JSON and parse back to the same value.
        for value in [1e16, 1e21, 1.5e300, -1.7976931348623157e308, .leastNonzeroMagnitude, 1e-7, 123456.789] {
            let bytes = JSON.double(value).serialized()
            #expect(!String(decoding: bytes, as: UTF8.self).hasSuffix(".0"))
            switch try JSON.parse(bytes) {
            case .double(let back): #expect(back == value)
            case .int(let back): #expect(Double(back) == value)
            default: Issue.record("\(value) did not serialize as a number")
            }
        }
    }

    /// Was a bug: `writeDouble` only prints whole doubles below 1e15 as integers and falls back to
    /// `Double.description` above, which writes `1000000000000000.0` for 1e15 ..< 2^53 (Go
    /// writes `1000000000000000`). Fix: use the integer form for every whole double with
    /// `abs(value) < 9.2e18` (`Int64(value)` is exact there) and `description` only beyond.
    @Test func largeWholeDoublesAreAlsoPrintedWithoutAFraction() {
        #expect(text(.double(1e15)) == "1000000000000000")
        #expect(text(.double(4_503_599_627_370_496)) == "4503599627370496")
        #expect(text(.double(-9_007_199_254_740_992)) == "-9007199254740992")
    }

    @Test func nonFiniteDoublesBecomeNull() {
        #expect(text(.double(.nan)) == "null")
        #expect(text(.double(.infinity)) == "null")
        #expect(text(.double(-.infinity)) == "null")
        #expect(text(.array([.double(.nan), .int(1)])) == "[null,1]")
    }

    @Test func writeAppendsToAnExistingBuffer() {
        var out = Array("prefix:".utf8)
        JSON.array([.int(1)]).write(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "prefix:[1]")
    }
}

@Suite struct JSONRoundTripTests {
    private func roundTrip(_ value: JSON, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let back = try JSON.parse(value.serialized())
            #expect(back == value, sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(value) did not round-trip: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func handWrittenValues() {
        roundTrip(.null)
        roundTrip(.int(Int64.max))
        roundTrip(.int(Int64.min))
        roundTrip(.double(1.5))
        roundTrip(.double(-1e-300))
        roundTrip(.double(0.1 + 0.2))
        roundTrip(.string("quotes \" backslash \\ slash / newline \n tab \t bell \u{7} del \u{7f}"))
        roundTrip(.string("é中😀\u{2028}\u{FEFF}"))
        roundTrip(.object(["": .string(""), "a b": .array([]), "ключ": .object([:])]))
        roundTrip(.array([.bool(true), .bool(false), .null, .array([.array([.int(0)])])]))
    }

    /// Whole doubles are written like integers (as Go does), so they come back as `.int`.
    @Test func wholeDoublesComeBackAsIntegers() throws {
        #expect(try JSON.parse(JSON.double(3).serialized()) == .int(3))
        #expect(try JSON.parse(JSON.double(.nan).serialized()) == .null)
    }

    @Test func parseThenSerializeIsCanonical() throws {
        let canonical = #"{"a":[1,2.5,"x",null,true,{"b":false}],"c":"\u0001é"}"#
        let messy = "{ \"c\" : \"\\u0001\\u00e9\",\n \"a\": [ 1, 2.5, \"x\", null, true, { \"b\" : false } ] }"
        #expect(String(decoding: try JSON.parse(messy).serialized(), as: UTF8.self) == canonical)
        #expect(String(decoding: try JSON.parse(canonical).serialized(), as: UTF8.self) == canonical)
    }

    @Test func deeplyNestedValuesRoundTrip() {
        var value = JSON.int(1)
        for i in 0..<1000 { value = i.isMultiple(of: 2) ? .array([value]) : .object(["k": value]) }
        roundTrip(value)
    }

    /// Random documents from a fixed seed: every one survives serialize → parse unchanged.
    @Test func randomDocuments() {
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<300 {
            roundTrip(randomJSON(&random, depth: 0))
        }
    }

    private func randomJSON(_ random: inout SplitMix64, depth: Int) -> JSON {
        let choice = random.next() % (depth > 4 ? 5 : 7)
        switch choice {
        case 0: return .null
        case 1: return .bool(random.next() & 1 == 0)
        case 2: return .int(Int64(bitPattern: random.next()))
        case 3:
            // Non-whole doubles round-trip as doubles.
            let d = Double(Int64(bitPattern: random.next()) % 1_000_000) / 1000 + 0.5
            return .double(d)
        case 4: return .string(randomString(&random))
        case 5:
            return .array((0..<Int(random.next() % 5)).map { _ in randomJSON(&random, depth: depth + 1) })
        default:
            var fields: [String: JSON] = [:]
            for _ in 0..<Int(random.next() % 5) { fields[randomString(&random)] = randomJSON(&random, depth: depth + 1) }
            return .object(fields)
        }
    }

    private func randomString(_ random: inout SplitMix64) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1f}", "\u{7f}",
                                     "é", "中", "😀", "\u{2028}", "{", "}", ":", ","]
        return String((0..<Int(random.next() % 8)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }
}

/// A tiny deterministic generator so random tests are reproducible.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
