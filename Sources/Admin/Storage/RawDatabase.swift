import CSQLite
import MLMD

/// An SQLite result code and message from a `RawDatabase` (MLMD's `SQLiteError` cannot be
/// created outside its module).
struct SQLiteFailure: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String?

    var primaryCode: Int32 { code & 0xFF }
    var description: String { "SQLite error \(code): \(message)" }
}

/// A bare SQLite handle for what the MLMD `Connection` does not expose: the online backup API
/// between two handles. Used by backup, restore and migrate's safety copy.
final class RawDatabase {
    let handle: OpaquePointer
    let path: String

    enum Mode {
        case readOnly
        case readWriteCreate
        case readWrite
    }

    init(path: String, mode: Mode, busyTimeout: Int32) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteFailure(code: rc, message: message, sql: nil)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeout)
    }

    deinit { sqlite3_close_v2(handle) }

    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(message)
            throw SQLiteFailure(code: rc, message: text, sql: sql)
        }
    }

    /// The rows of a query whose columns are read as text.
    func rows(_ sql: String) throws -> [[String?]] {
        var statement: OpaquePointer?
        let prepared = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard prepared == SQLITE_OK, let statement else {
            throw SQLiteFailure(code: prepared, message: errorMessage, sql: sql)
        }
        defer { sqlite3_finalize(statement) }
        var result: [[String?]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return result }
            guard rc == SQLITE_ROW else { throw SQLiteFailure(code: sqlite3_extended_errcode(handle), message: errorMessage, sql: sql) }
            var row: [String?] = []
            for column in 0..<sqlite3_column_count(statement) {
                row.append(sqlite3_column_text(statement, column).map { String(cString: $0) })
            }
            result.append(row)
        }
    }

    func scalarInt(_ sql: String) throws -> Int64? {
        try rows(sql).first?.first.flatMap { $0.flatMap { Int64($0) } }
    }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// Copies a whole database with SQLite's online backup API, a few pages per step.
///
/// The source keeps one read transaction open for the whole copy, so the copy is the snapshot
/// of that moment: with WAL, writers carry on meanwhile (readers never block them) and, since
/// the snapshot does not move, the backup never restarts however busy the store is. Pauses
/// between steps keep the copy from saturating the disk under a serving registry.
struct OnlineCopy {
    var pagesPerStep: Int32 = 1024
    var pauseMilliseconds = 2
    /// How long to keep retrying when a step reports the destination or source busy.
    var busyTimeoutMilliseconds: Int32 = Admin.defaultBusyTimeoutMilliseconds

    struct Result {
        var pages: Int64
        var pageSize: Int64
        var steps: Int
    }

    func copy(from source: RawDatabase, to destination: RawDatabase, progress: (Int64, Int64) -> Void) throws -> Result {
        // Pin the snapshot: a read transaction that has read the schema.
        try source.execute("BEGIN DEFERRED")
        defer { try? source.execute("COMMIT") }
        _ = try source.scalarInt("SELECT COUNT(*) FROM sqlite_master")
        let pageSize = try source.scalarInt("PRAGMA page_size") ?? 4096

        guard let backup = sqlite3_backup_init(destination.handle, "main", source.handle, "main") else {
            throw SQLiteFailure(code: sqlite3_extended_errcode(destination.handle), message: destination.errorMessage, sql: nil)
        }
        var finished = false
        defer { if !finished { sqlite3_backup_finish(backup) } }
        var steps = 0
        var busySince: Double?
        while true {
            let rc = sqlite3_backup_step(backup, pagesPerStep)
            steps += 1
            let total = Int64(sqlite3_backup_pagecount(backup))
            let remaining = Int64(sqlite3_backup_remaining(backup))
            progress(total - remaining, total)
            if rc == SQLITE_DONE { break }
            let primary = rc & 0xFF
            if primary == SQLITE_BUSY || primary == SQLITE_LOCKED {
                let now = Files.monotonicSeconds()
                let start = busySince ?? now
                busySince = start
                if (now - start) * 1000 > Double(busyTimeoutMilliseconds) {
                    throw SQLiteFailure(code: rc, message: "the database stayed locked during the copy", sql: nil)
                }
                Files.sleep(milliseconds: 20)
                continue
            }
            guard rc == SQLITE_OK else {
                let message = String(cString: sqlite3_errstr(rc))
                throw SQLiteFailure(code: rc, message: "\(message) (\(destination.errorMessage))", sql: nil)
            }
            busySince = nil
            Files.sleep(milliseconds: pauseMilliseconds)
        }
        let pages = Int64(sqlite3_backup_pagecount(backup))
        finished = true
        let rc = sqlite3_backup_finish(backup)
        guard rc == SQLITE_OK else {
            throw SQLiteFailure(code: rc, message: destination.errorMessage, sql: nil)
        }
        return Result(pages: pages, pageSize: pageSize, steps: steps)
    }
}
