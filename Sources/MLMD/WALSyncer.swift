import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes the commits written to a store's WAL durable, through a descriptor of its own:
/// `fdatasync` flushes the file, not the descriptor, so one call covers every commit written
/// before it, whoever wrote it. `Connection.transaction` calls it after each commit; after
/// `Connection.deferWALSyncs` another thread does (one thread at a time), which is why
/// SQLite's own file object, which belongs to the connection's thread, is not used. The WAL
/// file is looked up by path on each sync and reopened when it was replaced (SQLite deletes it
/// when the last connection closes and creates a new one later); a newly opened WAL also has its
/// directory synced once, so that its directory entry survives a power cut.
///
/// It also checkpoints the WAL into the database (`checkpointIfDue`), on its own connection,
/// because the deferring connection leaves that to it: SQLite's automatic checkpoint runs in
/// the committing call, with two disk syncs, which held up every twentieth write.
public final class WALSyncer: @unchecked Sendable {
    public let databasePath: String
    public let walPath: String
    /// A checkpoint after this many syncs: about SQLite's default of 1,000 WAL pages when each
    /// sync covers one write, more under load, when syncs cover several.
    public let syncsPerCheckpoint: Int
    private var descriptor: Int32 = -1
    private var inode: (device: UInt64, number: UInt64) = (0, 0)
    private var checkpointConnection: OpaquePointer?
    /// The store's write gate, through a descriptor of our own (see `checkpointIfDue`).
    private lazy var gate = WriteGate(databasePath: databasePath, timeoutMilliseconds: 10_000)
    private var syncsSinceCheckpoint = 0
    /// How many times `sync` has flushed the WAL, and checkpoints have run (for tests).
    public private(set) var syncCount = 0
    public private(set) var checkpointCount = 0

    public init(databasePath: String, walPath: String, syncsPerCheckpoint: Int = 20) {
        self.databasePath = databasePath
        self.walPath = walPath
        self.syncsPerCheckpoint = syncsPerCheckpoint
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if let checkpointConnection { sqlite3_close_v2(checkpointConnection) }
    }

    /// A passive checkpoint (it never waits for, nor blocks, readers and the writer) once
    /// `syncsPerCheckpoint` syncs have run since the last one. Failures are left for the next
    /// time: the WAL only grows meanwhile.
    public func checkpointIfDue() {
        guard syncsSinceCheckpoint >= syncsPerCheckpoint else { return }
        syncsSinceCheckpoint = 0
        if checkpointConnection == nil {
            var db: OpaquePointer?
            guard sqlite3_open_v2(databasePath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
                  let db else {
                sqlite3_close_v2(db)
                return
            }
            sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nil, nil, nil)
            checkpointConnection = db
        }
        // Most of the copying happens while the writer goes on. A checkpoint racing the
        // writer never quite catches up, though, and SQLite starts the WAL over only when one
        // has copied all of it, so a second pass holds the write gate (our writers wait for
        // it; a pass over the few pages written meanwhile) and the next write restarts the WAL.
        guard passiveCheckpoint() else { return }
        if let gate, gate.enter() {
            defer { gate.leave() }
            guard passiveCheckpoint() else { return }
        }
        checkpointCount += 1
    }

    private func passiveCheckpoint() -> Bool {
        sqlite3_wal_checkpoint_v2(checkpointConnection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK
    }

    /// fdatasync of the WAL as it is now. Nothing to do when there is no WAL file (nothing was
    /// written since SQLite last removed it, which it does only after a checkpoint of all of it).
    public func sync() throws {
        guard try openCurrentWAL() else { return }
        guard fdatasync(descriptor) == 0 else {
            throw SQLiteError(code: SQLITE_IOERR,
                              message: "the write was committed but syncing the WAL to disk failed: \(String(cString: strerror(errno)))",
                              sql: nil)
        }
        syncCount += 1
        syncsSinceCheckpoint += 1
    }

    /// Points `descriptor` at the file now at `walPath`; false when there is none.
    private func openCurrentWAL() throws -> Bool {
        var current = stat()
        guard stat(walPath, &current) == 0 else {
            if errno == ENOENT { return false }
            throw SQLiteError(code: SQLITE_IOERR, message: "cannot stat \(walPath): \(String(cString: strerror(errno)))", sql: nil)
        }
        let identity = (UInt64(current.st_dev), UInt64(current.st_ino))
        if descriptor >= 0 && identity == inode { return true }
        if descriptor >= 0 { close(descriptor) }
        descriptor = open(walPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return false }
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open \(walPath): \(String(cString: strerror(errno)))", sql: nil)
        }
        inode = identity
        syncDirectory()
        return true
    }

    private func syncDirectory() {
        let directory = walPath.lastIndex(of: "/").map { String(walPath[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
