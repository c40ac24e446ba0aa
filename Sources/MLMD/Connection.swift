import CSQLite

/// One SQLite connection with a prepared-statement cache. A connection belongs to one process
/// and is used by one thread at a time; workers open their own after fork.
public final class Connection {
    let handle: OpaquePointer
    public let path: String
    private var statements: [String: Statement] = [:]
    private var transactionDepth = 0

    public struct OpenOptions: Sendable {
        public var readOnly = false
        public var create = true
        public var busyTimeoutMilliseconds: Int32 = 10_000
        public init(readOnly: Bool = false, create: Bool = true, busyTimeoutMilliseconds: Int32 = 10_000) {
            self.readOnly = readOnly
            self.create = create
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
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
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, options.busyTimeoutMilliseconds)
    }

    deinit {
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
        if let cached = statements[sql] { return cached }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteError(code: rc, message: lastErrorMessage, sql: sql)
        }
        let statement = Statement(handle: stmt, sql: sql)
        // Filtered list queries produce many distinct SQL texts; keep the cache bounded.
        if statements.count >= 512 { statements.removeAll(keepingCapacity: true) }
        statements[sql] = statement
        return statement
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
        try execute(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
