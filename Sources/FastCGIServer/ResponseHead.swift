import API
import JSON

/// Encodes a `Response`'s status and headers as the CGI response head libfcgi sends as
/// FCGI_STDOUT: `Status: 200 OK`, the headers, and an empty line.
enum ResponseHead {
    static func encode(_ response: Response, into buffer: inout [UInt8]) {
        // Byte-level: this runs for every request (no interpolation, no lowercased copies).
        append("Status: ", to: &buffer)
        appendDecimal(response.status, to: &buffer)
        buffer.append(UInt8(ascii: " "))
        append(HTTPReasonPhrase.phrase(for: response.status), to: &buffer)
        append("\r\n", to: &buffer)
        var hasContentLength = false
        for (name, value) in response.headers {
            // The status travels in the Status line; a second one from the handler would be ambiguous.
            if equalsIgnoringASCIICase(name, "status") { continue }
            if equalsIgnoringASCIICase(name, "content-length") { hasContentLength = true }
            appendHeaderText(name, to: &buffer)
            append(": ", to: &buffer)
            appendHeaderText(value, to: &buffer)
            append("\r\n", to: &buffer)
        }
        // A length lets nginx keep the client connection alive without chunked encoding.
        if !hasContentLength && allowsBody(response.status) {
            append("Content-Length: ", to: &buffer)
            appendDecimal(response.body.count, to: &buffer)
            append("\r\n", to: &buffer)
        }
        append("\r\n", to: &buffer)
    }

    /// `name.lowercased() == lowercase` for an ASCII `lowercase`, without allocating. (Swift's
    /// lowercased() also maps non-ASCII letters, none of which can lower to ASCII except the
    /// Kelvin sign K→k, and "K" is in neither name.)
    private static func equalsIgnoringASCIICase(_ name: String, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard name.utf8.count == expected.count else { return false }
        return zip(name.utf8, expected).allSatisfy { byte, want in
            (byte >= 65 && byte <= 90 ? byte + 32 : byte) == want
        }
    }

    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        JSON.writeInt(Int64(value), to: &buffer)
    }

    static func allowsBody(_ status: Int) -> Bool {
        !(100..<200).contains(status) && status != 204 && status != 304
    }

    private static func append(_ text: String, to buffer: inout [UInt8]) {
        // One copy of a native string's bytes; the generic path appends byte by byte.
        if text.utf8.withContiguousStorageIfAvailable({ buffer.append(contentsOf: $0) }) == nil {
            buffer.append(contentsOf: text.utf8)
        }
    }

    /// Header text with CR and LF replaced, so no value can inject extra header lines.
    private static func appendHeaderText(_ text: String, to buffer: inout [UInt8]) {
        if !text.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
            append(text, to: &buffer)
            return
        }
        for byte in text.utf8 {
            buffer.append(byte == 13 || byte == 10 ? UInt8(ascii: " ") : byte)
        }
    }
}
