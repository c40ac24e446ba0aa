import Admin
import ArgumentParser

/// `model-registry check`: SQLite integrity plus the registry's invariants, read-only.
struct CheckArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry check",
        abstract: "Check a store: SQLite integrity and the registry's invariants (read-only).",
        discussion: """
            Runs PRAGMA integrity_check, then checks the MLMD schema, the registry's types and \
            property declarations, that every link row (ParentContext, Attribution, Association, \
            events, property rows) points at existing rows, that every model version, inference \
            service and experiment run has exactly one parent of the right type named by its \
            parent-id property and by its name prefix, that serve models and metric history \
            belong to exactly one owner, that reference ids point at existing entities, and that \
            every typed property row is stored as its declared type. Opens the file read-only, \
            in one snapshot; safe while the server writes. Lists each problem; exit status 1 if \
            there is any.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Flag(help: "Use PRAGMA quick_check instead of integrity_check (faster; skips index contents).")
    var quick = false

    @Option(help: ArgumentHelp("List at most this many problems per check (default: 50); all are counted", valueName: "n"))
    var maxProblems: String?

    func execute(_ context: AdminContext) throws -> AdminReport {
        var checker = StoreChecker(path: try options.database())
        checker.busyTimeout = try options.busyTimeoutMilliseconds()
        checker.quick = quick
        checker.maxProblemsPerCheck = try AdminRunner.positiveInt(maxProblems, option: "--max-problems", default: 50)
        return try checker.run(context)
    }
}

typealias CheckCommand = AdminCommand<CheckArguments>
