import Foundation
import JSON
import MLMD

/// `backup`: an online, consistent copy of a store in a new file.
///
/// 1. The source is checked (a whole SQLite file, an MLMD store of this schema version) and
///    opened read-only.
/// 2. SQLite's online backup API copies it page by page from one read snapshot (see
///    `OnlineCopy`) into a hidden temporary file next to the destination; writers keep going.
/// 3. The copy is switched to rollback-journal mode (a single self-contained file), checked
///    (`quick_check`, then every `check`), fsynced, and published by an atomic rename — or, without
///    `--force`, by a hard link that fails if the destination appeared meanwhile. The directory is
///    fsynced. A failure at any step removes the temporary file; the destination is never
///    half-written.
///
/// Everything committed before the backup started is in it; later commits may or may not be.
public struct BackupOperation {
    public var path: String
    /// A file, or an existing directory (the file is then named `model-registry-<UTC time>.db`).
    public var destination: String
    public var force = false
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds
    public var pagesPerStep: Int32 = 1024
    public var pauseMilliseconds = 2

    public init(path: String, destination: String) {
        self.path = path
        self.destination = destination
    }

    public func run(_ context: AdminContext = .silent) throws -> BackupReport {
        guard !destination.isEmpty else { throw AdminError.usage("--to must name a file or a directory") }
        guard pagesPerStep > 0 else { throw AdminError.usage("--pages-per-step must be at least 1") }
        _ = try StoreAccess.openStoreForReading(path, busyTimeout: busyTimeout)
        let target = try resolvedDestination()
        let started = Files.monotonicSeconds()
        let temporary = Files.temporarySibling(of: target, tag: "backup")
        var snapshot = StoreSnapshot(busyTimeout: busyTimeout)
        snapshot.copier.pagesPerStep = pagesPerStep
        snapshot.copier.pauseMilliseconds = pauseMilliseconds
        snapshot.finalJournalMode = "DELETE"
        context.log("backup: copying \(path) to \(target)")
        let copy = try snapshot.write(from: path, to: temporary, context: context, label: "backup")
        do {
            var checker = StoreChecker(path: temporary)
            checker.quick = true
            checker.busyTimeout = busyTimeout
            let check = try checker.run()
            if check.counts["integrity", default: 0] > 0 || check.counts["schema", default: 0] > 0 {
                throw AdminError.failed("the copy failed its check; no backup was written",
                                        details: check.problems.prefix(10).map { "[\($0.check)] \($0.message)" })
            }
            let counts = try EntityCounts.totals(try StoreAccess.openReadOnly(temporary, busyTimeout: busyTimeout))
            if force {
                try Files.rename(temporary, to: target)
            } else {
                try Files.publishWithoutOverwriting(temporary, as: target)
            }
            try Files.fsyncDirectory(Files.directory(of: target))
            context.log("backup: wrote \(target)")
            return BackupReport(source: path, destination: target, bytes: copy.bytes, pages: copy.pages,
                                pageSize: copy.pageSize, steps: copy.steps, seconds: Files.monotonicSeconds() - started,
                                entities: counts, warnings: check.problems.map { "[\($0.check)] \($0.message)" })
        } catch {
            Files.removeIfPresent(temporary)
            throw AdminError.from(error, path: path, doing: "backup failed")
        }
    }

    /// The file to write: `destination`, or a time-stamped name inside it when it is a directory.
    func resolvedDestination() throws -> String {
        var target = Files.absolute(destination)
        if Files.isDirectory(target) {
            target = Files.join(target, "model-registry-\(Files.timestampForFileName()).db")
        }
        let directory = Files.directory(of: target)
        guard Files.isDirectory(directory) else {
            throw AdminError.failed("cannot write \(target): the directory \(directory) does not exist")
        }
        if Files.exists(target) {
            if Files.sameFile(target, path) {
                throw AdminError.failed("\(target) is the store itself; choose another destination")
            }
            guard force else { throw AdminError.failed("\(target) already exists; pass --force to overwrite it") }
            guard Files.isRegularFile(target) else { throw AdminError.failed("\(target) is not a regular file") }
        }
        return target
    }
}

public struct BackupReport: AdminReport {
    public var source: String
    public var destination: String
    public var bytes: Int64
    public var pages: Int64
    public var pageSize: Int64
    public var steps: Int
    public var seconds: Double
    /// Entity counts in the backup.
    public var entities: [String: Int64]
    /// Registry problems the copy has (it has them because the store has them).
    public var warnings: [String]

    public var problemsFound: Bool { false }

    public var json: JSON {
        .object([
            "ok": .bool(true),
            "command": .string("backup"),
            "database": .string(source),
            "backup": .string(destination),
            "bytes": .int(bytes),
            "pages": .int(pages),
            "pageSize": .int(pageSize),
            "steps": .int(Int64(steps)),
            "seconds": .double((seconds * 1000).rounded() / 1000),
            "entities": .object(entities.mapValues(JSON.int)),
            "warnings": ReportJSON.strings(warnings),
        ])
    }

    public var text: String {
        var lines = [String(format: "%@: backed up to %@ (%@, %lld pages, %.2f s)", source, destination,
                            TextFormat.bytes(bytes), pages, seconds)]
        let nonEmpty = entities.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !nonEmpty.isEmpty {
            lines.append("  entities: " + nonEmpty.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !warnings.isEmpty {
            lines.append("  warning: the store has \(warnings.count) registry problem(s), copied as they are (run check):")
            lines += warnings.prefix(10).map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
