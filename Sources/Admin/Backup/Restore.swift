import Foundation
import JSON
import MLMD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `restore`: replaces a store with a backup, atomically, refusing while a server uses it.
///
/// 1. Verify the backup: a whole SQLite file, MLMD schema 10, `integrity_check` and every
///    registry check clean. Nothing else happens if it is not.
/// 2. Refuse if any process uses the store (see `StoreUsageProbe`), unless `force`.
/// 3. Stage: copy the backup with the online backup API into a hidden file next to the store,
///    in WAL mode with everything checkpointed (one self-contained file), check it, fsync it.
/// 4. Keep the current store: an online copy of it (WAL content included) as
///    `<db>.pre-restore-<UTC time>`, unless `keepPrevious` is false.
/// 5. Probe again, then remove the old `-wal`, `-shm` and any `-journal` *before* renaming the
///    staged file over the store: those files belong to the old database, and SQLite would apply
///    an old WAL or hot journal to the new file. Rename, fsync the directory.
/// 6. Probe the old file (still open here) for processes that opened it during the swap, and
///    report them: they still use the replaced file and must be restarted.
///
/// With `force` and a running server, the server's open connections keep using the replaced
/// (now unlinked) file; its writes after the swap are lost. Restart it (`up`: SIGHUP restarts
/// the workers) right away.
public struct RestoreOperation {
    public var path: String
    public var backup: String
    public var force = false
    public var keepPrevious = true
    /// Skip the registry checks of the backup (SQLite's integrity check still runs).
    public var skipRegistryCheck = false
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds

    public init(path: String, backup: String) {
        self.path = path
        self.backup = backup
    }

    public func run(_ context: AdminContext = .silent) throws -> RestoreReport {
        guard !backup.isEmpty else { throw AdminError.usage("--from must name a backup file") }
        let target = Files.absolute(path)
        let started = Files.monotonicSeconds()
        try verifyBackup(context)
        let directory = Files.directory(of: target)
        guard Files.isDirectory(directory) else {
            throw AdminError.failed("cannot restore to \(target): the directory \(directory) does not exist")
        }
        let targetExists = Files.exists(target)
        if targetExists {
            guard Files.isRegularFile(target) else { throw AdminError.failed("\(target) is not a regular file") }
            guard !Files.sameFile(target, backup) else { throw AdminError.failed("\(backup) is the store itself") }
        }
        var warnings: [String] = []
        var usage = StoreUsageProbe.probe(databasePath: target)
        if usage.inUse {
            guard force else { throw inUseError(usage, target: target) }
            warnings.append("the store was in use (\(usage.descriptions.joined(separator: "; "))); restoring anyway (--force)")
        }

        // Stage the new file next to the store.
        let staged = Files.temporarySibling(of: target, tag: "restore")
        var snapshot = StoreSnapshot(busyTimeout: busyTimeout)
        snapshot.finalJournalMode = "WAL"
        let copy = try snapshot.write(from: backup, to: staged, context: context, label: "restore")
        var published = false
        defer { if !published { Files.removeIfPresent(staged) } }

        // Keep what is being replaced.
        var keptPath: String?
        if targetExists && keepPrevious {
            let kept = "\(target).pre-restore-\(Files.timestampForFileName())"
            keptPath = try keepCurrent(target, as: kept, context: context, warnings: &warnings)
        }

        // Swap.
        usage = StoreUsageProbe.probe(databasePath: target)
        if usage.inUse && !force {
            throw inUseError(usage, target: target)
        }
        let oldDescriptor = targetExists ? open(target, O_RDONLY | O_CLOEXEC) : -1
        defer { if oldDescriptor >= 0 { close(oldDescriptor) } }
        let files = StoreFiles(target)
        for companion in [files.wal, files.shm, files.journal] {
            try Files.remove(companion)
        }
        try Files.rename(staged, to: target)
        published = true
        try Files.fsyncDirectory(directory)
        context.log("restore: \(target) now holds the content of \(backup)")

        // Whoever still holds the replaced file (opened it during the swap, or was forced past).
        var stale: [Int32: String] = [:]
        if oldDescriptor >= 0,
           let pid = StoreUsageProbe.lockHolder(descriptor: oldDescriptor, start: StoreUsageProbe.lockRangeStart,
                                                length: StoreUsageProbe.lockRangeLength) {
            stale[pid] = "process \(pid)" + (StoreUsageProbe.command(of: pid).map { " (\($0))" } ?? "")
        }
        if usage.inUse {
            for (holder, description) in zip(usage.holders, usage.descriptions) { stale[holder.pid] = description }
        }
        let staleHolders = stale.keys.sorted().map {
            "\(stale[$0]!): still uses the replaced store; restart it now (its writes go to the replaced file)"
        }
        let counts = try EntityCounts.totals(try StoreAccess.openReadOnly(target, busyTimeout: busyTimeout))
        return RestoreReport(path: target, backup: backup, keptPrevious: keptPath, bytes: copy.bytes,
                             seconds: Files.monotonicSeconds() - started, entities: counts,
                             warnings: warnings, staleHolders: staleHolders, forced: force)
    }

    private func verifyBackup(_ context: AdminContext) throws {
        var checker = StoreChecker(path: backup)
        checker.busyTimeout = busyTimeout
        let report: CheckReport
        do {
            report = try checker.run()
        } catch let error as AdminError {
            throw AdminError.failed("the backup cannot be restored: \(error.message)", details: error.details)
        }
        let gate = ["integrity", "schema"]
        let failing = skipRegistryCheck ? report.problems.filter { gate.contains($0.check) } : report.problems
        let failingCount = skipRegistryCheck ? gate.map { report.counts[$0, default: 0] }.reduce(0, +) : report.totalProblems
        if failingCount > 0 {
            throw AdminError.failed("the backup \(backup) failed its check (\(failingCount) problem(s)); nothing was changed",
                                    details: failing.prefix(10).map { "[\($0.check)] \($0.message)" })
        }
        context.log("restore: \(backup) passed its checks")
    }

    /// An online copy of the current store; if it cannot be read as a store (it may be the
    /// corrupt file being replaced), its raw bytes (and WAL) instead.
    private func keepCurrent(_ target: String, as kept: String, context: AdminContext, warnings: inout [String]) throws -> String {
        var snapshot = StoreSnapshot(busyTimeout: busyTimeout)
        snapshot.finalJournalMode = "DELETE"
        do {
            _ = try snapshot.write(from: target, to: kept, context: context, label: "keeping previous")
        } catch {
            warnings.append("the previous store could not be copied as a database (\(error)); kept its raw bytes instead")
            try Files.copyBytes(from: target, to: kept)
            let wal = StoreFiles(target).wal
            if Files.exists(wal) { try Files.copyBytes(from: wal, to: StoreFiles(kept).wal) }
        }
        context.log("restore: kept the previous store as \(kept)")
        return kept
    }

    private func inUseError(_ usage: StoreUsage, target: String) -> AdminError {
        AdminError.failed(
            "\(target) is in use; stop the server first (or pass --force and restart the server right after)",
            details: usage.descriptions)
    }
}

public struct RestoreReport: AdminReport {
    public var path: String
    public var backup: String
    public var keptPrevious: String?
    public var bytes: Int64
    public var seconds: Double
    public var entities: [String: Int64]
    public var warnings: [String]
    /// Processes still using the replaced file.
    public var staleHolders: [String]
    public var forced: Bool

    /// Processes that opened the old store during an unforced restore need attention.
    public var problemsFound: Bool { !staleHolders.isEmpty && !forced }

    public var json: JSON {
        .object([
            "ok": .bool(!problemsFound),
            "command": .string("restore"),
            "database": .string(path),
            "backup": .string(backup),
            "previousKeptAs": keptPrevious.map(JSON.string) ?? .null,
            "bytes": .int(bytes),
            "seconds": .double((seconds * 1000).rounded() / 1000),
            "entities": .object(entities.mapValues(JSON.int)),
            "warnings": ReportJSON.strings(warnings),
            "processesToRestart": ReportJSON.strings(staleHolders),
        ])
    }

    public var text: String {
        var lines = [String(format: "%@: restored from %@ (%@, %.2f s)", path, backup, TextFormat.bytes(bytes), seconds)]
        if let keptPrevious { lines.append("  previous store kept as \(keptPrevious)") }
        let nonEmpty = entities.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !nonEmpty.isEmpty { lines.append("  entities: " + nonEmpty.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
        lines += warnings.map { "  warning: \($0)" }
        lines += staleHolders.map { "  ACTION NEEDED: \($0)" }
        return lines.joined(separator: "\n")
    }
}
