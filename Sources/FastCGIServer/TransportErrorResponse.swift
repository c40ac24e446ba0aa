import API

/// The API's error shape, `{"code": <reason phrase>, "message": ...}`, for the few errors
/// the FastCGI layer answers itself (before a request reaches the handler).
enum TransportErrorResponse {
    static func make(status: Int, message: String) -> Response {
        let body = "{\"code\":\(jsonString(HTTPReasonPhrase.phrase(for: status))),\"message\":\(jsonString(message))}"
        return Response(status: status, headers: [("Content-Type", Response.jsonContentType)], body: Array(body.utf8))
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
