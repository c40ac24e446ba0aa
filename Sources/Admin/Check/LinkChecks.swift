import MLMD

/// Every row that refers to another row by id — link tables, events, property rows, type
/// declarations — points at a row that exists (MLMD declares no foreign keys, so SQLite's
/// `foreign_key_check` cannot do this).
enum LinkChecks {
    /// (table, column, referenced table).
    static let references: [(String, String, String)] = [
        ("ParentContext", "context_id", "Context"),
        ("ParentContext", "parent_context_id", "Context"),
        ("Attribution", "context_id", "Context"),
        ("Attribution", "artifact_id", "Artifact"),
        ("Association", "context_id", "Context"),
        ("Association", "execution_id", "Execution"),
        ("Event", "artifact_id", "Artifact"),
        ("Event", "execution_id", "Execution"),
        ("EventPath", "event_id", "Event"),
        ("ContextProperty", "context_id", "Context"),
        ("ArtifactProperty", "artifact_id", "Artifact"),
        ("ExecutionProperty", "execution_id", "Execution"),
        ("TypeProperty", "type_id", "Type"),
        ("ParentType", "type_id", "Type"),
        ("ParentType", "parent_type_id", "Type"),
    ]

    static func run(_ scope: CheckScope) throws {
        for (table, column, target) in references {
            try scope.connection.query("""
                SELECT l.\(column), COUNT(*) FROM \(table) l
                WHERE NOT EXISTS (SELECT 1 FROM \(target) t WHERE t.id = l.\(column))
                GROUP BY l.\(column) ORDER BY l.\(column)
                """) { row in
                let id = row.optionalInt64(0).map(String.init) ?? "NULL"
                let count = row.int64(1)
                scope.add("links", "\(table): \(count) row(s) have \(column) \(id), but \(target) \(id) does not exist")
            }
        }
        try scope.connection.query("SELECT context_id FROM ParentContext WHERE context_id = parent_context_id") { row in
            scope.add("links", "ParentContext: context \(row.int64(0)) is its own parent")
        }
    }
}
