import Foundation
import JSON
import MLMD

/// `vacuum`: moves the WAL into the database file and truncates it
/// (`PRAGMA wal_checkpoint(TRUNCATE)`), then rebuilds the file without its free pages
/// (`VACUUM`) and checkpoints again, reporting the sizes before and after.
///
/// The checkpoint never blocks the server for long: it runs with a short busy timeout, and if a
/// reader still uses old WAL frames it reports that instead of waiting. `VACUUM` holds the write
/// lock while it rewrites the file (writers wait up to their busy timeout), so it refuses to
/// start on a store larger than `maxVacuumBytes` unless told otherwise; `--checkpoint-only`
/// skips it.
public struct VacuumOperation {
    public var path: String
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds
    /// How long the TRUNCATE checkpoint may wait for readers and writers.
    public var checkpointTimeout: Int32 = 2_000
    public var checkpointOnly = false
    /// VACUUM is refused above this many database bytes (nil: no limit).
    public var maxVacuumBytes: Int64? = 1 << 30

    public init(path: String) {
        self.path = path
    }

    public struct Sizes: Equatable, Sendable {
        public var databaseBytes: Int64
        public var walBytes: Int64
        public var pageSize: Int64
        public var pageCount: Int64
        public var freelistPages: Int64

        var json: JSON {
            .object([
                "databaseBytes": .int(databaseBytes), "walBytes": .int(walBytes), "pageSize": .int(pageSize),
                "pageCount": .int(pageCount), "freelistPages": .int(freelistPages),
            ])
        }
    }

    public func run(_ context: AdminContext = .silent) throws -> VacuumReport {
        let store = try StoreAccess.openStoreForWriting(path, busyTimeout: busyTimeout)
        let connection = store.connection
        do {
            let before = try sizes(connection)
            if !checkpointOnly, let limit = maxVacuumBytes, before.databaseBytes + before.walBytes > limit {
                throw AdminError.failed(
                    "\(path) holds \(TextFormat.bytes(before.databaseBytes + before.walBytes)); VACUUM would hold the write lock while rewriting all of it. Run it in a quiet period with --max-vacuum-bytes 0, or use --checkpoint-only")
            }
            context.startProgress("vacuum", total: checkpointOnly ? 1 : 3)
            defer { context.finishProgress() }
            let first = try checkpoint(connection)
            context.advanceProgress(to: 1)
            var second: Checkpoint?
            var vacuumed = false
            if !checkpointOnly {
                let started = Files.monotonicSeconds()
                try connection.execute("VACUUM")
                vacuumed = true
                context.log(String(format: "vacuum: VACUUM took %.3f s", Files.monotonicSeconds() - started))
                context.advanceProgress(to: 2)
                second = try checkpoint(connection)
                context.advanceProgress(to: 3)
            }
            let after = try sizes(connection)
            return VacuumReport(path: path, before: before, after: after, vacuumed: vacuumed,
                                checkpoints: [first] + (second.map { [$0] } ?? []))
        } catch {
            throw AdminError.from(error, path: path, doing: "vacuum failed")
        }
    }

    public struct Checkpoint: Equatable, Sendable {
        /// True when readers or writers kept the WAL from being fully reset.
        public var busy: Bool
        public var walFrames: Int64
        public var checkpointedFrames: Int64
    }

    private func checkpoint(_ connection: Connection) throws -> Checkpoint {
        try connection.execute("PRAGMA busy_timeout = \(checkpointTimeout)")
        defer { try? connection.execute("PRAGMA busy_timeout = \(busyTimeout)") }
        do {
            let row = try connection.first("PRAGMA wal_checkpoint(TRUNCATE)") { ($0.int64(0), $0.int64(1), $0.int64(2)) }
            let (busy, log, done) = row ?? (0, 0, 0)
            return Checkpoint(busy: busy != 0, walFrames: log, checkpointedFrames: done)
        } catch let error as SQLiteError where error.isBusy {
            return Checkpoint(busy: true, walFrames: -1, checkpointedFrames: -1)
        }
    }

    private func sizes(_ connection: Connection) throws -> Sizes {
        let files = StoreFiles(path).sizes()
        return Sizes(databaseBytes: files.database, walBytes: files.wal,
                     pageSize: try connection.scalarInt("PRAGMA page_size") ?? 0,
                     pageCount: try connection.scalarInt("PRAGMA page_count") ?? 0,
                     freelistPages: try connection.scalarInt("PRAGMA freelist_count") ?? 0)
    }
}

public struct VacuumReport: AdminReport {
    public var path: String
    public var before: VacuumOperation.Sizes
    public var after: VacuumOperation.Sizes
    public var vacuumed: Bool
    public var checkpoints: [VacuumOperation.Checkpoint]

    public var problemsFound: Bool { false }

    public var reclaimedBytes: Int64 {
        (before.databaseBytes + before.walBytes) - (after.databaseBytes + after.walBytes)
    }

    /// True when a checkpoint could not reset the WAL because readers were still using it.
    public var walStillInUse: Bool { checkpoints.last?.busy ?? false }

    public var json: JSON {
        .object([
            "ok": .bool(true),
            "command": .string("vacuum"),
            "database": .string(path),
            "vacuumed": .bool(vacuumed),
            "before": before.json,
            "after": after.json,
            "reclaimedBytes": .int(reclaimedBytes),
            "walStillInUse": .bool(walStillInUse),
            "checkpoints": .array(checkpoints.map {
                .object(["busy": .bool($0.busy), "walFrames": .int($0.walFrames), "checkpointedFrames": .int($0.checkpointedFrames)])
            }),
        ])
    }

    public var text: String {
        var lines = TextFormat.table([
            ["", "before", "after"],
            ["database", TextFormat.bytes(before.databaseBytes), TextFormat.bytes(after.databaseBytes)],
            ["wal", TextFormat.bytes(before.walBytes), TextFormat.bytes(after.walBytes)],
            ["free pages", "\(before.freelistPages) of \(before.pageCount)", "\(after.freelistPages) of \(after.pageCount)"],
        ])
        lines.insert("\(path): \(vacuumed ? "checkpointed and vacuumed" : "checkpointed"); reclaimed \(TextFormat.signedBytes(reclaimedBytes))", at: 0)
        if walStillInUse {
            lines.append("note: readers were still using the WAL, so it could not be fully reset; run vacuum again later")
        }
        return lines.joined(separator: "\n")
    }
}
