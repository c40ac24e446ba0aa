import Admin
import ArgumentParser

/// `model-registry import`: load an export file, ids remapped.
struct ImportArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry import",
        abstract: "Import an export file into a store (created if missing), with new ids.",
        discussion: """
            Reads the whole file first and imports nothing unless it is complete (its Footer \
            matches) and consistent. Name or external-id clashes with the store: --on-conflict \
            fail (default) imports nothing and lists them; skip leaves the clashing entities and \
            everything under them out; rename imports them as <name>-imported[-N]. Creates in \
            batches of short transactions with the creation and update times of the file; if a \
            batch fails, what was imported is removed again. --dry-run only checks the file and \
            lists the clashes.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Option(help: ArgumentHelp("Export file to read, or - for stdin", valueName: "file"))
    var from: String?

    @Option(help: ArgumentHelp("fail, skip or rename (default: fail)", valueName: "policy"))
    var onConflict: String?

    @Option(help: ArgumentHelp("Records per transaction (default: 200)", valueName: "n"))
    var batchSize: String?

    @Flag(help: "Check the file and report clashes; write nothing.")
    var dryRun = false

    func execute(_ context: AdminContext) throws -> AdminReport {
        let database = try options.database()
        var operation = ImportOperation(path: database, source: try AdminRunner.required(from, "--from"))
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        operation.policy = try onConflict.map(ConflictPolicy.init(argument:)) ?? .fail
        operation.batchSize = try AdminRunner.positiveInt(batchSize, option: "--batch-size", default: 200)
        operation.dryRun = dryRun
        return try operation.run(context)
    }
}

typealias ImportCommand = AdminCommand<ImportArguments>
