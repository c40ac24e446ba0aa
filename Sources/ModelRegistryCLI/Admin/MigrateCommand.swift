import Admin
import ArgumentParser

/// `model-registry migrate`: create a store or upgrade one in place.
struct MigrateArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry migrate",
        abstract: "Create a store, or upgrade an existing one in place (idempotent).",
        discussion: """
            Creates the ML-Metadata schema (version 10) and the registry's types in a new or empty \
            file; upgrades ML-Metadata schema versions 6-9 to 10 in one transaction after copying \
            the store to <db>.pre-migrate-v<N>-<time>; adds missing indexes, types and type \
            properties to a current store. Running it again changes nothing. A store with a newer \
            schema, another application's SQLite file, or a type declared differently from what \
            the registry writes is refused unchanged. Safe while the server runs.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Flag(help: "Do not copy the store aside before a schema upgrade.")
    var noBackup = false

    @Flag(help: "Only report what would be done.")
    var dryRun = false

    func execute(_ context: AdminContext) throws -> AdminReport {
        var operation = MigrateOperation(path: try options.database())
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        operation.backupBeforeUpgrade = !noBackup
        operation.dryRun = dryRun
        return try operation.run(context)
    }
}

typealias MigrateCommand = AdminCommand<MigrateArguments>
