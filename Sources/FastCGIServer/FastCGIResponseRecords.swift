import API

/// A whole FastCGI response as bytes: the CGI head and body in FCGI_STDOUT records, the empty
/// record that ends the stream, and FCGI_END_REQUEST. What libfcgi writes for a request, built
/// ahead so that another thread can send it later (see `GroupCommitQueue`).
enum FastCGIResponseRecords {
    private static let version: UInt8 = 1
    private static let stdoutType: UInt8 = 6
    private static let endRequestType: UInt8 = 3
    /// A record's content length is 16 bits.
    static let maxContentLength = 65_535

    static func encode(_ response: Response, requestID: UInt16) -> [UInt8] {
        var head: [UInt8] = []
        ResponseHead.encode(response, into: &head)
        let body = ResponseHead.allowsBody(response.status) ? response.body : []
        var out: [UInt8] = []
        out.reserveCapacity(head.count + body.count + 40)
        appendStdout(head, requestID: requestID, to: &out)
        appendStdout(body, requestID: requestID, to: &out)
        appendHeader(type: stdoutType, requestID: requestID, contentLength: 0, to: &out)
        appendHeader(type: endRequestType, requestID: requestID, contentLength: 8, to: &out)
        // appStatus 0 (4 bytes), protocolStatus FCGI_REQUEST_COMPLETE, 3 reserved bytes.
        out.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        return out
    }

    private static func appendStdout(_ bytes: [UInt8], requestID: UInt16, to out: inout [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, maxContentLength)
            appendHeader(type: stdoutType, requestID: requestID, contentLength: length, to: &out)
            out.append(contentsOf: bytes[offset..<offset + length])
            offset += length
        }
    }

    private static func appendHeader(type: UInt8, requestID: UInt16, contentLength: Int, to out: inout [UInt8]) {
        out.append(contentsOf: [
            version, type, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(contentLength >> 8), UInt8(contentLength & 0xFF), 0 /* padding */, 0 /* reserved */,
        ])
    }
}
