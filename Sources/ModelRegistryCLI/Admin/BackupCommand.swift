import Admin
import ArgumentParser

/// `model-registry backup`: an online, consistent snapshot.
struct BackupArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry backup",
        abstract: "Write an online, consistent copy of a store to a new file.",
        discussion: """
            Copies the store with SQLite's online backup API from one read snapshot (writers are \
            never blocked), into a temporary file next to the destination that is checked \
            (integrity and registry checks), fsynced and renamed into place: the destination is \
            complete or absent. Every write committed before the backup started is in it. The \
            backup is a single file in rollback-journal mode; restore it with `restore`. An \
            existing destination is refused unless --force; a directory as --to gets a file named \
            model-registry-<UTC time>.db.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Option(help: ArgumentHelp("Backup file to write, or an existing directory", valueName: "file"))
    var to: String?

    @Flag(help: "Overwrite the destination if it exists.")
    var force = false

    @Option(help: ArgumentHelp("Pages copied per step (default: 1024)", valueName: "n"))
    var pagesPerStep: String?

    func execute(_ context: AdminContext) throws -> AdminReport {
        let database = try options.database()
        var operation = BackupOperation(path: database, destination: try AdminRunner.required(to, "--to"))
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        operation.force = force
        operation.pagesPerStep = Int32(clamping: try AdminRunner.positiveInt(pagesPerStep, option: "--pages-per-step", default: 1024))
        return try operation.run(context)
    }
}

typealias BackupCommand = AdminCommand<BackupArguments>
