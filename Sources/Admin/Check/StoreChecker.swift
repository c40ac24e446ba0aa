import JSON
import MLMD

/// `check`: SQLite's integrity check plus the registry's invariants, on a read-only connection
/// inside one read transaction (one consistent snapshot, never blocking the server's writers).
public struct StoreChecker {
    public var path: String
    /// `quick_check` instead of `integrity_check` (skips index-content verification; much faster).
    public var quick = false
    /// Problems listed per check; the rest are only counted.
    public var maxProblemsPerCheck = 50
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds

    public init(path: String) {
        self.path = path
    }

    /// The checks in the order they run; later ones assume the earlier passed far enough.
    public static let checkNames = ["integrity", "schema", "types", "links", "hierarchy", "references", "properties"]

    public func run(_ context: AdminContext = .silent) throws -> CheckReport {
        guard maxProblemsPerCheck > 0 else { throw AdminError.usage("--max-problems must be at least 1") }
        _ = try StoreAccess.checkFile(path)
        let connection = try StoreAccess.openReadOnly(path, busyTimeout: busyTimeout)
        let collector = ProblemCollector(limit: maxProblemsPerCheck)
        var completed: [String] = []
        let started = Files.monotonicSeconds()
        context.startProgress("check", total: Int64(Self.checkNames.count))
        defer { context.finishProgress() }
        do {
            try connection.transaction(write: false) {
                // SQLite's own check first: it needs nothing from the schema, so a damaged file
                // is reported as problems rather than failing on the first unreadable table.
                guard try IntegrityAndSchemaChecks.integrity(CheckScope.bare(connection, collector), quick: quick) else {
                    completed.append("integrity")
                    return
                }
                completed.append("integrity")
                context.advanceProgress(to: 1)
                let content = try StoreAccess.content(of: connection, path: path)
                guard case .mlmd(let version) = content, version == MLMDSchema.version else {
                    try StoreAccess.requireCurrentSchema(content, connection: connection, path: path)
                    return
                }
                try Self.runRegistryChecks(connection: connection, collector: collector) { name in
                    completed.append(name)
                    context.advanceProgress(to: Int64(completed.count))
                }
            }
        } catch let error as SQLiteError where error.isCorrupt {
            collector.add("integrity", "reading the store failed: \(error.message)")
        } catch {
            throw AdminError.from(error, path: path, doing: "check failed")
        }
        return CheckReport(path: path, quick: quick, completed: completed, problems: collector.problems,
                           counts: collector.counts, omitted: collector.omitted,
                           seconds: Files.monotonicSeconds() - started)
    }

    /// Runs the checks after `integrity` on an open, current store; `done` is called after each.
    static func runRegistryChecks(connection: Connection, collector: ProblemCollector, done: (String) -> Void) throws {
        let scope = try CheckScope(connection: connection, problems: collector)
        guard try IntegrityAndSchemaChecks.schema(scope) else {
            done("schema")
            return
        }
        done("schema")
        try TypeChecks.run(scope)
        done("types")
        try LinkChecks.run(scope)
        done("links")
        try HierarchyChecks.run(scope)
        done("hierarchy")
        try ReferenceChecks.run(scope)
        done("references")
        try PropertyChecks.run(scope)
        done("properties")
    }
}

public struct CheckReport: AdminReport {
    public var path: String
    public var quick: Bool
    /// Checks that ran to the end.
    public var completed: [String]
    public var problems: [CheckProblem]
    /// Problems per check, including those not listed.
    public var counts: [String: Int]
    public var omitted: [String: Int]
    public var seconds: Double

    public var totalProblems: Int { counts.values.reduce(0, +) }
    public var problemsFound: Bool { totalProblems > 0 }

    public var json: JSON {
        .object([
            "ok": .bool(!problemsFound),
            "command": .string("check"),
            "database": .string(path),
            "mode": .string(quick ? "quick_check" : "integrity_check"),
            "checks": ReportJSON.strings(completed),
            "skipped": ReportJSON.strings(StoreChecker.checkNames.filter { !completed.contains($0) }),
            "problemCount": ReportJSON.int(totalProblems),
            "problemCounts": ReportJSON.counts(counts),
            "problems": .array(problems.map(\.json)),
            "unlisted": ReportJSON.counts(omitted),
            "seconds": .double((seconds * 1000).rounded() / 1000),
        ])
    }

    public var text: String {
        var lines: [String] = []
        let skipped = StoreChecker.checkNames.filter { !completed.contains($0) }
        if problems.isEmpty && !problemsFound {
            lines.append("\(path): OK (\(completed.joined(separator: ", ")))")
        } else {
            lines.append("\(path): \(totalProblems) problem(s)")
            for problem in problems {
                lines.append("  [\(problem.check)] \(problem.message)")
            }
            for (check, count) in omitted.sorted(by: { $0.key < $1.key }) {
                lines.append("  [\(check)] … and \(count) more")
            }
        }
        if !skipped.isEmpty {
            lines.append("not run (the store is too damaged): \(skipped.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
