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
        guard pathText.hasPrefix("/"), !pathText.contains(where: isForbiddenInTarget) else {
            throw CABIError(.misuse, "mr_request: the path must start with '/' and contain no spaces, controls, '?' or '#': \(pathText)")
        }
        let queryText = query.map { String(cString: $0) } ?? ""
        guard !queryText.contains(where: { isForbiddenInTarget($0) && $0 != "?" }) else {
            throw CABIError(.misuse, "mr_request: the query must be percent-encoded (no spaces, controls or '#')")
        }
        guard bodyLength >= 0, body != nil || bodyLength == 0 else {
            throw CABIError(.misuse, "mr_request: body is NULL but body_len is \(bodyLength)")
        }
        let bytes = body.map { Array(UnsafeBufferPointer(start: $0, count: bodyLength)) } ?? []
        return OutgoingRequest(method: methodName, path: pathText, query: queryText, body: bytes)
    }

    /// Characters that would change the meaning of the URL a remote handle builds.
    private static func isForbiddenInTarget(_ character: Character) -> Bool {
        character == " " || character == "?" || character == "#" || character.unicodeScalars.contains {
            $0.value < 0x20 || $0.value == 0x7F
        }
    }
}
