import Admin
import ArgumentParser

/// `model-registry purge`: remove archived models and versions for good.
struct PurgeArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry purge",
        abstract: "Permanently remove archived models and versions last updated before a date.",
        discussion: """
            Removes ARCHIVED registered models (with all their versions) and ARCHIVED model \
            versions whose lastUpdateTimeSinceEpoch is before DATE, with the artifacts attributed \
            only to them, their properties and links. Models and versions an inference service \
            or serve model refers to are kept and listed. Deletes in batches of short \
            transactions, re-checking each entity under the write lock; never leaves orphans. \
            DATE is milliseconds since the epoch or ISO 8601 (2024-01-31, 2024-01-31T12:00:00Z). \
            --dry-run lists what would go.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Option(help: ArgumentHelp("Remove what was archived and last updated before this date", valueName: "date"))
    var archivedBefore: String?

    @Flag(help: "List what would be removed; change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Model versions per transaction (default: 50)", valueName: "n"))
    var batchSize: String?

    func execute(_ context: AdminContext) throws -> AdminReport {
        let database = try options.database()
        let cutoff = try PurgeDate.parse(try AdminRunner.required(archivedBefore, "--archived-before"))
        var operation = PurgeOperation(path: database, archivedBefore: cutoff)
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        operation.dryRun = dryRun
        operation.batchSize = try AdminRunner.positiveInt(batchSize, option: "--batch-size", default: 50)
        return try operation.run(context)
    }
}

typealias PurgeCommand = AdminCommand<PurgeArguments>
