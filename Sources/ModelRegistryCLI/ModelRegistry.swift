import ArgumentParser

/// The `model-registry` executable: one subcommand per way of running or administering the
/// registry. A new subcommand is one more entry in `subcommands`.
@main
struct ModelRegistry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-registry",
        abstract: "A Kubeflow Model Registry compatible server on SQLite.",
        version: "0.1.0",
        subcommands: [
            Serve.self,
            Up.self,
            MigrateCommand.self, CheckCommand.self, BackupCommand.self, RestoreCommand.self, VacuumCommand.self, ExportCommand.self, ImportCommand.self, StatsCommand.self, PurgeCommand.self,
        ]
    )
}
