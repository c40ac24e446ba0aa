import JSON
import Registry

/// Turns errors into the API's Error shape `{"code": "<status text>", "message": "..."}`.
enum ErrorResponse {
    static func make(status: Int, message: String, code: String? = nil) -> Response {
        let body: JSON = .object(["code": .string(code ?? reasonPhrase(status)), "message": .string(message)])
        return JSONResponse.make(status: status, body)
    }

    static func make(for error: Error) -> Response {
        switch error {
        case let error as RegistryError:
            switch error {
            case .badRequest, .malformedBody: return make(status: 400, message: error.message)
            case .missingRequiredField: return make(status: 422, message: error.message, code: "Bad Request")
            case .notFound: return make(status: 404, message: error.message)
            case .conflict: return make(status: 409, message: error.message)
            case .unavailable: return make(status: 503, message: error.message)
            case .insufficientStorage: return make(status: 507, message: error.message)
            case .internalError: return make(status: 500, message: error.message)
            }
        case let error as JSONParseError:
            return make(status: 400, message: "invalid request body: \(error)")
        default:
            return make(status: 500, message: "internal error: \(error)")
        }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 413: return "Request Entity Too Large"
        case 422: return "Unprocessable Entity"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        case 507: return "Insufficient Storage"
        default: return "Error"
        }
    }
}

enum JSONResponse {
    static func make(status: Int, _ body: JSON) -> Response {
        var bytes = body.serialized()
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: [("Content-Type", Response.jsonContentType)], body: bytes)
    }
}
