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
}
