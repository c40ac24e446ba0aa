import Foundation
import MLMD
import Testing

private func values(_ connection: Connection) throws -> [Int64] {
    try connection.all("SELECT v FROM t ORDER BY v") { $0.int64(0) }
}

private func scratchConnection(_ directory: TemporaryDirectory, busyTimeout: Int32 = 10_000) throws -> Connection {
    let connection = try Connection(path: directory.path("scratch.sqlite"),
                                    options: .init(busyTimeoutMilliseconds: busyTimeout))
    try connection.execute("PRAGMA journal_mode=WAL")
    try connection.execute("CREATE TABLE IF NOT EXISTS t(v INTEGER)")
    return connection
}

@Suite struct TransactionTests {
    @Test func commitsOnSuccess() throws {
        let directory = try TemporaryDirectory()
        let connection = try scratchConnection(directory)
        let result = try connection.transaction {
            try connection.run("INSERT INTO t(v) VALUES (1)")
            try connection.run("INSERT INTO t(v) VALUES (2)")
            return "done"
        }
        #expect(result == "done")
        // Visible from another connection, so it was committed.
        let other = try Connection(path: directory.path("scratch.sqlite"))
        #expect(try values(other) == [1, 2])
    }

    @Test func rollsBackEverythingOnAThrownError() throws {
        let directory = try TemporaryDirectory()
        let connection = try scratchConnection(directory)
        try connection.run("INSERT INTO t(v) VALUES (0)")
        #expect(throws: InjectedFailure.self) {
            try connection.transaction {
                try connection.run("INSERT INTO t(v) VALUES (1)")
                try connection.run("UPDATE t SET v = 100 WHERE v = 0")
                throw InjectedFailure()
            }
        }
        #expect(try values(connection) == [0])
        // The connection is usable afterwards, with a fresh transaction.
        _ = try connection.transaction { try connection.run("INSERT INTO t(v) VALUES (3)") }
        #expect(try values(connection) == [0, 3])
    }

    @Test func rollsBackOnAnSQLError() throws {
        let directory = try TemporaryDirectory()
        let connection = try scratchConnection(directory)
        try connection.execute("CREATE TABLE u(v INTEGER UNIQUE)")
        #expect(throws: SQLiteError.self) {
            try connection.transaction {
                try connection.run("INSERT INTO t(v) VALUES (1)")
                try connection.run("INSERT INTO u(v) VALUES (1)")
                try connection.run("INSERT INTO u(v) VALUES (1)")
            }
        }
        #expect(try values(connection) == [])
        #expect(try connection.scalarInt("SELECT COUNT(*) FROM u") == 0)
    }

    @Test func nestedTransactionsJoinTheOuterOne() throws {
        let directory = try TemporaryDirectory()
        let connection = try scratchConnection(directory)
        // An error escaping the outer transaction undoes the inner one's writes too.
        #expect(throws: InjectedFailure.self) {
            try connection.transaction {
                try connection.run("INSERT INTO t(v) VALUES (1)")
                _ = try connection.transaction {
                    try connection.run("INSERT INTO t(v) VALUES (2)")
                }
                // Still inside the outer transaction: no COMMIT happened at the inner end.
                let other = try Connection(path: directory.path("scratch.sqlite"))
                #expect(try values(other) == [])
                throw InjectedFailure()
            }
        }
        #expect(try values(connection) == [])
        // A nested read transaction inside a write one works as well.
        try connection.transaction {
            try connection.run("INSERT INTO t(v) VALUES (5)")
            let seen = try connection.transaction(write: false) { try values(connection) }
            #expect(seen == [5])
        }
        #expect(try values(connection) == [5])
    }

    @Test func anInnerErrorPropagatesAndRollsBackTheOuter() throws {
        let directory = try TemporaryDirectory()
        let connection = try scratchConnection(directory)
        #expect(throws: InjectedFailure.self) {
            try connection.transaction {
                try connection.run("INSERT INTO t(v) VALUES (1)")
                try connection.transaction {
                    try connection.run("INSERT INTO t(v) VALUES (2)")
                    throw InjectedFailure()
                }
            }
        }
        #expect(try values(connection) == [])
        _ = try connection.transaction { try connection.run("INSERT INTO t(v) VALUES (9)") }
        #expect(try values(connection) == [9])
    }

    @Test func readTransactionsSeeASnapshot() throws {
        let directory = try TemporaryDirectory()
        let reader = try scratchConnection(directory)
        let writer = try Connection(path: directory.path("scratch.sqlite"))
        try writer.run("INSERT INTO t(v) VALUES (1)")
        try reader.transaction(write: false) {
            #expect(try values(reader) == [1])
            try writer.run("INSERT INTO t(v) VALUES (2)")
            #expect(try values(reader) == [1], "WAL readers keep their snapshot")
        }
        #expect(try values(reader) == [1, 2])
    }
}

@Suite struct ConnectionTests {
    @Test func fileStoresUseWAL() throws {
        let directory = try TemporaryDirectory()
        let store = try MetadataStore.open(path: directory.path("wal.sqlite"))
        #expect(try store.connection.first("PRAGMA journal_mode") { $0.string(0) } == "wal")
        #expect(try store.connection.scalarInt("PRAGMA synchronous") == 1, "NORMAL, with our own sync after each commit")
        try store.createOrVerifySchema()
        #expect(FileManager.default.fileExists(atPath: directory.path("wal.sqlite-wal")))
    }

    @Test func writeTransactionsThatChangeRowsSyncTheWALOnceBeforeReturning() throws {
        let directory = try TemporaryDirectory()
        let store = try MetadataStore.open(path: directory.path("sync.sqlite"))
        let connection = store.connection
        try connection.execute("CREATE TABLE t (v INTEGER)")
        let before = connection.walSyncCount
        try connection.transaction {
            try connection.run("INSERT INTO t VALUES (1)")
            _ = try connection.transaction { try connection.run("INSERT INTO t VALUES (2)") }
        }
        #expect(connection.walSyncCount == before + 1, "one sync for the outer transaction")
        try connection.transaction(write: false) { _ = try values(connection) }
        try connection.transaction { _ = try connection.run("UPDATE t SET v = 3 WHERE v = 99") }
        #expect(connection.walSyncCount == before + 1, "reads and writes that change nothing do not sync")
        #expect(throws: SQLiteError.self) {
            try connection.transaction {
                try connection.run("INSERT INTO t VALUES (4)")
                try connection.run("INSERT INTO missing VALUES (1)")
            }
        }
        #expect(connection.walSyncCount == before + 1, "a rolled-back transaction does not sync")
        #expect(try values(connection) == [1, 2])

        // Another connection sees the synced commit; a store opened without sync never syncs.
        let other = try MetadataStore.open(path: directory.path("sync.sqlite")).connection
        #expect(try values(other) == [1, 2])
        try other.commitWithoutSync()
        _ = try other.transaction { try other.run("INSERT INTO t VALUES (5)") }
        #expect(other.walSyncCount == 0)
        #expect(try other.scalarInt("PRAGMA synchronous") == 0)
    }

    @Test func busyTimeoutIsSet() throws {
        let directory = try TemporaryDirectory()
        let connection = try Connection(path: directory.path("b.sqlite"), options: .init(busyTimeoutMilliseconds: 1234))
        // Our own busy handler waits (in short steps), so `PRAGMA busy_timeout` reads 0; the
        // tests below check that writers wait, and give up after the timeout.
        #expect(connection.busyTimeoutMilliseconds == 1234)
        #expect(try Connection(path: directory.path("b.sqlite")).busyTimeoutMilliseconds == 10_000)
    }

    @Test func aSecondWriterWaitsForTheFirstThenProceeds() throws {
        let directory = try TemporaryDirectory()
        let first = try scratchConnection(directory)
        try first.execute("BEGIN IMMEDIATE")
        try first.run("INSERT INTO t(v) VALUES (1)")

        let path = directory.path("scratch.sqlite")
        let done = DispatchSemaphore(value: 0)
        let outcome = LockedBox<Result<Double, any Error>>()
        Thread.detachNewThread {
            let start = Date()
            do {
                let second = try Connection(path: path, options: .init(busyTimeoutMilliseconds: 5_000))
                _ = try second.transaction { try second.run("INSERT INTO t(v) VALUES (2)") }
                outcome.value = .success(Date().timeIntervalSince(start))
            } catch {
                outcome.value = .failure(error)
            }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.3)
        try first.execute("COMMIT")
        #expect(done.wait(timeout: .now() + 10) == .success)
        switch outcome.value {
        case .success(let waited)?:
            #expect(waited >= 0.2, "the second writer should have waited for the first (waited \(waited)s)")
        case .failure(let error)?:
            Issue.record("the second writer failed: \(error)")
        case nil:
            Issue.record("the second writer did not finish")
        }
        #expect(try values(first) == [1, 2])
    }

    @Test func aWriterGivesUpWithBusyAfterItsTimeout() throws {
        let directory = try TemporaryDirectory()
        let first = try scratchConnection(directory)
        try first.execute("BEGIN IMMEDIATE")
        defer { try? first.execute("ROLLBACK") }
        let second = try Connection(path: directory.path("scratch.sqlite"), options: .init(busyTimeoutMilliseconds: 50))
        let start = Date()
        do {
            _ = try second.transaction { try second.run("INSERT INTO t(v) VALUES (2)") }
            Issue.record("the second writer should have been refused")
        } catch let error as SQLiteError {
            #expect(error.isBusy)
            #expect(Date().timeIntervalSince(start) >= 0.04)
        }
        // Readers are not blocked by the writer in WAL mode.
        #expect(try values(second) == [])
    }

    @Test func preparedStatementsAreCached() throws {
        let connection = try Connection(path: ":memory:")
        let sql = "SELECT ? + 1"
        let a = try connection.prepare(sql)
        let b = try connection.prepare(sql)
        #expect(a === b)
        #expect(a.sql == sql)
        #expect(try connection.prepare("SELECT ? + 2") !== a)
        // The cached statement is reset and rebound correctly on every use.
        #expect(try connection.scalarInt(sql, [.integer(1)]) == 2)
        #expect(try connection.scalarInt(sql, [.integer(41)]) == 42)
        #expect(try connection.scalarInt(sql, [.null]) == nil)
        #expect(try connection.prepare(sql) === a)
    }

    @Test func cacheStaysCorrectWhenItOverflows() throws {
        let connection = try Connection(path: ":memory:")
        for i in 0..<1200 {
            #expect(try connection.scalarInt("SELECT \(i)") == Int64(i))
        }
        #expect(try connection.scalarInt("SELECT 7") == 7)
    }

    @Test func aStatementAbandonedMidQueryDoesNotHoldLocks() throws {
        let directory = try TemporaryDirectory()
        let connection = try scratchConnection(directory)
        for v in 1...3 { try connection.run("INSERT INTO t(v) VALUES (?)", [.integer(Int64(v))]) }
        // `first` reads one row of many and must reset the statement.
        #expect(try connection.first("SELECT v FROM t ORDER BY v") { $0.int64(0) } == 1)
        try connection.execute("DROP TABLE t")
    }

    @Test func bindingsAndColumnAccessors() throws {
        let connection = try Connection(path: ":memory:")
        let row = try connection.first("SELECT ?, ?, ?, ?, ?", [.null, .integer(-3), .double(2.5), .text("é"), .blob([1, 2])]) {
            ($0.value(0), $0.value(1), $0.value(2), $0.value(3), $0.value(4), $0.columnCount)
        }
        #expect(row?.0 == .null)
        #expect(row?.1 == .integer(-3))
        #expect(row?.2 == .double(2.5))
        #expect(row?.3 == .text("é"))
        #expect(row?.4 == .blob([1, 2]))
        #expect(row?.5 == 5)
        #expect(try connection.first("SELECT 1 WHERE 0") { $0.int64(0) } == nil)
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let connection = try Connection(path: ":memory:")
        do {
            try connection.run("INSERT INTO nowhere VALUES (1)")
            Issue.record("expected an error")
        } catch let error as SQLiteError {
            #expect(error.message.contains("nowhere"))
            #expect(error.sql == "INSERT INTO nowhere VALUES (1)")
            #expect(!error.isBusy && !error.isConstraintViolation)
        }
        try connection.execute("CREATE TABLE u(v UNIQUE)")
        try connection.run("INSERT INTO u VALUES (1)")
        do {
            try connection.run("INSERT INTO u VALUES (1)")
            Issue.record("expected a constraint violation")
        } catch let error as SQLiteError {
            #expect(error.isConstraintViolation)
            #expect(error.code != error.primaryCode, "extended result codes are on")
        }
    }

    @Test func runReportsChangedRows() throws {
        let connection = try Connection(path: ":memory:")
        try connection.execute("CREATE TABLE t(v INTEGER)")
        #expect(try connection.run("INSERT INTO t(v) VALUES (1), (2), (3)") == 3)
        #expect(try connection.run("UPDATE t SET v = v + 1 WHERE v > 1") == 2)
        #expect(connection.lastInsertRowID == 3)
    }

    @Test func openingAMissingFileWithoutCreateFails() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: SQLiteError.self) {
            _ = try Connection(path: directory.path("absent.sqlite"), options: .init(create: false))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("absent.sqlite")))
    }

    @Test func readOnlyConnectionsRefuseWrites() throws {
        let test = try TestStore()
        let readOnly = try MetadataStore.open(path: test.path, readOnly: true)
        #expect(try readOnly.schemaVersion() == 10)
        do {
            try readOnly.connection.run("DELETE FROM MLMDEnv")
            Issue.record("a read-only connection must refuse writes")
        } catch let error as SQLiteError {
            #expect(error.isReadOnly)
        }
    }
}

/// A value shared with a background thread under a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    var value: Value? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
