import Foundation
@testable import MLMD
import Testing

/// Connections of one process stand in for workers: `flock` locks belong to an open file
/// description, so two connections' gates exclude each other as two processes' would.
private func gatedConnection(_ directory: TemporaryDirectory, busyTimeout: Int32 = 10_000) throws -> Connection {
    let connection = try Connection(path: directory.path("gate.sqlite"),
                                    options: .init(busyTimeoutMilliseconds: busyTimeout, usesWriteGate: true))
    try connection.execute("PRAGMA journal_mode=WAL")
    try connection.execute("CREATE TABLE IF NOT EXISTS t(v INTEGER)")
    return connection
}

private func values(_ connection: Connection) throws -> [Int64] {
    try connection.all("SELECT v FROM t ORDER BY v") { $0.int64(0) }
}

/// Runs a write transaction on another thread that holds the gate until `release` is signalled.
private func holdGate(_ directory: TemporaryDirectory, value: Int64, release: DispatchSemaphore) throws -> DispatchSemaphore {
    let holder = try gatedConnection(directory)
    let entered = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        _ = try? holder.transaction {
            try holder.run("INSERT INTO t(v) VALUES (?)", [.integer(value)])
            entered.signal()
            release.wait()
        }
        finished.signal()
    }
    entered.wait()
    return finished
}

@Suite struct WriteGateTests {
    @Test func storesOpenedForServingUseTheGateFile() throws {
        let directory = try TemporaryDirectory()
        let store = try MetadataStore.open(path: directory.path("served.sqlite"))
        try store.createOrVerifySchema()
        #expect(FileManager.default.fileExists(atPath: directory.path("served.sqlite-writer.lock")))
    }

    @Test func aWriterWaitsAtTheGateThenProceedsInTurn() throws {
        let directory = try TemporaryDirectory()
        let second = try gatedConnection(directory)
        let release = DispatchSemaphore(value: 0)
        let finished = try holdGate(directory, value: 1, release: release)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            release.signal()
        }
        let started = Date()
        _ = try second.transaction { try second.run("INSERT INTO t(v) VALUES (2)") }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.2, "the second writer should have waited for the first (waited \(waited)s)")
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(try values(second) == [1, 2])
    }

    @Test func aWriterGivesUpWithBusyAfterItsTimeoutAndWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let second = try gatedConnection(directory, busyTimeout: 100)
        let release = DispatchSemaphore(value: 0)
        let finished = try holdGate(directory, value: 1, release: release)
        let started = Date()
        do {
            _ = try second.transaction { try second.run("INSERT INTO t(v) VALUES (2)") }
            Issue.record("the second writer should have been refused")
        } catch let error as SQLiteError {
            #expect(error.isBusy, "reported as a busy database (503 at the API)")
            #expect(error.message.contains("write gate"))
            #expect(Date().timeIntervalSince(started) >= 0.09)
        }
        // Readers do not take the gate: they read the last commit while a writer holds it.
        #expect(try second.transaction(write: false) { try values(second) } == [])
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(try values(second) == [1], "the refused write left nothing behind")
        // Once the holder has left, the gate opens at once.
        _ = try second.transaction { try second.run("INSERT INTO t(v) VALUES (3)") }
        #expect(try values(second) == [1, 3])
    }

    @Test func aFailedTransactionLeavesTheGateOpen() throws {
        let directory = try TemporaryDirectory()
        let first = try gatedConnection(directory)
        let second = try gatedConnection(directory, busyTimeout: 50)
        #expect(throws: InjectedFailure.self) {
            _ = try first.transaction {
                try first.run("INSERT INTO t(v) VALUES (1)")
                throw InjectedFailure()
            }
        }
        _ = try second.transaction { try second.run("INSERT INTO t(v) VALUES (2)") }
        #expect(try values(first) == [2])
    }

    @Test func nestedTransactionsTakeTheGateOnce() throws {
        let directory = try TemporaryDirectory()
        let connection = try gatedConnection(directory, busyTimeout: 50)
        _ = try connection.transaction {
            try connection.run("INSERT INTO t(v) VALUES (1)")
            _ = try connection.transaction { try connection.run("INSERT INTO t(v) VALUES (2)") }
        }
        #expect(try values(connection) == [1, 2])
    }

    @Test func withoutAGateFileWritesStillWork() throws {
        let directory = try TemporaryDirectory()
        // Something that cannot be opened as the gate's file (as in a directory we may not write).
        try FileManager.default.createDirectory(atPath: directory.path("gate.sqlite-writer.lock"),
                                                withIntermediateDirectories: false)
        let first = try gatedConnection(directory)
        let second = try gatedConnection(directory)
        _ = try first.transaction { try first.run("INSERT INTO t(v) VALUES (1)") }
        _ = try second.transaction { try second.run("INSERT INTO t(v) VALUES (2)") }
        #expect(try values(first) == [1, 2])
    }

    @Test func inMemoryAndURIDatabasesHaveNoGate() throws {
        #expect(WriteGate(databasePath: ":memory:", timeoutMilliseconds: 10) == nil)
        #expect(WriteGate(databasePath: "", timeoutMilliseconds: 10) == nil)
        #expect(WriteGate(databasePath: "file:x.sqlite?mode=ro", timeoutMilliseconds: 10) == nil)
    }
}
