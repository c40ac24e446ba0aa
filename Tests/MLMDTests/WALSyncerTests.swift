import Foundation
import MLMD
import Testing

/// `Connection.deferWALSyncs` and its `WALSyncer`: commits left for another thread to sync,
/// and the checkpoints that keep the WAL from growing.
@Suite struct WALSyncerTests {
    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// A store file with a table `t`, its connection deferring syncs to the returned syncer.
    private func deferringStore(_ name: String, in directory: TemporaryDirectory, column: String) throws -> (Connection, WALSyncer) {
        let connection = try MetadataStore.open(path: directory.path(name)).connection
        try connection.execute("CREATE TABLE t (v \(column))")
        return (connection, try #require(try connection.deferWALSyncs()))
    }

    @Test func deferredWritesReportThemselvesOnceAndAreNotSyncedByTheConnection() throws {
        let directory = try TemporaryDirectory()
        let (connection, syncer) = try deferringStore("deferred.sqlite", in: directory, column: "INTEGER")
        #expect(syncer.walPath.hasSuffix("/deferred.sqlite-wal"))
        #expect(try connection.scalarInt("PRAGMA wal_autocheckpoint") == 0, "checkpoints are the syncer's")
        #expect(try connection.scalarInt("PRAGMA synchronous") == 1)
        _ = connection.takeUnsyncedCommits()

        let before = connection.walSyncCount
        _ = try connection.transaction { try connection.run("INSERT INTO t VALUES (1)") }
        #expect(connection.walSyncCount == before, "the connection leaves the sync to the caller")
        #expect(connection.takeUnsyncedCommits())
        #expect(!connection.takeUnsyncedCommits(), "reported once")
        try connection.transaction(write: false) { _ = try connection.scalarInt("SELECT COUNT(*) FROM t") }
        try connection.transaction { _ = try connection.run("UPDATE t SET v = 2 WHERE v = 99") }
        #expect(!connection.takeUnsyncedCommits(), "reads and writes that change nothing owe no sync")

        try syncer.sync()
        #expect(syncer.syncCount == 1)
        // Another connection sees the commit.
        let other = try Connection(path: directory.path("deferred.sqlite"))
        #expect(try other.scalarInt("SELECT COUNT(*) FROM t") == 1)
    }

    @Test func aMissingWALIsNothingToSync() throws {
        let directory = try TemporaryDirectory()
        let syncer = WALSyncer(databasePath: directory.path("none.sqlite"), walPath: directory.path("none.sqlite-wal"))
        try syncer.sync()
        #expect(syncer.syncCount == 0)
    }

    @Test func aReplacedWALIsReopened() throws {
        let directory = try TemporaryDirectory()
        let walPath = directory.path("x.sqlite-wal")
        _ = FileManager.default.createFile(atPath: walPath, contents: Data([1]))
        let syncer = WALSyncer(databasePath: directory.path("x.sqlite"), walPath: walPath)
        try syncer.sync()
        try FileManager.default.removeItem(atPath: walPath)
        try syncer.sync()  // gone: nothing to sync, no error
        _ = FileManager.default.createFile(atPath: walPath, contents: Data([2]))
        try syncer.sync()
        #expect(syncer.syncCount == 2)
    }

    @Test func checkpointsKeepTheWALFromGrowingWhileWritesGoOn() throws {
        let directory = try TemporaryDirectory()
        let (connection, syncer) = try deferringStore("ckpt.sqlite", in: directory, column: "BLOB")
        let walPath = directory.path("ckpt.sqlite-wal")
        let blob = [UInt8](repeating: 7, count: 3000)
        func writeAndSync(_ count: Int, checkpoints: Bool) throws {
            for _ in 0..<count {
                _ = try connection.transaction { try connection.run("INSERT INTO t VALUES (?)", [.blob(blob)]) }
                try syncer.sync()
                if checkpoints { syncer.checkpointIfDue() }
            }
        }
        try writeAndSync(Int(syncer.syncsPerCheckpoint) * 10, checkpoints: true)
        #expect(syncer.checkpointCount == 10)
        let boundedSize = fileSize(walPath)
        try writeAndSync(Int(syncer.syncsPerCheckpoint) * 10, checkpoints: false)
        #expect(syncer.checkpointCount == 10)
        #expect(fileSize(walPath) > 3 * boundedSize, "without checkpoints the WAL grows (\(fileSize(walPath)) vs \(boundedSize))")
        #expect(try connection.scalarInt("SELECT COUNT(*) FROM t") == Int64(syncer.syncsPerCheckpoint) * 20)
    }
}
