import Foundation
import JSON

/// MLMD stores STRUCT properties as `"mlmd-struct::" + base64(serialized google.protobuf.Struct)`
/// in `string_value`. This is the minimal protobuf wire codec for Struct/Value/ListValue.
enum StructCodec {
    static let prefix = "mlmd-struct::"
    /// The deepest nesting of objects and arrays a struct value may have. Writes check it
    /// (`fits`), reads allow the protobuf depth it implies, so whatever is written reads back.
    static let maxNesting = 32

    /// True when `object` nests no deeper than `maxNesting`.
    static func fits(_ object: [String: JSON]) -> Bool {
        func depth(_ value: JSON) -> Int {
            switch value {
            case .object(let fields): return 1 + (fields.values.map(depth).max() ?? 0)
            case .array(let items): return 1 + (items.map(depth).max() ?? 0)
            default: return 0
            }
        }
        return depth(.object(object)) <= maxNesting
    }

    static func encode(_ object: [String: JSON]) -> String {
        var bytes: [UInt8] = []
        writeStruct(object, to: &bytes)
        return prefix + Data(bytes).base64EncodedString()
    }

    /// Decodes a stored struct; nil when the text is not a valid MLMD struct.
    static func decode(_ stored: String) -> [String: JSON]? {
        guard stored.hasPrefix(prefix),
              let data = Data(base64Encoded: String(stored.dropFirst(prefix.count))) else { return nil }
        var reader = Reader(bytes: Array(data))
        return try? reader.readStruct(until: reader.bytes.count)
    }

    // MARK: Writing

    private static func writeStruct(_ object: [String: JSON], to out: inout [UInt8]) {
        for key in object.keys.sorted() {
            var entry: [UInt8] = []
            writeLengthDelimited(field: 1, Array(key.utf8), to: &entry)
            var value: [UInt8] = []
            writeValue(object[key]!, to: &value)
            writeLengthDelimited(field: 2, value, to: &entry)
            writeLengthDelimited(field: 1, entry, to: &out)
        }
    }

    private static func writeValue(_ value: JSON, to out: inout [UInt8]) {
        switch value {
        case .null:
            writeVarint(UInt64(1 << 3 | 0), to: &out)
            writeVarint(0, to: &out)
        case .int(let v):
            writeDouble(Double(v), to: &out)
        case .double(let v):
            writeDouble(v, to: &out)
        case .string(let s):
            writeLengthDelimited(field: 3, Array(s.utf8), to: &out)
        case .bool(let b):
            writeVarint(UInt64(4 << 3 | 0), to: &out)
            writeVarint(b ? 1 : 0, to: &out)
        case .object(let fields):
            var nested: [UInt8] = []
            writeStruct(fields, to: &nested)
            writeLengthDelimited(field: 5, nested, to: &out)
        case .array(let items):
            var list: [UInt8] = []
            for item in items {
                var element: [UInt8] = []
                writeValue(item, to: &element)
                writeLengthDelimited(field: 1, element, to: &list)
            }
            writeLengthDelimited(field: 6, list, to: &out)
        }
    }

    private static func writeDouble(_ v: Double, to out: inout [UInt8]) {
        writeVarint(UInt64(2 << 3 | 1), to: &out)
        var bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
    }

    private static func writeLengthDelimited(field: UInt64, _ payload: [UInt8], to out: inout [UInt8]) {
        writeVarint(field << 3 | 2, to: &out)
        writeVarint(UInt64(payload.count), to: &out)
        out.append(contentsOf: payload)
    }

    private static func writeVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    // MARK: Reading

    private struct Malformed: Error {}

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0
        var depth = 0

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count, shift < 64 {
                let byte = bytes[offset]
                offset += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw Malformed()
        }

        mutating func tag() throws -> (field: UInt64, wire: UInt64) {
            let t = try varint()
            return (t >> 3, t & 7)
        }

        mutating func length() throws -> Int {
            let n = try varint()
            guard n <= UInt64(bytes.count - offset) else { throw Malformed() }
            return Int(n)
        }

        mutating func skip(wire: UInt64) throws {
            switch wire {
            case 0: _ = try varint()
            case 1: guard offset + 8 <= bytes.count else { throw Malformed() }; offset += 8
            case 2: offset += try length()
            case 5: guard offset + 4 <= bytes.count else { throw Malformed() }; offset += 4
            default: throw Malformed()
            }
        }

        mutating func readStruct(until end: Int) throws -> [String: JSON] {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 2 * StructCodec.maxNesting + 2 else { throw Malformed() }
            var fields: [String: JSON] = [:]
            while offset < end {
                let (field, wire) = try tag()
                guard field == 1, wire == 2 else { try skip(wire: wire); continue }
                let entryEnd = offset + (try length())
                var key = ""
                var value: JSON = .null
                while offset < entryEnd {
                    let (f, w) = try tag()
                    if f == 1, w == 2 {
                        let n = try length()
                        key = String(decoding: bytes[offset..<offset + n], as: UTF8.self)
                        offset += n
                    } else if f == 2, w == 2 {
                        let valueEnd = offset + (try length())
                        value = try readValue(until: valueEnd)
                    } else {
                        try skip(wire: w)
                    }
                }
                fields[key] = value
            }
            return fields
        }

        mutating func readValue(until end: Int) throws -> JSON {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 2 * StructCodec.maxNesting + 2 else { throw Malformed() }
            var value: JSON = .null
            while offset < end {
                let (field, wire) = try tag()
                switch (field, wire) {
                case (1, 0): _ = try varint(); value = .null
                case (2, 1):
                    guard offset + 8 <= bytes.count else { throw Malformed() }
                    var bits: UInt64 = 0
                    for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
                    offset += 8
                    value = .double(Double(bitPattern: bits))
                case (3, 2):
                    let n = try length()
                    value = .string(String(decoding: bytes[offset..<offset + n], as: UTF8.self))
                    offset += n
                case (4, 0): value = .bool(try varint() != 0)
                case (5, 2):
                    let structEnd = offset + (try length())
                    value = .object(try readStruct(until: structEnd))
                case (6, 2):
                    let listEnd = offset + (try length())
                    var items: [JSON] = []
                    while offset < listEnd {
                        let (f, w) = try tag()
                        if f == 1, w == 2 {
                            let itemEnd = offset + (try length())
                            items.append(try readValue(until: itemEnd))
                        } else {
                            try skip(wire: w)
                        }
                    }
                    value = .array(items)
                default:
                    try skip(wire: wire)
                }
            }
            return value
        }
    }
}
