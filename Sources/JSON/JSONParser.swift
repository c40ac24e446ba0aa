import CJansson

extension JSON {
    /// Parses one JSON document. Duplicate object keys, NUL characters in strings, invalid
    /// UTF-8 and nesting deeper than jansson's limit (2048) are rejected.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        var error = json_error_t()
        let root: UnsafeMutablePointer<json_t>? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) { chars in
                json_loadb(chars, buffer.count, Int(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY), &error)
            }
        }
        guard let root else {
            let message = withUnsafeBytes(of: &error.text) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw JSONParseError(message: message, line: Int(error.line), column: Int(error.column),
                                 position: Int(error.position))
        }
        defer { json_decref(root) }
        do {
            return try JSON(borrowing: root)
        } catch {
            throw JSONParseError(message: "duplicate object key \"\(error.key)\" (after Unicode normalisation)",
                                 line: 0, column: 0, position: 0)
        }
    }

    /// Two keys jansson sees as different (it compares bytes) but Swift strings treat as equal
    /// (canonically equivalent Unicode): one value would silently be lost.
    struct EquivalentKeys: Error {
        let key: String
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8))
    }

    /// Converts a jansson tree (not consumed) into a Swift value.
    init(borrowing value: UnsafeMutablePointer<json_t>) throws(EquivalentKeys) {
        switch value.pointee.type {
        case JSON_OBJECT:
            var fields: [String: JSON] = [:]
            fields.reserveCapacity(Int(json_object_size(value)))
            var iterator = json_object_iter(value)
            while let current = iterator {
                let key = String(cString: json_object_iter_key(current))
                if let child = json_object_iter_value(current) {
                    // One hash per key: the insert reports a key that was already there.
                    guard fields.updateValue(try JSON(borrowing: child), forKey: key) == nil else {
                        throw EquivalentKeys(key: key)
                    }
                }
                iterator = json_object_iter_next(value, current)
            }
            self = .object(fields)
        case JSON_ARRAY:
            let count = json_array_size(value)
            var items: [JSON] = []
            items.reserveCapacity(count)
            for index in 0..<count {
                items.append(try JSON(borrowing: json_array_get(value, index)))
            }
            self = .array(items)
        case JSON_STRING:
            let length = json_string_length(value)
            let pointer = json_string_value(value)!
            self = .string(pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            })
        case JSON_INTEGER:
            self = .int(Int64(json_integer_value(value)))
        case JSON_REAL:
            self = .double(json_real_value(value))
        case JSON_TRUE:
            self = .bool(true)
        case JSON_FALSE:
            self = .bool(false)
        default:
            self = .null
        }
    }
}
