/// One request as `mr_request` received it: the path still percent-encoded, the query raw.
struct OutgoingRequest {
    var method: String
    var path: String
    var query: String
    var body: [UInt8]
}

struct IncomingResponse {
    var status: Int
    var body: [UInt8]
}

/// Carries requests to a registry. Implementations are safe to call from several threads.
protocol Transport: AnyObject {
    func send(_ request: OutgoingRequest) throws -> IncomingResponse
    /// `mr_register_model`: model, version and artifact in one transaction.
    func registerModel(_ body: [UInt8]) throws -> IncomingResponse
}

extension Transport {
    func registerModel(_ body: [UInt8]) throws -> IncomingResponse {
        // A server offers no atomic registration (upstream's REST API has none).
        throw CABIError(.misuse, "mr_register_model needs an embedded registry (a file path or sqlite: URI)")
    }
}
