/// The registry's errors. Each maps to one HTTP status in the API layer; messages follow
/// upstream's wording, ending with the sentinel (`: bad request`, `: not found`, …) so clients
/// that match on text keep working.
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    /// 400: invalid input found by the registry's rules.
    case badRequest(String)
    /// 400: a body that does not decode into the request schema (upstream words these like
    /// Go's JSON decoder, without a sentinel).
    case malformedBody(String)
    /// 422: a required field is missing (upstream answers 422 with code "Bad Request").
    case missingRequiredField(String)
    /// 404
    case notFound(String)
    /// 409: a uniqueness rule would be broken.
    case conflict(String)
    /// 503: the store is busy, read-only or unavailable; retrying later can succeed.
    case unavailable(String)
    /// 507: the disk is full.
    case insufficientStorage(String)
    /// 500: a bug or a corrupt store; the message is safe to show.
    case internalError(String)

    public var message: String {
        switch self {
        case .badRequest(let m): return "\(m): bad request"
        case .missingRequiredField(let field): return "required field '\(field)' is zero value."
        case .notFound(let m): return "\(m): not found"
        case .conflict(let m): return "\(m): conflict"
        case .malformedBody(let m): return m
        case .unavailable(let m), .insufficientStorage(let m), .internalError(let m): return m
        }
    }

    public var description: String { message }
}
