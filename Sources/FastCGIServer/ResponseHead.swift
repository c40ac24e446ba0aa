import API

/// Encodes a `Response`'s status and headers as the CGI response head libfcgi sends as
/// FCGI_STDOUT: `Status: 200 OK`, the headers, and an empty line.
enum ResponseHead {
    static func encode(_ response: Response, into buffer: inout [UInt8]) {
        append("Status: \(response.status) \(HTTPReasonPhrase.phrase(for: response.status))\r\n", to: &buffer)
        var hasContentLength = false
        for (name, value) in response.headers {
            // The status travels in the Status line; a second one from the handler would be ambiguous.
            if name.lowercased() == "status" { continue }
            if name.lowercased() == "content-length" { hasContentLength = true }
            appendHeaderText(name, to: &buffer)
            append(": ", to: &buffer)
            appendHeaderText(value, to: &buffer)
            append("\r\n", to: &buffer)
        }
        // A length lets nginx keep the client connection alive without chunked encoding.
        if !hasContentLength && allowsBody(response.status) {
            append("Content-Length: \(response.body.count)\r\n", to: &buffer)
        }
        append("\r\n", to: &buffer)
    }

    static func allowsBody(_ status: Int) -> Bool {
        !(100..<200).contains(status) && status != 204 && status != 304
    }

    private static func append(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Header text with CR and LF replaced, so no value can inject extra header lines.
    private static func appendHeaderText(_ text: String, to buffer: inout [UInt8]) {
        for byte in text.utf8 {
            buffer.append(byte == 13 || byte == 10 ? UInt8(ascii: " ") : byte)
        }
    }
}
