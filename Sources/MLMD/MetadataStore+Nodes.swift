/// Rows of `Context`, `Artifact` and `Execution`.
extension MetadataStore {
    /// The columns `readNode` expects, in order; `NULL` where a table lacks one.
    private static func columnNames(of kind: NodeKind) -> [String] {
        let common = ["id", "type_id", "name", "external_id", "create_time_since_epoch", "last_update_time_since_epoch"]
        switch kind {
        case .context: return common + ["NULL", "NULL"]
        case .artifact: return common + ["uri", "state"]
        case .execution: return common + ["NULL", "last_known_state"]
        }
    }

    static func columns(of kind: NodeKind) -> String {
        columnNames(of: kind).joined(separator: ", ")
    }

    /// The column list to select a `NodeRow` with `readNode`, for callers that build their own queries.
    public static func nodeColumns(of kind: NodeKind, alias: String) -> String {
        // Lists (and finds by name) build their SQL per request, always with alias `e`.
        if alias == "e" { return nodeColumnsAliasedE[kind.index] }
        return columnNames(of: kind).map { $0 == "NULL" ? $0 : "\(alias).\($0)" }.joined(separator: ", ")
    }

    private static let nodeColumnsAliasedE: [String] = NodeKind.allKinds.map { kind in
        columnNames(of: kind).map { $0 == "NULL" ? $0 : "e.\($0)" }.joined(separator: ", ")
    }

    public static func readNode(_ row: Statement) -> NodeRow {
        NodeRow(id: row.int64(0), typeID: row.int64(1), name: row.optionalString(2),
                externalID: row.optionalString(3), createTime: row.int64(4), updateTime: row.int64(5),
                uri: row.optionalString(6), state: row.optionalInt64(7))
    }

    /// Inserts a node and returns its new id.
    public func insertNode(_ kind: NodeKind, _ node: NodeRow) throws -> Int64 {
        let common: [SQLValue] = [.integer(node.typeID), node.name.map(SQLValue.text) ?? .null,
                                  node.externalID.map(SQLValue.text) ?? .null,
                                  .integer(node.createTime), .integer(node.updateTime)]
        switch kind {
        case .context:
            try connection.run("""
                INSERT INTO Context(type_id, name, external_id, create_time_since_epoch, last_update_time_since_epoch)
                VALUES (?, ?, ?, ?, ?)
                """, common)
        case .artifact:
            try connection.run("""
                INSERT INTO Artifact(type_id, name, external_id, create_time_since_epoch, last_update_time_since_epoch, uri, state)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, common + [node.uri.map(SQLValue.text) ?? .null, node.state.map(SQLValue.integer) ?? .null])
        case .execution:
            try connection.run("""
                INSERT INTO Execution(type_id, name, external_id, create_time_since_epoch, last_update_time_since_epoch, last_known_state)
                VALUES (?, ?, ?, ?, ?, ?)
                """, common + [node.state.map(SQLValue.integer) ?? .null])
        }
        return connection.lastInsertRowID
    }

    /// Updates the mutable columns of a node: external id, update time, uri and state.
    public func updateNode(_ kind: NodeKind, _ node: NodeRow) throws {
        let externalID = node.externalID.map(SQLValue.text) ?? .null
        switch kind {
        case .context:
            try connection.run("UPDATE Context SET external_id = ?, last_update_time_since_epoch = ? WHERE id = ?",
                               [externalID, .integer(node.updateTime), .integer(node.id)])
        case .artifact:
            try connection.run("UPDATE Artifact SET external_id = ?, last_update_time_since_epoch = ?, uri = ?, state = ? WHERE id = ?",
                               [externalID, .integer(node.updateTime), node.uri.map(SQLValue.text) ?? .null,
                                node.state.map(SQLValue.integer) ?? .null, .integer(node.id)])
        case .execution:
            try connection.run("UPDATE Execution SET external_id = ?, last_update_time_since_epoch = ?, last_known_state = ? WHERE id = ?",
                               [externalID, .integer(node.updateTime), node.state.map(SQLValue.integer) ?? .null, .integer(node.id)])
        }
    }

    public func node(_ kind: NodeKind, id: Int64) throws -> NodeRow? {
        try connection.first(Self.selectNodeByID[kind.index], [.integer(id)], Self.readNode)
    }

    /// `SELECT <columns> FROM <table> WHERE id = ?` per node kind, built once: point reads
    /// would otherwise rebuild (and rehash) the text on every call.
    private static let selectNodeByID: [String] = NodeKind.allKinds.map {
        "SELECT \(columns(of: $0)) FROM \($0.table) WHERE id = ?"
    }
}
