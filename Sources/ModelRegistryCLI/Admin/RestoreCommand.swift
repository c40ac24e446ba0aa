import Admin
import ArgumentParser

/// `model-registry restore`: replace a store with a verified backup.
struct RestoreArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry restore",
        abstract: "Replace a store with a backup, atomically, after verifying the backup.",
        discussion: """
            Verifies the backup (integrity and every registry check), refuses if any process has \
            the store open (SQLite's locks on the database and -shm files, and /proc), stages the \
            backup next to the store, keeps the current store as <db>.pre-restore-<UTC time>, \
            removes the old -wal/-shm, and renames the staged file over the store. Stop the \
            server first. With --force it proceeds while a server runs; that server keeps using \
            the replaced file until restarted (for `up`, SIGHUP restarts the workers) and its \
            writes in between are lost.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Option(help: ArgumentHelp("Backup file to restore", valueName: "file"))
    var from: String?

    @Flag(help: "Restore even though a process uses the store.")
    var force = false

    @Flag(help: "Do not keep a copy of the store being replaced.")
    var noKeep = false

    @Flag(help: "Restore a backup that fails the registry checks (SQLite's integrity check must still pass).")
    var skipRegistryCheck = false

    func execute(_ context: AdminContext) throws -> AdminReport {
        let database = try options.database()
        var operation = RestoreOperation(path: database, backup: try AdminRunner.required(from, "--from"))
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        operation.force = force
        operation.keepPrevious = !noKeep
        operation.skipRegistryCheck = skipRegistryCheck
        return try operation.run(context)
    }
}

typealias RestoreCommand = AdminCommand<RestoreArguments>
