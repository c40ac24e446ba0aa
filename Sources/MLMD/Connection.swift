import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite connection with a prepared-statement cache. A connection belongs to one process
/// and is used by one thread at a time; workers open their own after fork.
public final class Connection {
    let handle: OpaquePointer
    public let path: String
    /// How long a statement waits for another connection's lock before failing with SQLITE_BUSY
    /// (our busy handler's budget; `PRAGMA busy_timeout` reports 0 with a custom handler).
    public let busyTimeoutMilliseconds: Int32
    private let busyWait: BusyWait
    private var statements: [String: Statement] = [:]
    /// The same statements by the address of their SQL text's UTF-8 bytes (see `prepare`).
    private var statementsByAddress: [Int: Statement] = [:]
    private var transactionDepth = 0
    private let writeGate: WriteGate?
    /// See `syncWALAfterCommit()`.
    private var syncsWALAfterCommit = false
    /// See `deferWALSyncs()`: commits not yet synced since `takeUnsyncedCommits()` last asked.
    private var defersWALSyncs = false
    private var hasUnsyncedCommits = false
    /// Syncs the WAL for `transaction`, or for the caller after `deferWALSyncs()`; nil without
    /// `syncWALAfterCommit()` or without a WAL file (in memory).
    private var walSyncer: WALSyncer?
    /// How many times the WAL has been synced (for tests).
    public var walSyncCount: Int { walSyncer?.syncCount ?? 0 }

    public struct OpenOptions: Sendable {
        public var readOnly = false
        public var create = true
        public var busyTimeoutMilliseconds: Int32 = 10_000
        /// Writers of this store take turns through `WriteGate` before asking SQLite.
        public var usesWriteGate = false
        public init(readOnly: Bool = false, create: Bool = true, busyTimeoutMilliseconds: Int32 = 10_000,
                    usesWriteGate: Bool = false) {
            self.readOnly = readOnly
            self.create = create
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.usesWriteGate = usesWriteGate
        }
    }

    public init(path: String, options: OpenOptions = OpenOptions()) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        if options.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if options.create { flags |= SQLITE_OPEN_CREATE }
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "cannot open \(path): \(message)", sql: nil)
        }
        self.handle = db
        self.path = path
        self.busyTimeoutMilliseconds = options.busyTimeoutMilliseconds
        self.busyWait = BusyWait(timeoutMilliseconds: options.busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(db, 1)
        Self.installBusyHandler(db, wait: busyWait)
        writeGate = options.usesWriteGate && !options.readOnly
            ? WriteGate(databasePath: path, timeoutMilliseconds: options.busyTimeoutMilliseconds) : nil
    }

    /// Waits for another connection's lock by polling it often. SQLite's own busy_timeout
    /// handler sleeps 1, 2, 5, 10, 15, 20, 25 … ms between attempts, while one of our write
    /// transactions holds the lock for about half a millisecond: with two workers writing, the
    /// lock then sat unused for most of each wait, and the other worker's requests queued
    /// behind it (update p99 202 ms and registration p99 398 ms at 16 connections). This one
    /// retries every 50 µs for the first 2 ms, every 200 µs up to 100 ms, then every 2 ms,
    /// until the timeout, measured on the monotonic clock.
    private static func installBusyHandler(_ db: OpaquePointer, wait: BusyWait) {
        guard wait.timeoutNanoseconds > 0 else {
            sqlite3_busy_handler(db, nil, nil)
            return
        }
        sqlite3_busy_handler(db, { context, attempt in
            guard let context else { return 0 }
            let wait = Unmanaged<BusyWait>.fromOpaque(context).takeUnretainedValue()
            let now = BusyWait.now()
            if attempt == 0 { wait.startedNanoseconds = now }
            let waited = now &- wait.startedNanoseconds
            guard waited < wait.timeoutNanoseconds else { return 0 }
            BusyWait.pause(afterWaiting: waited)
            return 1
        }, Unmanaged.passUnretained(wait).toOpaque())
    }

    /// The busy handler's state; the connection keeps it alive as long as SQLite may call it.
    final class BusyWait {
        let timeoutNanoseconds: UInt64
        var startedNanoseconds: UInt64 = 0

        init(timeoutMilliseconds: Int32) {
            timeoutNanoseconds = UInt64(max(timeoutMilliseconds, 0)) * 1_000_000
        }

        /// One step of the polling schedule above (also the write gate's): 50 µs for the first
        /// 2 ms, then 200 µs up to 100 ms, then 2 ms.
        static func pause(afterWaiting waited: UInt64) {
            usleep(waited < 2_000_000 ? 50 : waited < 100_000_000 ? 200 : 2_000)
        }

        static func now() -> UInt64 {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
        }
    }

    deinit {
        statementsByAddress.removeAll()
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows and take no parameters.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// Returns the cached prepared statement for `sql`, preparing it on first use.
    public func prepare(_ sql: String) throws -> Statement {
        // Most statements come from constant texts (`static let`), whose UTF-8 storage never
        // moves: find those by address instead of hashing a few hundred bytes of SQL per use.
        // A hit must still be equal (String == returns at once for the same storage), since a
        // freed text's address can be reused by another.
        let address = sql.utf8.count > 15 ? (sql.utf8.withContiguousStorageIfAvailable { Int(bitPattern: $0.baseAddress) } ?? 0) : 0
        if address != 0, let cached = statementsByAddress[address], cached.sql == sql { return cached }
        if let cached = statements[sql] {
            rememberAddress(address, of: cached)
            return cached
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteError(code: rc, message: lastErrorMessage, sql: sql)
        }
        let statement = Statement(handle: stmt, sql: sql)
        // Filtered list queries produce many distinct SQL texts; keep the cache bounded.
        if statements.count >= 512 {
            statements.removeAll(keepingCapacity: true)
            statementsByAddress.removeAll(keepingCapacity: true)
        }
        statements[sql] = statement
        rememberAddress(address, of: statement)
        return statement
    }

    private func rememberAddress(_ address: Int, of statement: Statement) {
        guard address != 0 else { return }
        // Texts built per request (list queries) get a new address each time: stay small.
        if statementsByAddress.count >= 64 { statementsByAddress.removeAll(keepingCapacity: true) }
        statementsByAddress[address] = statement
    }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        defer { sqlite3_reset(statement.handle) }
        let rc = sqlite3_step(statement.handle)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: lastErrorMessage, sql: sql)
        }
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query, calling `row` for each result row.
    public func query(_ sql: String, _ bindings: [SQLValue] = [], row: (Statement) throws -> Void) throws {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        defer { sqlite3_reset(statement.handle) }
        while true {
            let rc = sqlite3_step(statement.handle)
            if rc == SQLITE_ROW {
                try row(statement)
            } else if rc == SQLITE_DONE {
                return
            } else {
                throw SQLiteError(code: sqlite3_extended_errcode(handle), message: lastErrorMessage, sql: sql)
            }
        }
    }

    /// Maps every row of a query.
    public func all<T>(_ sql: String, _ bindings: [SQLValue] = [], _ transform: (Statement) throws -> T) throws -> [T] {
        var results: [T] = []
        try query(sql, bindings) { results.append(try transform($0)) }
        return results
    }

    /// The first row of a query, if any.
    public func first<T>(_ sql: String, _ bindings: [SQLValue] = [], _ transform: (Statement) throws -> T) throws -> T? {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        defer { sqlite3_reset(statement.handle) }
        let rc = sqlite3_step(statement.handle)
        if rc == SQLITE_ROW { return try transform(statement) }
        if rc == SQLITE_DONE { return nil }
        throw SQLiteError(code: sqlite3_extended_errcode(handle), message: lastErrorMessage, sql: sql)
    }

    public func scalarInt(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int64? {
        try first(sql, bindings) { $0.optionalInt64(0) } ?? nil
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// A value that differs from an earlier one whenever the database may hold other data than
    /// it did then: a commit by any other connection, in this process or another (SQLite's
    /// `data_version`, read from the WAL index as the pragma starts its read), or a change made
    /// through this one (`sqlite3_total_changes64`, which `data_version` leaves out). Equal
    /// stamps mean every query answers as before. One short autocommit pragma, no table read.
    public func changeStamp() throws -> ChangeStamp {
        let dataVersion = try scalarInt(Self.dataVersionPragma) ?? 0
        return ChangeStamp(dataVersion: dataVersion, ownChanges: sqlite3_total_changes64(handle))
    }
    private static let dataVersionPragma = "PRAGMA data_version"

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs `body` in one transaction. Writes use `BEGIN IMMEDIATE` so that the write lock is
    /// taken up front (busy_timeout applies there) instead of failing at the first write.
    /// Nested calls join the outer transaction.
    public func transaction<T>(write: Bool = true, _ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        let changesBefore = sqlite3_total_changes64(handle)
        let result: T
        if write, let gate = writeGate {
            guard gate.enter() else {
                throw SQLiteError(code: SQLITE_BUSY, message: "another writer holds the store's write gate", sql: nil)
            }
            defer { gate.leave() }
            result = try commitOrRollBack(write: true, body)
        } else {
            result = try commitOrRollBack(write: write, body)
        }
        // Outside SQLite's lock and the gate: the next writer runs while this one waits for the disk.
        if syncsWALAfterCommit, write, sqlite3_total_changes64(handle) != changesBefore {
            if defersWALSyncs {
                hasUnsyncedCommits = true
            } else {
                try walSyncer?.sync()
            }
        }
        return result
    }

    private func commitOrRollBack<T>(write: Bool, _ body: () throws -> T) throws -> T {
        // Prepared once and cached like any statement: sqlite3_exec would parse them on every request.
        try run(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    /// Makes every write transaction durable when `transaction` returns, with SQLite's write
    /// lock held only while the WAL is written, not while it is synced to disk.
    ///
    /// With `synchronous=FULL` SQLite calls fdatasync on the WAL inside COMMIT, lock held, so
    /// concurrent writers queue behind each other's disk flushes (about 0.4 ms each here). This
    /// sets `synchronous=NORMAL`, under which SQLite syncs the WAL only before a checkpoint
    /// (and the database after it, so the file stays consistent at power loss), and syncs the
    /// WAL itself after each COMMIT that changed rows, before returning: the caller sees the
    /// write acknowledged only once it is on disk, as with FULL, while the next writer already
    /// runs, and the two flushes can share one trip to the disk. The difference from FULL:
    /// other connections can read a commit during its sync, so a power loss in that window can
    /// take back a write that a reader saw but whose writer was never told it succeeded
    /// (Docs/reliability.md, "Durability: what a 2xx means").
    public func syncWALAfterCommit() throws {
        try execute("PRAGMA synchronous=NORMAL")
        syncsWALAfterCommit = true
        // An in-memory or temporary database has no file name, and no WAL to sync.
        if walSyncer == nil, let databaseName = sqlite3_db_filename(handle, "main"), databaseName.pointee != 0,
           let walName = sqlite3_filename_wal(databaseName), walName.pointee != 0 {
            walSyncer = WALSyncer(databasePath: String(cString: databaseName), walPath: String(cString: walName))
        }
    }

    /// Like `syncWALAfterCommit()`, except that `transaction` leaves the sync to the caller: a
    /// commit is durable once the returned syncer's `sync()` has run after it. A server that
    /// answers a write only after that sync keeps the guarantee of `syncWALAfterCommit()` and can
    /// cover several commits with one sync (group commit, see the FastCGI writer worker). The
    /// syncer's `checkpointIfDue()` takes over SQLite's automatic checkpoints. Nil when the
    /// store has no WAL file to sync (in memory).
    public func deferWALSyncs() throws -> WALSyncer? {
        try syncWALAfterCommit()
        guard let walSyncer else { return nil }
        // The syncer checkpoints, off the path of the writes (see WALSyncer).
        try execute("PRAGMA wal_autocheckpoint=0")
        defersWALSyncs = true
        return walSyncer
    }

    /// Whether a transaction committed changes since the last call that `deferWALSyncs()` left
    /// unsynced; resets the answer.
    public func takeUnsyncedCommits() -> Bool {
        defer { hasUnsyncedCommits = false }
        return hasUnsyncedCommits
    }

    /// No sync at all (`synchronous=OFF`): a crash of the machine can lose or corrupt recent
    /// writes. For tests and throw-away copies only.
    public func commitWithoutSync() throws {
        try execute("PRAGMA synchronous=OFF")
        syncsWALAfterCommit = false
        defersWALSyncs = false
    }
}

/// See `Connection.changeStamp()`.
public struct ChangeStamp: Equatable, Sendable {
    public let dataVersion: Int64
    public let ownChanges: Int64
}
