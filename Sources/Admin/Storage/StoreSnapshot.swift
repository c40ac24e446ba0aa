import MLMD

/// Writes a consistent copy of a store to a new file: the online copy, then the copy is made a
/// self-contained single file (rollback journal mode, or WAL with everything checkpointed), its
/// integrity is checked and it is flushed to disk. The caller publishes it by renaming.
struct StoreSnapshot {
    var busyTimeout: Int32
    var copier = OnlineCopy()
    /// The journal mode the copy is left in: `DELETE` for backups (one file, opens anywhere),
    /// `WAL` for a file about to be served.
    var finalJournalMode = "DELETE"

    struct Result {
        var pages: Int64
        var pageSize: Int64
        var steps: Int
        var bytes: Int64
    }

    /// Copies `source` into `target`, which must not exist. On failure nothing is left at `target`.
    func write(from source: String, to target: String, context: AdminContext, label: String) throws -> Result {
        guard !Files.exists(target) else { throw AdminError.failed("\(target) already exists") }
        do {
            let result = try copy(from: source, to: target, context: context, label: label)
            try Files.fsyncFile(target)
            return result
        } catch {
            Files.removeIfPresent(target)
            Files.removeIfPresent(StoreFiles(target).wal)
            Files.removeIfPresent(StoreFiles(target).shm)
            Files.removeIfPresent(StoreFiles(target).journal)
            throw error
        }
    }

    private func copy(from source: String, to target: String, context: AdminContext, label: String) throws -> Result {
        var copier = self.copier
        copier.busyTimeoutMilliseconds = busyTimeout
        let sourceDatabase: RawDatabase
        do {
            sourceDatabase = try RawDatabase(path: source, mode: .readOnly, busyTimeout: busyTimeout)
        } catch {
            throw AdminError.from(error, path: source, doing: "cannot open the store to copy")
        }
        let result: OnlineCopy.Result
        do {
            let destination = try RawDatabase(path: target, mode: .readWriteCreate, busyTimeout: busyTimeout)
            // The copy is fsynced once at the end; a crash before that leaves only a temp file.
            try destination.execute("PRAGMA synchronous=OFF")
            var started = false
            defer { if started { context.finishProgress() } }
            result = try copier.copy(from: sourceDatabase, to: destination) { done, total in
                if !started {
                    context.startProgress(label, total: total)
                    started = true
                }
                context.advanceProgress(to: done)
            }
            // The copy carries the source's WAL flag; settle it into the wanted mode, which
            // also folds any WAL content into the file.
            try destination.execute("PRAGMA journal_mode=\(finalJournalMode)")
            let integrity = try destination.rows("PRAGMA quick_check")
            guard integrity.count == 1, integrity[0].first == "ok" else {
                throw AdminError.failed("the copy of \(source) failed its integrity check: "
                                        + integrity.prefix(5).compactMap { $0.first ?? nil }.joined(separator: "; "))
            }
        } catch {
            throw AdminError.from(error, path: source, doing: "cannot copy the store")
        }
        // Closing the last connection of a WAL file checkpoints it and removes -wal and -shm.
        if Files.exists(StoreFiles(target).wal) {
            throw AdminError.failed("the copy \(target) still has a WAL file after closing; not publishing it")
        }
        return Result(pages: result.pages, pageSize: result.pageSize, steps: result.steps, bytes: Files.size(target) ?? 0)
    }
}
