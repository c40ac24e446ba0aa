import Foundation
import JSON
import MLMD
import Registry
import Testing
@testable import Admin

@Suite struct BackupTests {
    @Test func backupIsACompleteCheckedSingleFile() throws {
        let fixture = try AdminFixture()
        let target = fixture.file("backup.db")
        let report = try BackupOperation(path: fixture.path, destination: target).run()
        #expect(report.destination == target)
        #expect(report.entities["RegisteredModel"] == 2)
        #expect(report.entities["MetricHistory"] == 2)
        #expect(report.warnings.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: target + "-wal"))
        let header = try #require(SQLiteFileHeader(try Files.readPrefix(target, count: 100)))
        #expect(!header.isWAL)
        #expect(try StoreChecker(path: target).run().problemsFound == false)
        #expect(try StatsOperation(path: target).run().totals == StatsOperation(path: fixture.path).run().totals)
        // No temporary file is left next to it.
        #expect(directoryListing(fixture.directory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func refusesToOverwriteUnlessForced() throws {
        let fixture = try AdminFixture()
        let target = fixture.file("backup.db")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: target))
        let before = FileFingerprint(target)
        let error = expectFailure { _ = try BackupOperation(path: fixture.path, destination: target).run() }
        #expect(error?.message.contains("--force") == true)
        #expect(FileFingerprint(target) == before)

        var forced = BackupOperation(path: fixture.path, destination: target)
        forced.force = true
        _ = try forced.run()
        #expect(try StoreChecker(path: target).run().problemsFound == false)
    }

    @Test func refusesToOverwriteTheStoreItself() throws {
        let fixture = try AdminFixture()
        var operation = BackupOperation(path: fixture.path, destination: fixture.path)
        operation.force = true
        let error = expectFailure { _ = try operation.run() }
        #expect(error?.message.contains("the store itself") == true)
    }

    @Test func aDirectoryGetsATimestampedFile() throws {
        let fixture = try AdminFixture()
        let directory = fixture.file("backups")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let report = try BackupOperation(path: fixture.path, destination: directory).run()
        #expect(report.destination.hasPrefix(directory + "/model-registry-"))
        #expect(FileManager.default.fileExists(atPath: report.destination))
    }

    @Test func badArguments() throws {
        let fixture = try AdminFixture()
        _ = expectFailure(.usage) { _ = try BackupOperation(path: fixture.path, destination: "").run() }
        var tiny = BackupOperation(path: fixture.path, destination: fixture.file("b.db"))
        tiny.pagesPerStep = 0
        _ = expectFailure(.usage) { _ = try tiny.run() }
        let error = expectFailure { _ = try BackupOperation(path: fixture.path, destination: fixture.file("missing/b.db")).run() }
        #expect(error?.message.contains("does not exist") == true)
        let missing = expectFailure { _ = try BackupOperation(path: fixture.file("nope.db"), destination: fixture.file("b.db")).run() }
        #expect(missing?.message.contains("does not exist") == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.file("b.db")))
    }

    @Test func damagedSourcesAreRefusedAndNothingIsWritten() throws {
        let fixture = try AdminFixture()
        for damage in DamagedFile.allCases {
            let source = try damage.write(in: fixture)
            let before = FileFingerprint(source)
            let target = fixture.file("out-\(damage.rawValue).db")
            let error = expectFailure { _ = try BackupOperation(path: source, destination: target).run() }
            #expect(error?.message.contains(source) == true, "\(damage): \(error?.message ?? "")")
            #expect(!FileManager.default.fileExists(atPath: target), "\(damage)")
            #expect(FileFingerprint(source) == before, "\(damage)")
        }
        #expect(directoryListing(fixture.directory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    /// Another connection keeps committing during the copy; the backup holds everything
    /// committed before it started and is consistent.
    @Test func backupUnderConcurrentWrites() throws {
        let fixture = try AdminFixture()
        // Make the store big enough for many steps.
        let filler = String(repeating: "x", count: 2000)
        for index in 0..<300 {
            try fixture.post("/registered_models", ["name": .string("filler-\(index)"), "description": .string(filler)])
        }
        let before = try fixture.count("Context")
        let writer = try RegistryService.open(path: fixture.path)
        let stop = Flag()
        let thread = Thread {
            var index = 0
            while !stop.isSet {
                _ = try? writer.create(Entity(kind: .registeredModel, name: "during-\(index)"))
                index += 1
            }
        }
        thread.start()
        defer { stop.set() }
        var operation = BackupOperation(path: fixture.path, destination: fixture.file("live.db"))
        operation.pagesPerStep = 8
        let report = try operation.run()
        stop.set()
        #expect(report.steps > 10)
        let copied = try StoreAccess.openReadOnly(report.destination, busyTimeout: 1000).scalarInt("SELECT COUNT(*) FROM Context") ?? 0
        #expect(copied >= before)
        #expect(try StoreChecker(path: report.destination).run().problemsFound == false)
    }
}

/// A thread-safe stop flag.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

@Suite struct RestoreTests {
    @Test func restoresABackupAndKeepsThePreviousStore() throws {
        let fixture = try AdminFixture()
        let backup = fixture.file("backup.db")
        _ = try BackupOperation(path: fixture.path, destination: backup).run()
        try fixture.post("/registered_models", ["name": .string("after-backup")])
        fixture.close()

        let report = try RestoreOperation(path: fixture.path, backup: backup).run()
        #expect(report.staleHolders.isEmpty)
        #expect(report.entities["RegisteredModel"] == 2)
        let kept = try #require(report.keptPrevious)
        #expect(try StatsOperation(path: kept).run().totals["RegisteredModel"] == 3)
        #expect(try StatsOperation(path: fixture.path).run().totals["RegisteredModel"] == 2)
        #expect(try StoreChecker(path: fixture.path).run().problemsFound == false)
        // The server can open it again.
        try fixture.open()
        #expect(fixture.call("GET", "/registered_models").items.count == 2)
        #expect(directoryListing(fixture.directory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func removesTheOldWALSoItCannotBeAppliedToTheNewFile() throws {
        let fixture = try AdminFixture()
        let backup = fixture.file("backup.db")
        _ = try BackupOperation(path: fixture.path, destination: backup).run()
        // Leave committed frames in the WAL, as a crashed server would.
        try fixture.connection.execute("PRAGMA wal_autocheckpoint=0")
        for index in 0..<20 { try fixture.post("/registered_models", ["name": .string("in-wal-\(index)")]) }
        let walCopy = try Data(contentsOf: URL(fileURLWithPath: fixture.path + "-wal"))
        fixture.close()
        // Closing checkpointed the WAL; put it back to simulate the crash.
        try walCopy.write(to: URL(fileURLWithPath: fixture.path + "-wal"))

        let report = try RestoreOperation(path: fixture.path, backup: backup).run()
        #expect(try StatsOperation(path: fixture.path).run().totals["RegisteredModel"] == 2)
        #expect(try StoreChecker(path: fixture.path).run().problemsFound == false)
        // The kept copy has what the WAL held.
        let kept = try #require(report.keptPrevious)
        #expect(try StatsOperation(path: kept).run().totals["RegisteredModel"] == 22)
    }

    @Test func restoresIntoANewPath() throws {
        let fixture = try AdminFixture()
        let backup = fixture.file("backup.db")
        _ = try BackupOperation(path: fixture.path, destination: backup).run()
        let target = fixture.file("restored.db")
        let report = try RestoreOperation(path: target, backup: backup).run()
        #expect(report.keptPrevious == nil)
        #expect(try StoreChecker(path: target).run().problemsFound == false)
    }

    @Test func refusesBadBackupsAndChangesNothing() throws {
        let fixture = try AdminFixture()
        fixture.close()
        let store = FileFingerprint(fixture.path)
        for damage in DamagedFile.allCases {
            let backup = try damage.write(in: fixture)
            let error = expectFailure { _ = try RestoreOperation(path: fixture.path, backup: backup).run() }
            #expect(error?.message.contains("cannot be restored") == true, "\(damage): \(error?.message ?? "")")
            #expect(FileFingerprint(fixture.path) == store, "\(damage)")
        }
        // A backup that is a valid store but breaks the registry's invariants.
        let broken = fixture.file("broken.db")
        _ = try BackupOperation(path: fixture.path, destination: broken).run()
        try Connection(path: broken).execute("DELETE FROM ParentContext")
        let error = expectFailure { _ = try RestoreOperation(path: fixture.path, backup: broken).run() }
        #expect(error?.message.contains("failed its check") == true)
        #expect(FileFingerprint(fixture.path) == store)
        _ = expectFailure { _ = try RestoreOperation(path: fixture.path, backup: fixture.file("missing.db")).run() }
        _ = expectFailure(.usage) { _ = try RestoreOperation(path: fixture.path, backup: "").run() }
        #expect(directoryListing(fixture.directory).filter { $0.contains("pre-restore") || $0.hasPrefix(".") }.isEmpty)
    }

    @Test func refusesWhileAnotherProcessHasTheStoreOpen() throws {
        let fixture = try AdminFixture()
        let backup = fixture.file("backup.db")
        _ = try BackupOperation(path: fixture.path, destination: backup).run()
        fixture.close()
        let holder = try StoreHolder(path: fixture.path)
        defer { holder.stop() }

        let usage = StoreUsageProbe.probe(databasePath: fixture.path)
        #expect(usage.inUse)
        #expect(usage.holders.contains { $0.pid == holder.pid })

        let before = FileFingerprint(fixture.path)
        let error = expectFailure { _ = try RestoreOperation(path: fixture.path, backup: backup).run() }
        #expect(error?.message.contains("in use") == true)
        #expect(error?.details.contains { $0.contains("process \(holder.pid)") } == true)
        #expect(FileFingerprint(fixture.path) == before)

        var forced = RestoreOperation(path: fixture.path, backup: backup)
        forced.force = true
        let report = try forced.run()
        #expect(report.forced)
        #expect(report.staleHolders.contains { $0.contains("process \(holder.pid)") })
        #expect(report.exitStatus == 0)
        holder.stop()
        #expect(StoreUsageProbe.probe(databasePath: fixture.path).inUse == false)
    }
}

/// Another process with an open, idle SQLite connection to a store in WAL mode, as every worker
/// of a running server has (a Python interpreter, so the holder is not this process).
final class StoreHolder {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    var pid: Int32 { process.processIdentifier }

    init(path: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys
            connection = sqlite3.connect(sys.argv[1])
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("SELECT COUNT(*) FROM Context").fetchall()
            print("ready", flush=True)
            sys.stdin.read()
            """, path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it has read the store (and so holds its locks).
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains("ready") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw FixtureError("the holder process exited early") }
            received.append(chunk)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
