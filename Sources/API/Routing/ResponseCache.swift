import Registry

/// Recent answers to GET requests, reused while the store has not changed.
///
/// Clients poll: serving controllers and CI ask for the same model or version again and again,
/// and each answer costs a read transaction, two queries, entity mapping and JSON. A GET's
/// answer depends only on its path and query and on the store's contents (authentication is
/// checked before the cache), so while `RegistryService.changeStamp()` stays equal an earlier
/// answer is still the answer. Any commit, by any process, changes the stamp and empties the
/// cache at the next lookup: nothing served from here is older than the store.
///
/// Bounded: answers up to `maxBodyBytes` (point reads and small pages, not large pages), at most
/// `maxEntries` of them and `maxBytes` in all; when full it starts over (no LRU bookkeeping on
/// the hit path). One per `Router`, used from one thread at a time like the router.
struct ResponseCache {
    static let maxEntries = 4096
    static let maxBytes = 4 << 20
    static let maxBodyBytes = 16 << 10

    private var answers: [String: Response] = [:]
    private var bytes = 0
    private var stamp: StoreChangeStamp?

    /// The answer stored for `key`, provided the store still has the stamp it had when the
    /// cache was last validated; a new stamp empties the cache first.
    mutating func answer(for key: String, storeStamp: StoreChangeStamp) -> Response? {
        if storeStamp != stamp {
            removeAll()
            stamp = storeStamp
            return nil
        }
        return answers[key]
    }

    /// Keeps `response` for `key`. Call only with an answer computed after `answer(for:storeStamp:)`
    /// validated the stamp: a commit between the two then changes the stamp, so an answer that
    /// missed it is dropped at the next lookup rather than served.
    mutating func keep(_ response: Response, for key: String) {
        // 5xx are transient (a busy or failing store); everything else is the store's answer.
        guard response.status < 500, response.body.count <= Self.maxBodyBytes else { return }
        let size = key.utf8.count + response.body.count
        if answers.count >= Self.maxEntries || bytes + size > Self.maxBytes {
            let keptStamp = stamp
            removeAll()
            stamp = keptStamp
        }
        answers[key] = response
        bytes += size
    }

    var count: Int { answers.count }

    private mutating func removeAll() {
        answers.removeAll(keepingCapacity: true)
        bytes = 0
        stamp = nil
    }
}
