import JSON
import MLMD
import Registry

/// `migrate`: creates a store, or brings an existing one up to what this binary serves, in one
/// write transaction: ML-Metadata schema 6–9 upgraded to 10 (with a safety copy taken first),
/// missing v10 indexes recreated, MLMD's simple types, the registry's `kf.*` types and property
/// declarations and the registry's own indexes (`RegistryIndexes`) added. Running it again
/// changes nothing. A store with a newer schema, a non-MLMD database or a type declared
/// differently from what the registry writes is refused without any change.
public struct MigrateOperation {
    public var path: String
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds
    /// Copy the store aside (`<db>.pre-migrate-v<N>-<time>`) before a schema upgrade.
    public var backupBeforeUpgrade = true
    /// Only report what would be done.
    public var dryRun = false

    public init(path: String) {
        self.path = path
    }

    public func run(_ context: AdminContext = .silent) throws -> MigrateReport {
        var report = MigrateReport(path: path, dryRun: dryRun)
        let header = try StoreAccess.checkFile(path, allowMissing: true)
        var version: Int64?
        if header != nil {
            let connection = try StoreAccess.openReadOnly(path, busyTimeout: busyTimeout)
            switch try StoreAccess.content(of: connection, path: path) {
            case .nothing, .emptyDatabase:
                version = nil
            case .mlmd(let found):
                version = found
            }
        } else {
            let directory = Files.directory(of: Files.absolute(path))
            guard Files.isDirectory(directory) else {
                throw AdminError.failed("cannot create \(path): the directory \(directory) does not exist")
            }
        }
        report.fromVersion = version
        if let version {
            if version > MLMDSchema.version {
                throw AdminError.failed(
                    "\(path) has ML-Metadata schema version \(version), newer than this binary supports (\(MLMDSchema.version)); nothing was changed. Use a newer model-registry.")
            }
            if version < SchemaUpgrade.minimumVersion {
                throw AdminError.failed(
                    "\(path) has ML-Metadata schema version \(version), older than this binary can upgrade (\(SchemaUpgrade.minimumVersion)–\(MLMDSchema.version - 1)); upgrade it with ml-metadata first. Nothing was changed.")
            }
        }
        if dryRun {
            report.action = version == nil ? .create : (version! < MLMDSchema.version ? .upgrade : .verify)
            return report
        }
        if let version, version < MLMDSchema.version, backupBeforeUpgrade {
            let copy = "\(path).pre-migrate-v\(version)-\(Files.timestampForFileName())"
            context.log("migrate: copying the store to \(copy) before upgrading it")
            var snapshot = StoreSnapshot(busyTimeout: busyTimeout)
            snapshot.finalJournalMode = "DELETE"
            _ = try snapshot.write(from: path, to: copy, context: context, label: "safety copy")
            report.backupPath = copy
        }
        try apply(version: version, report: &report, context: context)
        return report
    }

    private func apply(version: Int64?, report: inout MigrateReport, context: AdminContext) throws {
        let connection: Connection
        do {
            connection = try Connection(path: path, options: .init(readOnly: false, create: true, busyTimeoutMilliseconds: busyTimeout))
            // A new file gets the pages of a store the server or the SDK creates; setting WAL first
            // would fix SQLite's default instead. No effect on an existing store.
            try connection.execute("PRAGMA page_size=\(MetadataStore.newStorePageSize)")
            try connection.execute("PRAGMA journal_mode=WAL")
            try connection.execute("PRAGMA synchronous=FULL")
            try connection.execute("PRAGMA foreign_keys=OFF")
        } catch {
            throw AdminError.from(error, path: path, doing: "cannot open the store for writing")
        }
        let store = MetadataStore(connection: connection)
        do {
            try connection.transaction(write: true) {
                // Re-read under the write lock: another process may have created the schema.
                let current = try store.schemaVersion()
                if current != version {
                    throw AdminError.failed("the store changed while migrating (schema version \(current.map(String.init) ?? "none") instead of \(version.map(String.init) ?? "none")); run migrate again")
                }
                let before = try Declarations.read(connection)
                if let current, current < MLMDSchema.version {
                    report.tablesRebuilt = try SchemaUpgrade.upgrade(connection, from: current)
                    report.action = .upgrade
                    context.log("migrate: upgraded the schema from version \(current) to \(MLMDSchema.version)")
                } else if current == nil {
                    report.action = .create
                } else {
                    report.action = .verify
                    _ = try SchemaUpgrade.createMissingIndexes(connection)
                }
                // What the server's start-up (RegistryService.prepareStore) does: MLMD's simple
                // types, the registry's types, and the registry's own indexes.
                try store.createOrVerifySchema()
                for kind in EntityKind.all {
                    try store.ensureType(kind.typeDefinition)
                }
                for index in RegistryIndexes.all {
                    try connection.execute(index.sql)
                }
                let after = try Declarations.read(connection)
                report.typesAdded = after.types.subtracting(before.types).sorted()
                report.propertiesAdded = after.properties.subtracting(before.properties).sorted()
                if report.action != .create {
                    report.indexesCreated = after.indexes.subtracting(before.indexes).sorted()
                }
                if report.action == .upgrade || report.action == .create {
                    let integrity = try connection.all("PRAGMA quick_check") { $0.string(0) }
                    guard integrity == ["ok"] else {
                        throw AdminError.failed("the migrated store failed its integrity check: \(integrity.prefix(3).joined(separator: "; ")); nothing was changed")
                    }
                }
            }
        } catch let error as MetadataStore.StoreError {
            throw AdminError.failed("cannot migrate \(path): \(error); nothing was changed")
        } catch {
            throw AdminError.from(error, path: path, doing: "cannot migrate the store")
        }
        report.toVersion = MLMDSchema.version
    }
}

/// The declared types and type properties of a store, to report what `migrate` added.
private struct Declarations {
    var types: Set<String>
    var properties: Set<String>
    var indexes: Set<String>

    static func read(_ connection: Connection) throws -> Declarations {
        let indexes = Set(try connection.all("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL") { $0.string(0) })
        let tables = try connection.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('Type', 'TypeProperty')") ?? 0
        guard tables == 2 else { return Declarations(types: [], properties: [], indexes: indexes) }
        let types = Set(try connection.all("SELECT name FROM Type") { $0.string(0) })
        let properties = Set(try connection.all("SELECT t.name || '.' || p.name FROM TypeProperty p JOIN Type t ON t.id = p.type_id") { $0.string(0) })
        return Declarations(types: types, properties: properties, indexes: indexes)
    }
}

public struct MigrateReport: AdminReport {
    public enum Action: String, Sendable {
        case create = "created"
        case upgrade = "upgraded"
        case verify = "verified"
    }

    public var path: String
    public var dryRun: Bool
    public var action: Action = .verify
    public var fromVersion: Int64?
    public var toVersion: Int64?
    public var tablesRebuilt: [String] = []
    public var indexesCreated: [String] = []
    public var typesAdded: [String] = []
    public var propertiesAdded: [String] = []
    public var backupPath: String?

    public var problemsFound: Bool { false }

    /// True when the run changed the store.
    public var changed: Bool {
        !dryRun && (action != .verify || !indexesCreated.isEmpty || !typesAdded.isEmpty || !propertiesAdded.isEmpty)
    }

    public var json: JSON {
        .object([
            "ok": .bool(true),
            "command": .string("migrate"),
            "database": .string(path),
            "dryRun": .bool(dryRun),
            "action": .string(action.rawValue),
            "changed": .bool(changed),
            "fromVersion": ReportJSON.optionalInt(fromVersion),
            "toVersion": ReportJSON.optionalInt(dryRun ? MLMDSchema.version : toVersion),
            "tablesRebuilt": ReportJSON.strings(tablesRebuilt),
            "indexesCreated": ReportJSON.strings(indexesCreated),
            "typesAdded": ReportJSON.strings(typesAdded),
            "propertiesAdded": ReportJSON.strings(propertiesAdded),
            "backup": backupPath.map(JSON.string) ?? .null,
        ])
    }

    public var text: String {
        if dryRun {
            switch action {
            case .create: return "\(path): would create a new store (schema version \(MLMDSchema.version))"
            case .upgrade: return "\(path): would upgrade schema version \(fromVersion ?? 0) to \(MLMDSchema.version)"
            case .verify: return "\(path): schema version \(MLMDSchema.version); would add any missing types and indexes"
            }
        }
        var lines: [String] = []
        switch action {
        case .create: lines.append("\(path): created a new store (schema version \(MLMDSchema.version))")
        case .upgrade: lines.append("\(path): upgraded schema version \(fromVersion ?? 0) to \(MLMDSchema.version) (rebuilt: \(tablesRebuilt.joined(separator: ", ")))")
        case .verify: lines.append(changed ? "\(path): schema version \(MLMDSchema.version), updated" : "\(path): already up to date (schema version \(MLMDSchema.version))")
        }
        if let backupPath { lines.append("  safety copy of the previous store: \(backupPath)") }
        if !indexesCreated.isEmpty { lines.append("  indexes created: \(indexesCreated.joined(separator: ", "))") }
        if !typesAdded.isEmpty { lines.append("  types added: \(typesAdded.count)") }
        if !propertiesAdded.isEmpty { lines.append("  type properties declared: \(propertiesAdded.count)") }
        return lines.joined(separator: "\n")
    }
}
