import Admin
import ArgumentParser

/// `model-registry export`: JSON Lines dump in the REST shapes.
struct ExportArguments: AdminArguments {
    static let configuration = CommandConfiguration(
        commandName: "model-registry export",
        abstract: "Export every registry entity as JSON Lines in the REST API's shapes.",
        discussion: """
            One record per line: {"kind": ..., "entity": <the entity as GET returns it>} plus \
            parent references for artifacts and serve models; a Header first and a Footer with \
            the record count last. Streams from one read snapshot (writers are not blocked). To \
            a file, the output appears only when complete (temporary file, fsync, rename); with \
            --to - it goes to stdout and the report to stderr. Format: Docs/admin.md.

            \(AdminHelp.exitStatus)
            """)

    @OptionGroup var options: AdminOptions

    @Option(help: ArgumentHelp("File to write, or - for stdout", valueName: "file"))
    var to: String?

    @Flag(help: "Overwrite the file if it exists.")
    var force = false

    var reportsToStandardError: Bool { to == "-" }

    func execute(_ context: AdminContext) throws -> AdminReport {
        let database = try options.database()
        var operation = ExportOperation(path: database, destination: try AdminRunner.required(to, "--to"))
        operation.busyTimeout = try options.busyTimeoutMilliseconds()
        operation.force = force
        return try operation.run(context)
    }
}

typealias ExportCommand = AdminCommand<ExportArguments>
