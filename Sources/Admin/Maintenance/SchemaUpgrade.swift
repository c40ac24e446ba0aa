import MLMD

/// Upgrades an ML-Metadata store from schema version 6–9 to 10 in place, inside the caller's
/// write transaction (SQLite DDL is transactional: the upgrade is all or nothing).
///
/// Between versions 6 and 10 MLMD only added columns (`byte_value`, `external_id`,
/// `proto_value`, `bool_value`), unique constraints (`Event`) and indexes. So each table whose
/// shape (columns and unique constraints) differs from v10 is rebuilt: renamed aside, recreated
/// with the exact v10 statement, its rows copied by column name (new columns NULL), its
/// AUTOINCREMENT counter carried over, and the old table dropped. Then the v10 indexes are
/// created. The result is byte-for-byte the schema a fresh v10 store has, and ml-metadata 1.17
/// opens it without migrating. A copy that would break a new unique constraint (duplicate
/// events) fails the whole upgrade with that reason.
enum SchemaUpgrade {
    static let minimumVersion: Int64 = 6

    /// (table, CREATE TABLE statement) of schema v10, in creation order.
    static let tables: [(name: String, sql: String)] = MLMDSchema.statements.compactMap { sql in
        sql.hasPrefix("CREATE TABLE") ? (quotedName(in: sql), sql) : nil
    }

    /// (index, CREATE INDEX statement) of schema v10.
    static let indexes: [(name: String, sql: String)] = MLMDSchema.statements.compactMap { sql in
        sql.hasPrefix("CREATE INDEX") ? (quotedName(in: sql), sql) : nil
    }

    static var indexNames: [String] { indexes.map(\.name) }

    /// The first back-quoted identifier of a statement.
    static func quotedName(in sql: String) -> String {
        let parts = sql.split(separator: "`", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count > 1 ? String(parts[1]) : ""
    }

    /// Rebuilds what differs from v10 and records the new version. Returns the rebuilt or created tables.
    static func upgrade(_ connection: Connection, from version: Int64) throws -> [String] {
        guard version >= minimumVersion, version < MLMDSchema.version else {
            throw AdminError.failed("cannot upgrade from ML-Metadata schema version \(version) (supported: \(minimumVersion)–\(MLMDSchema.version - 1))")
        }
        var changed: [String] = []
        for table in tables {
            let exists = try connection.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                                  [.text(table.name)]) ?? 0
            if exists == 0 {
                try connection.execute(table.sql)
                changed.append(table.name)
                continue
            }
            let current = try shape(connection, schema: "main", table: table.name)
            let target = try targetShape(connection, table: table)
            if current == target { continue }
            try rebuild(connection, table: table, from: version, currentColumns: current.columns.map(\.name))
            changed.append(table.name)
        }
        _ = try createMissingIndexes(connection)
        try connection.execute("DELETE FROM MLMDEnv")
        try connection.run("INSERT INTO MLMDEnv(schema_version) VALUES (?)", [.integer(MLMDSchema.version)])
        return changed
    }

    /// Creates the v10 indexes that do not exist; returns their names.
    static func createMissingIndexes(_ connection: Connection) throws -> [String] {
        let present = Set(try connection.all("SELECT name FROM sqlite_master WHERE type = 'index'") { $0.string(0) })
        var created: [String] = []
        for index in indexes where !present.contains(index.name) {
            try connection.execute(index.sql)
            created.append(index.name)
        }
        return created
    }

    // MARK: Table shapes

    struct Column: Equatable {
        var name: String
        var type: String
        var notNull: Bool
        var defaultValue: String?
        var primaryKeyPosition: Int64
    }

    struct Shape: Equatable {
        var columns: [Column]
        /// Column lists of UNIQUE constraints and the primary key.
        var uniqueKeys: Set<[String]>
    }

    static func shape(_ connection: Connection, schema: String, table: String) throws -> Shape {
        let columns = try connection.all("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?, ?) ORDER BY cid",
                                         [.text(table), .text(schema)]) { row in
            Column(name: row.string(0), type: row.string(1).uppercased(), notNull: row.int64(2) != 0,
                   defaultValue: row.optionalString(3), primaryKeyPosition: row.int64(4))
        }
        let uniqueIndexes = try connection.all("SELECT name FROM pragma_index_list(?, ?) WHERE \"unique\" = 1",
                                               [.text(table), .text(schema)]) { $0.string(0) }
        var keys: Set<[String]> = []
        for index in uniqueIndexes {
            let columns = try connection.all("SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno",
                                             [.text(index), .text(schema)]) { $0.string(0) }
            keys.insert(columns)
        }
        return Shape(columns: columns, uniqueKeys: keys)
    }

    /// The shape of the v10 table, read from a scratch copy in the connection's temp schema.
    private static func targetShape(_ connection: Connection, table: (name: String, sql: String)) throws -> Shape {
        let probe = "mlmd_v10_probe_\(table.name)"
        let statement = table.sql.replacingOccurrences(of: "CREATE TABLE `\(table.name)`", with: "CREATE TEMP TABLE `\(probe)`")
        try connection.execute(statement)
        defer { try? connection.execute("DROP TABLE temp.`\(probe)`") }
        return try shape(connection, schema: "temp", table: probe)
    }

    private static func rebuild(_ connection: Connection, table: (name: String, sql: String), from version: Int64,
                                currentColumns: [String]) throws {
        let old = "\(table.name)_mlmd_v\(version)"
        try connection.execute("ALTER TABLE `\(table.name)` RENAME TO `\(old)`")
        try connection.execute(table.sql)
        let newColumns = Set(try shape(connection, schema: "main", table: table.name).columns.map(\.name))
        let unknown = currentColumns.filter { !newColumns.contains($0) }
        guard unknown.isEmpty else {
            throw AdminError.failed("cannot upgrade table \(table.name): its column(s) \(unknown.joined(separator: ", ")) do not exist in schema version \(MLMDSchema.version)")
        }
        let list = currentColumns.map { "`\($0)`" }.joined(separator: ", ")
        do {
            try connection.execute("INSERT INTO `\(table.name)` (\(list)) SELECT \(list) FROM `\(old)`")
        } catch let error as SQLiteError where error.isConstraintViolation {
            throw AdminError.failed("cannot upgrade table \(table.name): its rows break a constraint of schema version \(MLMDSchema.version) (\(error.message)); nothing was changed")
        }
        // Keep AUTOINCREMENT from reusing ids of rows deleted before the upgrade.
        if table.sql.contains("AUTOINCREMENT") {
            // sqlite_sequence(name, seq) has no key: update the new table's row, or add one.
            try connection.run("""
                UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM sqlite_sequence WHERE name = ?2), 0))
                WHERE name = ?1
                """, [.text(table.name), .text(old)])
            try connection.run("""
                INSERT INTO sqlite_sequence(name, seq) SELECT ?1, seq FROM sqlite_sequence
                WHERE name = ?2 AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1) LIMIT 1
                """, [.text(table.name), .text(old)])
        }
        try connection.execute("DROP TABLE `\(old)`")
    }
}
