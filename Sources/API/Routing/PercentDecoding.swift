/// `%XX` decoding for URL paths and query strings, shared by every way into the API.
public enum PercentDecoding {
    /// Decodes `%XX` escapes; with `plusAsSpace` (form-encoded queries) `+` is a space too.
    /// Invalid escapes are kept as typed; invalid UTF-8 becomes U+FFFD (as the FastCGI worker
    /// sees paths nginx decoded).
    public static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool) -> String {
        String(decoding: bytes(text, plusAsSpace: plusAsSpace), as: UTF8.self)
    }

    /// The decoded bytes, for callers that must reject invalid UTF-8 or NUL themselves.
    public static func bytes<S: StringProtocol>(_ text: S, plusAsSpace: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var remaining = Array(text.utf8)[...]
        while let byte = remaining.popFirst() {
            if plusAsSpace, byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), remaining.count >= 2,
                      let high = hexValue(remaining[remaining.startIndex]),
                      let low = hexValue(remaining[remaining.startIndex + 1]) {
                bytes.append(high << 4 | low)
                remaining.removeFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
