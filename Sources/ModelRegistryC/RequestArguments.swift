/// Checks and converts `mr_request`'s C arguments.
enum RequestArguments {
    static let methods: Set<String> = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]

    static func validate(method: UnsafePointer<CChar>?, path: UnsafePointer<CChar>?, query: UnsafePointer<CChar>?,
                         body: UnsafePointer<UInt8>?, bodyLength: Int) throws -> OutgoingRequest {
        guard let method, let path else { throw CABIError(.misuse, "mr_request: method and path must not be NULL") }
        let methodName = String(cString: method)
        guard methods.contains(methodName) else {
            throw CABIError(.misuse, "mr_request: unsupported method \"\(methodName)\" (use GET, POST, PATCH, PUT, DELETE or HEAD)")
        }
        let pathText = String(cString: path)
        guard pathText.hasPrefix("/"), !pathText.utf8.contains(where: isForbiddenInTarget) else {
            throw CABIError(.misuse, "mr_request: the path must start with '/' and contain no spaces, controls, '?' or '#': \(pathText)")
        }
        let queryText = query.map { String(cString: $0) } ?? ""
        guard !queryText.utf8.contains(where: { isForbiddenInTarget($0) && $0 != UInt8(ascii: "?") }) else {
            throw CABIError(.misuse, "mr_request: the query must be percent-encoded (no spaces, controls or '#')")
        }
        guard bodyLength >= 0, body != nil || bodyLength == 0 else {
            throw CABIError(.misuse, "mr_request: body is NULL but body_len is \(bodyLength)")
        }
        let bytes = body.map { Array(UnsafeBufferPointer(start: $0, count: bodyLength)) } ?? []
        return OutgoingRequest(method: methodName, path: pathText, query: queryText, body: bytes)
    }

    /// Bytes that would change the meaning of the URL a remote handle builds: space, `?`, `#`
    /// and controls. All are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte
    /// character, so checking bytes finds exactly the characters holding them (and costs a
    /// fraction of walking grapheme clusters, which showed in every embedded call's profile).
    private static func isForbiddenInTarget(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
    }
}
