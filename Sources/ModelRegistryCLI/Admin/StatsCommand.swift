import Admin
import ArgumentParser

/// `model-registry stats`: counts and sizes.
struct StatsArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry stats",
        abstract: "Show entity counts per kind and state, and database, WAL and free-page sizes.",
        discussion: """
            Read-only, one snapshot; safe while the server writes.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    func execute(_ context: AdminContext) throws -> AdminReport {
        var operation = StatsOperation(path: try options.database())
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        return try operation.run(context)
    }
}

typealias StatsCommand = AdminCommand<StatsArguments>
