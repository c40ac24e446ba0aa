/// Transport-neutral HTTP messages. FastCGI, the C ABI and tests all speak these, so every
/// way into the registry ends in the same `Router.handle(_:)`.
public struct Request: Sendable {
    public var method: String
    /// The decoded path without the query string, e.g. `/api/model_registry/v1alpha3/registered_models/1`.
    public var path: String
    /// The raw query string without the leading `?` (still percent-encoded).
    public var query: String
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static let jsonContentType = "application/json; charset=UTF-8"
}

/// Anything that turns a request into a response. Implementations are used from one thread at
/// a time per worker process; the C ABI serialises access itself.
public protocol RequestHandler: AnyObject {
    func handle(_ request: Request) -> Response

    /// Right after `handle`: when the handler leaves the sync of its commits to the server
    /// (`Router.deferCommitSyncs()`), the sync the request's writes still need before they may
    /// be acknowledged; nil when nothing is owed.
    func takeOwedSync() -> (any CommitSyncing)?
}

extension RequestHandler {
    public func takeOwedSync() -> (any CommitSyncing)? { nil }
}

/// Makes everything a store committed so far durable. Called from another thread than the
/// handler's (one thread at a time), so that one sync can acknowledge several writes.
public protocol CommitSyncing: AnyObject, Sendable {
    func syncCommits() throws
    /// Housekeeping the store wants once the synced writes have been answered (a checkpoint
    /// now and then), so that it does not delay their answers.
    func afterAnswering()
}
