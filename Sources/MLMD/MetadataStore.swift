/// Typed access to an MLMD v10 store on one SQLite connection: schema creation, types, nodes,
/// their properties and the links between them. It knows nothing of the model registry.
public final class MetadataStore {
    public let connection: Connection
    private var typeIDs: [String: Int64] = [:]

    public enum StoreError: Error, CustomStringConvertible {
        case notAnMLMDStore(String)
        case unsupportedSchemaVersion(found: Int64, supported: Int64)
        case typeConflict(String)
        case missingType(String)

        public var description: String {
            switch self {
            case .notAnMLMDStore(let detail):
                return "not an ML-Metadata store: \(detail)"
            case .unsupportedSchemaVersion(let found, let supported):
                return "the store has MLMD schema version \(found); this binary supports version \(supported)"
            case .typeConflict(let detail):
                return "type conflict: \(detail)"
            case .missingType(let name):
                return "type \(name) is not registered in the store"
            }
        }
    }

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Page size of stores this process creates. One registration touches ~50 B-trees (MLMD's
    /// tables and indexes plus ours), a leaf page of each, and every page it touches is written
    /// whole to the WAL and synced: at 1 KiB a commit writes and syncs a quarter of the bytes it
    /// did at SQLite's default 4 KiB (registrations ~20% faster, see Docs/performance.md).
    public static let newStorePageSize = 1024

    /// Opens a store file for serving: WAL journal, every write transaction on disk when it returns.
    public static func open(path: String, create: Bool = true, readOnly: Bool = false,
                            busyTimeoutMilliseconds: Int32 = 10_000) throws -> MetadataStore {
        let connection = try Connection(path: path, options: .init(readOnly: readOnly, create: create,
                                                                   busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                                                                   usesWriteGate: true))
        if !readOnly {
            // Only takes effect on a new, empty file; an existing store keeps its page size.
            // See `newStorePageSize`.
            try connection.execute("PRAGMA page_size=\(newStorePageSize)")
            // WAL lets readers run while one writer commits; every acknowledged commit is
            // synced to disk, so it survives power loss, not only a process crash, with the
            // sync done after the write lock is released (see syncWALAfterCommit).
            try connection.execute("PRAGMA journal_mode=WAL")
            try connection.syncWALAfterCommit()
        }
        try connection.execute("PRAGMA foreign_keys=OFF")
        // 8 MB of page cache (SQLite's default is 2 MB): at a million versions the inner pages
        // of the tables and indexes a point read walks then stay cached; ~6 MB more per worker.
        try connection.execute("PRAGMA cache_size=-8192")
        return MetadataStore(connection: connection)
    }

    // MARK: Schema

    /// The schema version recorded in `MLMDEnv`, or nil for an empty database.
    public func schemaVersion() throws -> Int64? {
        let tables = try connection.all("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.string(0) }
        if tables.isEmpty { return nil }
        guard tables.contains("MLMDEnv") else {
            throw StoreError.notAnMLMDStore("the database has tables but no MLMDEnv table")
        }
        guard let version = try connection.scalarInt("SELECT MAX(schema_version) FROM MLMDEnv") else {
            throw StoreError.notAnMLMDStore("MLMDEnv has no schema_version")
        }
        return version
    }

    /// Creates the v10 schema in an empty database, or checks an existing one. Idempotent.
    /// Returns true when the schema was created.
    @discardableResult
    public func createOrVerifySchema() throws -> Bool {
        try connection.transaction {
            if let version = try schemaVersion() {
                guard version == MLMDSchema.version else {
                    throw StoreError.unsupportedSchemaVersion(found: version, supported: MLMDSchema.version)
                }
                let present = Set(try connection.all("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.string(0) })
                let missing = MLMDSchema.tableNames.filter { !present.contains($0) }
                guard missing.isEmpty else {
                    throw StoreError.notAnMLMDStore("missing tables: \(missing.joined(separator: ", "))")
                }
                try ensureSimpleTypes()
                return false
            }
            for statement in MLMDSchema.statements {
                try connection.execute(statement)
            }
            try connection.run("INSERT INTO MLMDEnv(schema_version) VALUES (?)", [.integer(MLMDSchema.version)])
            try ensureSimpleTypes()
            return true
        }
    }

    private func ensureSimpleTypes() throws {
        for simple in MLMDSchema.simpleTypes {
            try ensureType(TypeDefinition(name: simple.name, kind: simple.kind, properties: []))
        }
    }

    // MARK: Types

    /// Creates the type and its declared properties if missing; fails if an existing type or
    /// property disagrees with the definition. Returns the type id.
    @discardableResult
    public func ensureType(_ definition: TypeDefinition) throws -> Int64 {
        try connection.transaction {
            let existing = try connection.first(
                "SELECT id, type_kind FROM Type WHERE name = ? AND version IS NULL",
                [.text(definition.name)]) { ($0.int64(0), $0.int64(1)) }
            let typeID: Int64
            if let (id, kind) = existing {
                guard kind == definition.kind.rawValue else {
                    throw StoreError.typeConflict("\(definition.name) exists with kind \(kind), expected \(definition.kind.rawValue)")
                }
                typeID = id
            } else {
                try connection.run("INSERT INTO Type(name, type_kind) VALUES (?, ?)",
                                   [.text(definition.name), .integer(definition.kind.rawValue)])
                typeID = connection.lastInsertRowID
            }
            for property in definition.properties {
                let declared = try connection.first(
                    "SELECT data_type FROM TypeProperty WHERE type_id = ? AND name = ?",
                    [.integer(typeID), .text(property.name)]) { $0.optionalInt64(0) }
                if let declared {
                    guard declared == property.type.rawValue else {
                        throw StoreError.typeConflict("\(definition.name).\(property.name) is declared as \(declared ?? 0), expected \(property.type.rawValue)")
                    }
                } else {
                    try connection.run("INSERT INTO TypeProperty(type_id, name, data_type) VALUES (?, ?, ?)",
                                       [.integer(typeID), .text(property.name), .integer(property.type.rawValue)])
                }
            }
            // Not cached here: the enclosing transaction may still roll back.
            return typeID
        }
    }

    /// The id of a type by name, cached per connection (type rows never change once created).
    public func typeID(named name: String) throws -> Int64 {
        if let id = typeIDs[name] { return id }
        guard let id = try connection.scalarInt("SELECT id FROM Type WHERE name = ? AND version IS NULL", [.text(name)]) else {
            throw StoreError.missingType(name)
        }
        typeIDs[name] = id
        return id
    }

    public func typeName(id: Int64) throws -> String? {
        if let name = typeIDs.first(where: { $0.value == id })?.key { return name }
        return try connection.first("SELECT name FROM Type WHERE id = ?", [.integer(id)]) { $0.string(0) }
    }
}
