import JSON
import MLMD
import Registry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `import`: loads an export file into a store (created if missing), with new ids.
///
/// Pass 1 reads the whole file and refuses it, writing nothing, unless it is complete and
/// consistent (see `ImportValidator`); with `--on-conflict fail` (the default) any name or
/// external-id clash is also a refusal, listed. Pass 2 creates the entities in batches of
/// short transactions (see `ImportWriter`). If pass 2 fails — the disk fills, or a clash
/// appears because the store changed in between — the batches already committed are removed
/// again (see `ImportUndo`): an import is all or nothing under `fail`, and for `skip`/`rename`
/// it is complete or absent.
public struct ImportOperation {
    public var path: String
    /// The export file, or `-` for standard input (spooled to a temporary file first).
    public var source: String
    public var policy: ConflictPolicy = .fail
    public var batchSize = 200
    public var dryRun = false
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds

    public init(path: String, source: String) {
        self.path = path
        self.source = source
    }

    public func run(_ context: AdminContext = .silent) throws -> ImportReport {
        guard !source.isEmpty else { throw AdminError.usage("--from must name an export file, or - for standard input") }
        guard (1...10_000).contains(batchSize) else { throw AdminError.usage("--batch-size must be between 1 and 10000") }
        var spooled: String?
        defer { if let spooled { Files.removeIfPresent(spooled) } }
        let file: String
        if source == "-" {
            let temporary = try Self.spoolStandardInput()
            spooled = temporary
            file = temporary
        } else {
            guard Files.exists(source) else { throw AdminError.failed("cannot read \(source): the file does not exist") }
            guard Files.isRegularFile(source) else { throw AdminError.failed("\(source) is not a regular file") }
            file = source
        }
        let started = Files.monotonicSeconds()

        let targetExists = Files.exists(path) && (Files.size(path) ?? 0) > 0
        var probe: ConflictProbe?
        var probeStore: MetadataStore?
        if targetExists {
            let store = try StoreAccess.openStoreForReading(path, busyTimeout: busyTimeout)
            probeStore = store
            probe = ConflictProbe(connection: store.connection)
        } else {
            let directory = Files.directory(of: Files.absolute(path))
            guard Files.isDirectory(directory) else {
                throw AdminError.failed("cannot create \(path): the directory \(directory) does not exist")
            }
        }
        let validation = try ImportValidator(path: file, probe: probe).run(context)
        probe = nil
        probeStore = nil
        _ = probeStore
        var report = ImportReport(path: path, source: source, policy: policy, dryRun: dryRun, records: validation.records,
                                  fileCounts: validation.counts, conflicts: validation.conflicts)
        if policy == .fail && !validation.conflicts.isEmpty {
            throw AdminError.failed(
                "\(validation.conflicts.count) record(s) clash with the store or with each other; nothing was imported (see --on-conflict skip|rename)",
                details: Array(validation.conflicts.prefix(20)) + (validation.conflicts.count > 20 ? ["… and \(validation.conflicts.count - 20) more"] : []))
        }
        if dryRun {
            report.seconds = Files.monotonicSeconds() - started
            return report
        }

        var migrate = MigrateOperation(path: path)
        migrate.busyTimeout = busyTimeout
        let prepared = try migrate.run(context)
        report.createdStore = prepared.action == .create
        let outcome = try writeRecords(file: file, records: validation.records, context: context)
        if let failure = outcome.failure {
            var details = failure.details
            if report.createdStore && outcome.undone && removeCreatedStore() {
                details.append("the store file this import created was removed again")
            }
            throw AdminError.failed(failure.message, details: details)
        }
        let writer = outcome.writer
        report.created = writer.createdCounts
        report.skipped = writer.skipped
        report.renamed = writer.renamed
        report.batches = writer.batches
        report.seconds = Files.monotonicSeconds() - started
        context.log("import: created \(writer.createdCounts.values.reduce(0, +)) entities in \(writer.batches) batch(es)")
        return report
    }

    /// Pass 2, and the undo if it fails. The store's connection is closed when this returns.
    private func writeRecords(file: String, records: Int, context: AdminContext) throws
        -> (writer: ImportWriter, failure: AdminError?, undone: Bool) {
        let store = try StoreAccess.openStoreForWriting(path, busyTimeout: busyTimeout)
        let writer = ImportWriter(path: file, service: RegistryService(store: store), policy: policy, batchSize: batchSize,
                                  totalRecords: records, context: context)
        do {
            try writer.run()
            return (writer, nil, false)
        } catch {
            let failure = AdminError.from(error, path: path, doing: "import failed")
            var details = failure.details
            var undone = false
            do {
                let undo = try ImportUndo(connection: store.connection, batchSize: batchSize).run(writer.committed)
                if let stopped = undo.stopped {
                    details.append("partially imported: \(writer.committed.count - undo.removed) entities stay in the store because \(stopped); remove or keep them by hand")
                } else {
                    undone = true
                    details.append(undo.removed > 0
                        ? "the \(undo.removed) entities imported before the failure were removed again; the store is as before"
                        : "nothing was imported")
                }
            } catch {
                details.append("removing the \(writer.committed.count) entities imported before the failure also failed: \(error)")
            }
            return (writer, AdminError.failed(failure.message, details: details), undone)
        }
    }

    /// Deletes the store this import created, if nobody else has opened it meanwhile.
    private func removeCreatedStore() -> Bool {
        guard !StoreUsageProbe.probe(databasePath: path).inUse else { return false }
        let files = StoreFiles(path)
        for file in [files.database, files.wal, files.shm] { Files.removeIfPresent(file) }
        return true
    }

    /// Copies standard input to a private temporary file (an import reads its file twice).
    static func spoolStandardInput() throws -> String {
        let directory = ProcessEnvironment.temporaryDirectory()
        var template = Array("\(directory)/model-registry-import-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw AdminError.failed("cannot create a temporary file in \(directory): \(Files.lastError())") }
        let path = String(cString: template)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                Files.removeIfPresent(path)
                throw AdminError.failed("cannot read standard input: \(Files.lastError())")
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    Files.removeIfPresent(path)
                    throw AdminError.failed("cannot write \(path): \(Files.lastError())")
                }
                offset += written
            }
        }
        return path
    }
}

enum ProcessEnvironment {
    static func temporaryDirectory() -> String {
        if let value = getenv("TMPDIR").map({ String(cString: $0) }), !value.isEmpty { return value }
        return "/tmp"
    }
}

public struct ImportReport: AdminReport {
    public var path: String
    public var source: String
    public var policy: ConflictPolicy
    public var dryRun: Bool
    public var records: Int
    var fileCounts: [RecordKind: Int]
    /// Clashes found while checking the file (what `fail` refuses, `skip`/`rename` resolve).
    public var conflicts: [String]
    public var createdStore = false
    var created: [RecordKind: Int] = [:]
    public var skipped: [SkippedRecord] = []
    public var renamed: [RenamedRecord] = []
    public var batches = 0
    public var seconds: Double = 0

    public var problemsFound: Bool { false }

    public var createdCounts: [String: Int] { Dictionary(uniqueKeysWithValues: created.map { ($0.key.rawValue, $0.value) }) }
    public var fileRecordCounts: [String: Int] { Dictionary(uniqueKeysWithValues: fileCounts.map { ($0.key.rawValue, $0.value) }) }

    public var json: JSON {
        .object([
            "ok": .bool(true),
            "command": .string("import"),
            "database": .string(path),
            "from": .string(source),
            "onConflict": .string(policy.rawValue),
            "dryRun": .bool(dryRun),
            "createdStore": .bool(createdStore),
            "records": .int(Int64(records)),
            "fileCounts": ReportJSON.counts(fileRecordCounts),
            "created": ReportJSON.counts(createdCounts),
            "conflicts": ReportJSON.strings(conflicts),
            "skipped": .array(skipped.map {
                .object(["line": .int(Int64($0.line)), "record": .string($0.record), "reason": .string($0.reason)])
            }),
            "renamed": .array(renamed.map {
                .object(["line": .int(Int64($0.line)), "record": .string($0.record), "field": .string($0.field),
                         "from": .string($0.from), "to": .string($0.to)])
            }),
            "batches": .int(Int64(batches)),
            "seconds": .double((seconds * 1000).rounded() / 1000),
        ])
    }

    public var text: String {
        var lines: [String] = []
        if dryRun {
            lines.append("\(source): \(records) valid records; \(conflicts.count) clash(es) with \(path) (policy \(policy.rawValue)); nothing written (--dry-run)")
            lines += conflicts.prefix(20).map { "  \($0)" }
            return lines.joined(separator: "\n")
        }
        let total = created.values.reduce(0, +)
        lines.append("\(path): imported \(total) of \(records) records from \(source)\(createdStore ? " (new store)" : "")")
        let parts = RecordKind.allCases.compactMap { kind in created[kind].map { "\(kind.rawValue) \($0)" } }
        if !parts.isEmpty { lines.append("  " + parts.joined(separator: ", ")) }
        if !renamed.isEmpty {
            lines.append("  renamed \(renamed.count):")
            lines += renamed.prefix(20).map { "    line \($0.line): \($0.record): \($0.field) \"\($0.from)\" -> \"\($0.to)\"" }
        }
        if !skipped.isEmpty {
            lines.append("  skipped \(skipped.count):")
            lines += skipped.prefix(20).map { "    line \($0.line): \($0.record): \($0.reason)" }
        }
        return lines.joined(separator: "\n")
    }
}
