import MLMD

/// Removes what a failed import committed, newest first, in short batches — unless another
/// writer has meanwhile linked its own rows to imported ones (a version under an imported
/// model, an inference service naming an imported version, …): deleting would then orphan
/// someone else's data, so the undo stops and says so.
struct ImportUndo {
    let connection: Connection
    var batchSize = 200

    struct Outcome {
        var removed: Int
        /// Why the undo stopped early, if it did.
        var stopped: String?
    }

    /// Id-valued property rows that may point at imported contexts.
    static let referenceProperties = ["registered_model_id", "model_version_id", "serving_environment_id", "experiment_id",
                                      "experiment_run_id"]

    func run(_ created: [(node: NodeKind, id: Int64)]) throws -> Outcome {
        guard !created.isEmpty else { return Outcome(removed: 0, stopped: nil) }
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS admin_import_undo(node TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (node, id))")
        try connection.execute("DELETE FROM temp.admin_import_undo")
        try connection.transaction(write: false) {
            for (node, id) in created {
                try connection.run("INSERT OR IGNORE INTO temp.admin_import_undo(node, id) VALUES (?, ?)", [.text(node.table), .integer(id)])
            }
        }
        defer { try? connection.execute("DROP TABLE IF EXISTS temp.admin_import_undo") }
        var removed = 0
        var remaining = Array(created.reversed())
        let deleter = NodeDeleter(connection: connection)
        while !remaining.isEmpty {
            let batch = Array(remaining.prefix(batchSize))
            let stopped: String? = try connection.transaction(write: true) {
                if let reason = try foreignReference() { return reason }
                try deleter.deleteExecutions(batch.filter { $0.node == .execution }.map(\.id))
                try deleter.deleteArtifacts(batch.filter { $0.node == .artifact }.map(\.id))
                try deleter.deleteContexts(batch.filter { $0.node == .context }.map(\.id))
                for (node, id) in batch {
                    try connection.run("DELETE FROM temp.admin_import_undo WHERE node = ? AND id = ?", [.text(node.table), .integer(id)])
                }
                return nil
            }
            if let stopped { return Outcome(removed: removed, stopped: stopped) }
            removed += batch.count
            remaining.removeFirst(batch.count)
        }
        return Outcome(removed: removed, stopped: nil)
    }

    /// A description of a row outside the import that links to an imported one, or nil.
    private func foreignReference() throws -> String? {
        let imported = { (table: String) in "(SELECT id FROM temp.admin_import_undo WHERE node = '\(table)')" }
        let checks: [(String, String)] = [
            ("a context outside the import has an imported parent", """
                SELECT COUNT(*) FROM ParentContext WHERE parent_context_id IN \(imported("Context"))
                AND context_id NOT IN \(imported("Context"))
                """),
            ("an artifact outside the import is attributed to an imported context", """
                SELECT COUNT(*) FROM Attribution WHERE context_id IN \(imported("Context"))
                AND artifact_id NOT IN \(imported("Artifact"))
                """),
            ("an execution outside the import is associated with an imported context", """
                SELECT COUNT(*) FROM Association WHERE context_id IN \(imported("Context"))
                AND execution_id NOT IN \(imported("Execution"))
                """),
        ]
        for (message, sql) in checks where (try connection.scalarInt(sql) ?? 0) > 0 {
            return message
        }
        let names = Self.referenceProperties.map { "'\($0)'" }.joined(separator: ", ")
        for node in [NodeKind.context, .artifact, .execution] {
            let count = try connection.scalarInt("""
                SELECT COUNT(*) FROM \(node.propertyTable) WHERE name IN (\(names))
                AND int_value IN \(imported("Context")) AND \(node.propertyOwnerColumn) NOT IN \(imported(node.table))
                """) ?? 0
            if count > 0 { return "a \(node.table.lowercased()) outside the import refers to an imported context by id" }
        }
        return nil
    }
}
