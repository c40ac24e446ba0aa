import JSON
import Registry

/// The registry's HTTP front: routes a `Request` to its endpoint and turns every outcome,
/// including errors, into a JSON `Response`. One per worker process (or C-ABI handle).
public final class Router: RequestHandler {
    let service: RegistryService
    private(set) var table = RouteTable(routes: [])
    /// When set, every request except the health probes needs a valid bearer token.
    public var authenticator: BearerTokenAuthenticator?
    /// Set by `deferCommitSyncs()`.
    private var commitSync: StoreCommitSync?
    /// Whether GET answers are reused while the store is unchanged (`ResponseCache`).
    public var cachesResponses = true
    private var responseCache = ResponseCache()
    /// How many GET answers are held now (for tests and diagnostics).
    public var cachedResponseCount: Int { responseCache.count }

    public init(service: RegistryService) {
        self.service = service
        self.table = RouteTable(routes: Endpoints(service: service).routes)
    }

    /// Creates or checks the store once, before workers open it.
    public static func prepareStore(databasePath: String) throws {
        try RegistryService.prepareStore(at: databasePath)
    }

    /// Opens a prepared store; each worker calls this after fork.
    public static func open(databasePath: String, maxPageSize: Int = 1000) throws -> Router {
        Router(service: try RegistryService.open(path: databasePath, maxPageSize: maxPageSize))
    }

    /// From now on a write's commit is not synced before `handle` returns: `takeOwedSync()`
    /// hands the caller the sync to run before it answers (the FastCGI writer worker runs one
    /// sync for several requests). Without a caller that does so, writes are not durable.
    public func deferCommitSyncs() throws {
        commitSync = try service.deferCommitSyncs().map { StoreCommitSync(sync: $0.sync, afterSync: $0.afterSync) }
    }

    public func takeOwedSync() -> (any CommitSyncing)? {
        guard let commitSync, service.takeUnsyncedCommits() else { return nil }
        return commitSync
    }

    /// `register_model` in one transaction (see `ModelRegistration`). Not a route: the REST API
    /// stays upstream's; the C ABI offers it to embedded callers.
    public func registerModel(body: [UInt8], version: APIVersion = .v1alpha3) -> Response {
        ModelRegistration(service: service).handle(body: body, version: version)
    }

    public func handle(_ request: Request) -> Response {
        if let health = Health.response(for: request, service: service) { return health }
        // HEAD is GET without the body, as HTTP defines it.
        if request.method == "HEAD" {
            var get = request
            get.method = "GET"
            var response = handle(get)
            response.body = []
            return response
        }
        if let denied = authenticator?.check(request) { return denied }
        if request.method == "GET", cachesResponses, let stamp = try? service.changeStamp() {
            // The length keeps path "a?b" and path "a" with query "b" apart.
            let key = "\(request.path.utf8.count):\(request.path)\(request.query)"
            if let answer = responseCache.answer(for: key, storeStamp: stamp) { return answer }
            let response = route(request)
            responseCache.keep(response, for: key)
            return response
        }
        return route(request)
    }

    private func route(_ request: Request) -> Response {
        switch table.lookup(method: request.method, path: request.path) {
        case .notFound:
            return ErrorResponse.make(status: 404, message: "no route for \(request.method) \(request.path)")
        case .methodNotAllowed(let allowed):
            var response = ErrorResponse.make(
                status: 405, message: "method \(request.method) is not allowed on \(request.path)")
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
            return response
        case .found(let handler, let parameters, let version):
            let query = QueryParameters(request.query)
            if let (name, _) = query.all.first(where: { $0.value.utf8.contains(0) || $0.key.utf8.contains(0) }) {
                return ErrorResponse.make(status: 400, message: "Invalid \(name) query parameter: null bytes are not allowed")
            }
            let context = RequestContext(request: request, query: query, pathParameters: parameters, version: version)
            do {
                return try handler(context)
            } catch {
                return ErrorResponse.make(for: error)
            }
        }
    }
}

/// The store's WAL sync (`RegistryService.deferCommitSyncs`) as the server sees it.
private final class StoreCommitSync: CommitSyncing {
    private let sync: @Sendable () throws -> Void
    private let afterSync: @Sendable () -> Void

    init(sync: @escaping @Sendable () throws -> Void, afterSync: @escaping @Sendable () -> Void) {
        self.sync = sync
        self.afterSync = afterSync
    }

    func syncCommits() throws {
        try sync()
    }

    func afterAnswering() {
        afterSync()
    }
}
