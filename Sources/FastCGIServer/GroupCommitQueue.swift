#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import API
import Logging

/// Answers write requests once their commits are on disk, with one disk sync for all the
/// writes committed meanwhile (group commit).
///
/// The writer worker's main thread runs each write to its COMMIT, hands the finished response
/// and the connection here, and goes on to the next request; this queue's thread syncs the WAL
/// once for everything handed over so far and then sends those responses. A client still hears
/// of its write only once it is durable, as when each request synced itself, but the worker
/// no longer waits for the disk between writes, and one sync covers many writes under load.
final class GroupCommitQueue: @unchecked Sendable {
    struct Answer {
        /// The accepted connection to nginx, its request read to the end.
        let connection: Int32
        /// The response as FastCGI records.
        let records: [UInt8]
        /// For the answer sent instead if the sync fails (encoded only then).
        let requestID: UInt16
        let sync: any CommitSyncing
    }

    private let logger: Logger
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var waiting: [Answer] = []
    private var stopping = false
    private var thread: pthread_t?

    init(logger: Logger) {
        self.logger = logger
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Starts the syncing thread; false if it cannot be created. The thread blocks every
    /// signal, so SIGTERM reaches the main thread and interrupts its `accept` at once.
    func start() -> Bool {
        let mask = SignalMask.blockAll()  // inherited by the new thread
        defer { SignalMask.restore(mask) }
        let context = Unmanaged.passRetained(self).toOpaque()
        var created = pthread_t()
        let rc = pthread_create(&created, nil, { context in
            let queue = Unmanaged<GroupCommitQueue>.fromOpaque(context!).takeRetainedValue()
            queue.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<GroupCommitQueue>.fromOpaque(context).release()
            return false
        }
        thread = created
        return true
    }

    func submit(_ answer: Answer) {
        pthread_mutex_lock(mutex)
        waiting.append(answer)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sends what is still waiting (after its sync) and ends the thread.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func run() {
        while let batch = nextBatch() {
            let (synced, failed) = syncAll(batch)
            for answer in batch {
                let synced = !failed.contains(ObjectIdentifier(answer.sync))
                deliver(synced ? answer.records
                               : FastCGIResponseRecords.encode(FastCGIConnection.unsyncedWriteResponse, requestID: answer.requestID),
                        on: answer.connection)
            }
            for sync in synced { sync.afterAnswering() }
        }
    }

    /// Everything handed over since the last batch; nil once stopped with nothing left.
    private func nextBatch() -> [Answer]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while waiting.isEmpty && !stopping {
            pthread_cond_wait(condition, mutex)
        }
        if waiting.isEmpty { return nil }
        defer { waiting.removeAll(keepingCapacity: true) }
        return waiting
    }

    /// One sync per store in the batch (a worker has one): the stores synced, and the ids of
    /// those whose sync failed.
    private func syncAll(_ batch: [Answer]) -> (synced: [any CommitSyncing], failed: Set<ObjectIdentifier>) {
        var synced: [any CommitSyncing] = []
        var failed = Set<ObjectIdentifier>()
        for answer in batch {
            let id = ObjectIdentifier(answer.sync)
            guard !synced.contains(where: { ObjectIdentifier($0) == id }), !failed.contains(id) else { continue }
            do {
                try answer.sync.syncCommits()
                synced.append(answer.sync)
            } catch {
                logger.error("\(error)")
                failed.insert(id)
            }
        }
        return (synced, failed)
    }

    /// Writes the records, takes whatever nginx sent after its request (unread bytes would
    /// make it see a reset) and closes the connection.
    private func deliver(_ records: [UInt8], on connection: Int32) {
        records.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent > 0 {
                    offset += sent
                } else if sent < 0 && errno == EINTR {
                    continue
                } else {
                    logger.debug("the web server closed the connection before the response was sent")
                    break
                }
            }
        }
        FastCGIConnection.closeTakingWhatIsLeft(connection)
    }
}
