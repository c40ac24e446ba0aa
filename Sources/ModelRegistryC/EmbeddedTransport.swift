import API

/// The registry in this process. One SQLite connection is not safe for concurrent use, so
/// requests take turns on it.
final class EmbeddedTransport: Transport {
    private let router: Router
    private let lock = Lock()

    init(databasePath: String, maxPageSize: Int?, cachesResponses: Bool = true) throws {
        do {
            try Router.prepareStore(databasePath: databasePath)
            if let maxPageSize {
                router = try Router.open(databasePath: databasePath, maxPageSize: maxPageSize)
            } else {
                router = try Router.open(databasePath: databasePath)
            }
        } catch {
            throw CABIError(.cantOpen, "cannot open the registry store \(databasePath): \(error)")
        }
        router.cachesResponses = cachesResponses
    }

    func send(_ request: OutgoingRequest) throws -> IncomingResponse {
        // The same request the FastCGI worker builds from nginx's parameters.
        var headers: [String: String] = [:]
        if !request.body.isEmpty {
            headers["content-type"] = "application/json"
            headers["content-length"] = String(request.body.count)
        }
        let routed = Request(method: request.method, path: PercentDecoding.decode(request.path, plusAsSpace: false),
                             query: request.query, headers: headers, body: request.body)
        let response = lock.withLock { router.handle(routed) }
        // nginx sends no body for HEAD; neither do we.
        return IncomingResponse(status: response.status, body: request.method == "HEAD" ? [] : response.body)
    }

    func registerModel(_ body: [UInt8]) throws -> IncomingResponse {
        let response = lock.withLock { router.registerModel(body: body) }
        return IncomingResponse(status: response.status, body: response.body)
    }
}
