/// A worker's request handler for a store that may fail to open.
///
/// A worker restarted while the database cannot be opened (its file or directory moved away,
/// an unmounted volume, no file descriptors left) used to exit at once; the pool then
/// restarted it in a loop and paused, and nginx's requests waited in the socket's queue until
/// they timed out (504 after a minute). Instead the worker starts, answers every request with
/// 503 in the Error shape, and tries to open the store again on the next request, so service
/// resumes by itself once the database is back.
public final class StoreOpeningHandler: RequestHandler {
    private let open: () throws -> Router
    private let report: (Event) -> Void
    private var router: Router?
    private var failing = false

    public enum Event {
        /// The store could not be opened (reported once until it opens again).
        case failed(Error)
        /// The store opened after earlier failures.
        case recovered
    }

    /// Tries `open` at once and again on each request until it succeeds.
    public init(open: @escaping () throws -> Router, report: @escaping (Event) -> Void = { _ in }) {
        self.open = open
        self.report = report
        _ = currentRouter()
    }

    public func handle(_ request: Request) -> Response {
        guard let router = currentRouter() else {
            // The details (paths, SQLite's message) go to the log, not to possibly
            // unauthenticated clients.
            return ErrorResponse.make(status: 503, message: "the database cannot be opened; retry later")
        }
        return router.handle(request)
    }

    public func takeOwedSync() -> (any CommitSyncing)? {
        router?.takeOwedSync()
    }

    private func currentRouter() -> Router? {
        if let router { return router }
        do {
            let opened = try open()
            router = opened
            if failing {
                failing = false
                report(.recovered)
            }
            return opened
        } catch {
            if !failing {
                failing = true
                report(.failed(error))
            }
            return nil
        }
    }
}
