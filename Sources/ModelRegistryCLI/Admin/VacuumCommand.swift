import Admin
import ArgumentParser

/// `model-registry vacuum`: checkpoint the WAL and reclaim free pages.
struct VacuumArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry vacuum",
        abstract: "Checkpoint and truncate the WAL, then VACUUM; report sizes before and after.",
        discussion: """
            PRAGMA wal_checkpoint(TRUNCATE) (waiting at most 2 s for readers, never longer), \
            VACUUM, and a second checkpoint. VACUUM holds the write lock while it rewrites the \
            file, so writers wait up to their busy timeout: it is refused on stores larger than \
            --max-vacuum-bytes (default 1 GiB; 0 means no limit). --checkpoint-only skips it.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Flag(help: "Only checkpoint and truncate the WAL.")
    var checkpointOnly = false

    @Option(help: ArgumentHelp("Refuse VACUUM above this many bytes of database and WAL (default: 1073741824; 0: no limit)",
                               valueName: "bytes"))
    var maxVacuumBytes: String?

    func execute(_ context: AdminContext) throws -> AdminReport {
        var operation = VacuumOperation(path: try options.database())
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        operation.checkpointOnly = checkpointOnly
        if let text = maxVacuumBytes {
            guard let limit = Int64(text), limit >= 0 else {
                throw AdminError.usage("--max-vacuum-bytes must be a number of bytes, not \"\(text)\"")
            }
            operation.maxVacuumBytes = limit == 0 ? nil : limit
        }
        return try operation.run(context)
    }
}

typealias VacuumCommand = AdminCommand<VacuumArguments>
