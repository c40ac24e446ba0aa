/// Maintenance operations on a registry store, behind the `model-registry` admin subcommands
/// (migrate, check, backup, restore, vacuum, export, import, stats, purge). See Docs/admin.md.
///
/// Every operation is a value with its options and a `run(_:)` that returns a report (JSON for
/// `--json`, text for people) or throws an `AdminError`. All of them are safe while a server
/// writes to the same file: reads use one snapshot (WAL readers never block writers), writes are
/// short `BEGIN IMMEDIATE` transactions that wait at most the busy timeout for the lock, and
/// files are replaced only by an atomic rename of a complete, fsynced copy.
public enum Admin {
    /// The busy timeout used when none is given: the same as the server's connections.
    public static let defaultBusyTimeoutMilliseconds: Int32 = 10_000
}
