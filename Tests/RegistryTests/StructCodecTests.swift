import Foundation
import JSON
import Testing
@testable import Registry

/// The serialized google.protobuf.Struct bytes inside a stored `mlmd-struct::` value.
private func wireBytes(_ object: [String: JSON]) throws -> [UInt8] {
    let stored = StructCodec.encode(object)
    #expect(stored.hasPrefix("mlmd-struct::"))
    return Array(try #require(Data(base64Encoded: String(stored.dropFirst("mlmd-struct::".count)))))
}

private func stored(_ bytes: [UInt8]) -> String {
    "mlmd-struct::" + Data(bytes).base64EncodedString()
}

@Suite struct StructCodecWireFormatTests {
    // Expected bytes are hand-computed from the protobuf encoding rules (Struct.fields = 1 as
    // map entries {key = 1, value = 2}; Value: null = 1, number = 2, string = 3, bool = 4,
    // struct = 5, list = 6; ListValue.values = 1) and were checked against protobuf 4.25's
    // `Struct.SerializeToString()` (one entry at a time where key order matters).

    @Test func singleString() throws {
        // entry { key: "a" value { string_value: "b" } }
        #expect(try wireBytes(["a": .string("b")]) == [0x0A, 0x08, 0x0A, 0x01, 0x61, 0x12, 0x03, 0x1A, 0x01, 0x62])
        #expect(StructCodec.encode(["a": .string("b")]) == "mlmd-struct::CggKAWESAxoBYg==")
    }

    @Test func scalarsAndListInSortedKeyOrder() throws {
        let bytes = try wireBytes(["n": .double(1.5), "t": .bool(true), "z": .null, "l": .array([.string("x")])])
        #expect(bytes == [
            0x0A, 0x0C, 0x0A, 0x01, 0x6C, 0x12, 0x07, 0x32, 0x05, 0x0A, 0x03, 0x1A, 0x01, 0x78,          // l: ["x"]
            0x0A, 0x0E, 0x0A, 0x01, 0x6E, 0x12, 0x09, 0x11, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F,               // n: 1.5
            0x0A, 0x07, 0x0A, 0x01, 0x74, 0x12, 0x02, 0x20, 0x01,                                        // t: true
            0x0A, 0x07, 0x0A, 0x01, 0x7A, 0x12, 0x02, 0x08, 0x00,                                        // z: null
        ])
    }

    @Test func nestedStruct() throws {
        #expect(try wireBytes(["o": .object(["k": .string("v")])])
            == [0x0A, 0x11, 0x0A, 0x01, 0x6F, 0x12, 0x0C, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x6B, 0x12, 0x03, 0x1A, 0x01, 0x76])
    }

    @Test func defaultValuesInsideTheOneofAreStillWritten() throws {
        // "", false, 0, [] and {} are set oneof members, so protobuf writes them. Entries are
        // in bytewise key order ("e" before "emptyl"), as C++ protobuf's deterministic output.
        #expect(StructCodec.encode(["e": .string(""), "f": .bool(false), "zero": .double(0), "emptyl": .array([]), "emptyo": .object([:])])
            == "mlmd-struct::CgcKAWUSAhoACgwKBmVtcHR5bBICMgAKDAoGZW1wdHlvEgIqAAoHCgFmEgIgAAoRCgR6ZXJvEgkRAAAAAAAAAAA=")
    }

    @Test func integersAreWrittenAsDoubles() throws {
        #expect(try wireBytes(["i": .int(2)]) == [0x0A, 0x0E, 0x0A, 0x01, 0x69, 0x12, 0x09, 0x11, 0, 0, 0, 0, 0, 0, 0, 0x40])
    }

    @Test func emptyStructIsJustThePrefix() {
        #expect(StructCodec.encode([:]) == "mlmd-struct::")
        #expect(StructCodec.decode("mlmd-struct::") == [:])
    }

    @Test func longPayloadsUseMultiByteLengths() throws {
        let text = String(repeating: "x", count: 200)
        let bytes = try wireBytes(["s": .string(text)])
        // Value = 1A C8 01 + 200 bytes (203); entry = 0A 01 73 12 CB 01 + 203 (209); struct = 0A D1 01 + 209.
        #expect(Array(bytes.prefix(12)) == [0x0A, 0xD1, 0x01, 0x0A, 0x01, 0x73, 0x12, 0xCB, 0x01, 0x1A, 0xC8, 0x01])
        #expect(bytes.count == 212)
        #expect(StructCodec.decode(StructCodec.encode(["s": .string(text)])) == ["s": .string(text)])
    }
}

@Suite struct StructCodecRoundTripTests {
    @Test func nestedValuesRoundTrip() {
        let object: [String: JSON] = [
            "null": .null, "yes": .bool(true), "no": .bool(false),
            "numbers": .array([.double(0), .double(-1.5), .double(1e300), .double(.leastNonzeroMagnitude), .double(.greatestFiniteMagnitude)]),
            "text": .string("héllo 中文 😀 \"quoted\" \\ \n"), "empty": .string(""),
            "nested": .object(["a": .object(["b": .array([.object(["c": .null]), .array([.array([])])])])]),
            "": .string("empty key"),
            "emptyObject": .object([:]), "emptyList": .array([]),
        ]
        #expect(StructCodec.decode(StructCodec.encode(object)) == object)
    }

    @Test func integersComeBackAsEqualDoubles() {
        let decoded = StructCodec.decode(StructCodec.encode(["i": .int(-42), "big": .int(1 << 53)]))
        #expect(decoded == ["i": .double(-42), "big": .double(9_007_199_254_740_992)])
    }

    @Test func nonFiniteDoublesSurviveTheWireFormat() throws {
        let decoded = try #require(StructCodec.decode(StructCodec.encode(["inf": .double(.infinity), "nan": .double(.nan)])))
        #expect(decoded["inf"] == .double(.infinity))
        if case .double(let nan)? = decoded["nan"] { #expect(nan.isNaN) } else { Issue.record("NaN lost") }
    }

    @Test func encodingIsDeterministic() {
        var object: [String: JSON] = [:]
        for i in 0..<50 { object["k\(i)"] = .array([.double(Double(i)), .object(["x\(i)": .bool(true)])]) }
        let first = StructCodec.encode(object)
        for _ in 0..<5 {
            var copy: [String: JSON] = [:]
            for (key, value) in object.shuffled() { copy[key] = value }
            #expect(StructCodec.encode(copy) == first)
        }
    }

    @Test func moderatelyDeepNestingRoundTrips() {
        var value = JSON.string("leaf")
        for i in 0..<20 { value = i.isMultiple(of: 2) ? .object(["k": value]) : .array([value]) }
        guard case .object(let object) = JSON.object(["root": value]) else { return }
        #expect(StructCodec.decode(StructCodec.encode(object)) == object)
    }

    @Test func decoderSkipsUnknownFields() {
        // Struct { unknown varint field 9 = 1; entry { key "a", unknown fixed32 field 7, value { bool true } } }
        let bytes: [UInt8] = [0x48, 0x01, 0x0A, 0x0C, 0x0A, 0x01, 0x61, 0x3D, 1, 2, 3, 4, 0x12, 0x02, 0x20, 0x01]
        #expect(StructCodec.decode(stored(bytes)) == ["a": .bool(true)])
    }

    @Test func anEntryWithoutAValueDecodesAsNull() {
        #expect(StructCodec.decode(stored([0x0A, 0x03, 0x0A, 0x01, 0x61])) == ["a": .null])
    }
}

@Suite struct StructCodecMalformedInputTests {
    @Test func textThatIsNotAStoredStruct() {
        #expect(StructCodec.decode("") == nil)
        #expect(StructCodec.decode("CggKAWESAxoBYg==") == nil, "no prefix")
        #expect(StructCodec.decode("MLMD-STRUCT::CggKAWESAxoBYg==") == nil)
        #expect(StructCodec.decode("mlmd-struct::not base64!") == nil)
        #expect(StructCodec.decode("mlmd-struct::CggKAWESAxoBYg") == nil, "missing padding")
    }

    @Test func truncatedEncodingsAreRejected() throws {
        // One entry, so that every proper prefix cuts a length-delimited field short (a prefix
        // ending between two entries would be a valid, smaller struct).
        let full = try wireBytes(["l": .array([.bool(true), .object(["k": .null]), .string("b"), .double(1.5)])])
        #expect(StructCodec.decode(stored(full)) != nil)
        for length in 1..<full.count {
            let prefix = Array(full.prefix(length))
            #expect(StructCodec.decode(stored(prefix)) == nil, "prefix of \(length) bytes")
        }
    }

    @Test func malformedWireDataIsRejected() {
        let cases: [(String, [UInt8])] = [
            ("length beyond the end", [0x0A, 0x7F, 0x0A]),
            ("huge length", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            ("unterminated varint", [0x0A, 0x80, 0x80, 0x80]),
            ("varint longer than 64 bits", [0x48] + [UInt8](repeating: 0xFF, count: 11) + [0x01]),
            ("group wire type", [0x0B, 0x0C]),
            ("invalid wire type 7", [0x0F]),
            ("truncated double", [0x0A, 0x07, 0x0A, 0x01, 0x6E, 0x12, 0x02, 0x11, 0x00]),
            ("truncated fixed32 skip", [0x0D, 0x01, 0x02]),
            ("truncated fixed64 skip", [0x09, 0x01, 0x02]),
        ]
        for (label, bytes) in cases {
            #expect(StructCodec.decode(stored(bytes)) == nil, "\(label)")
        }
    }

    @Test func pathologicalNestingIsRejectedWithoutCrashing() {
        // 2 001 alternating Struct / Value.struct_value levels, a Struct outermost.
        var bytes: [UInt8] = [0x20, 0x01]  // innermost Value { bool_value: true }
        for level in 0...2_000 {
            if level.isMultiple(of: 2) {
                // entry { key "" value <bytes> } inside a Struct, wrapped as Value.struct_value
                var entry: [UInt8] = [0x0A, 0x00, 0x12]
                appendVarint(UInt64(bytes.count), to: &entry)
                entry += bytes
                var structBytes: [UInt8] = [0x0A]
                appendVarint(UInt64(entry.count), to: &structBytes)
                structBytes += entry
                bytes = structBytes
            } else {
                var value: [UInt8] = [0x2A]
                appendVarint(UInt64(bytes.count), to: &value)
                bytes = value + bytes
            }
        }
        #expect(StructCodec.decode(stored(bytes)) == nil)
    }

    @Test func randomBytesNeverCrash() {
        var random = SeededRandom(seed: 42)
        var decodedSome = 0
        for _ in 0..<3000 {
            let count = Int(random.next() % 64)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if StructCodec.decode(stored(bytes)) != nil { decodedSome += 1 }
        }
        #expect(decodedSome < 3000)
    }

    @Test func mutatedValidEncodingsNeverCrash() throws {
        let valid = try wireBytes(["a": .object(["b": .array([.double(1), .string("xyz"), .null])]), "c": .bool(true)])
        var random = SeededRandom(seed: 7)
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int(1 + random.next() % 3) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = StructCodec.decode(stored(bytes))
        }
    }
}

private func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(v & 0x7F) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// SplitMix64, so the fuzz cases are reproducible.
private struct SeededRandom {
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
