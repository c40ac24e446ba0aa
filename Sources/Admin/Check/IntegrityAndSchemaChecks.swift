import MLMD

/// SQLite's own consistency check and the MLMD v10 schema (version, tables, indexes).
enum IntegrityAndSchemaChecks {
    /// `PRAGMA integrity_check` (or `quick_check`). Returns false when the file is too damaged to
    /// go on with the registry checks.
    static func integrity(_ scope: CheckScope, quick: Bool) throws -> Bool {
        let pragma = quick ? "quick_check" : "integrity_check"
        let rows = try scope.connection.all("PRAGMA \(pragma)(\(max(scope.problems.limit, 1)))") { $0.string(0) }
        if rows == ["ok"] { return true }
        for row in rows { scope.add("integrity", row) }
        return false
    }

    /// Returns false when tables are missing (the other checks would only fail on them).
    static func schema(_ scope: CheckScope) throws -> Bool {
        let connection = scope.connection
        let versions = try connection.all("SELECT schema_version FROM MLMDEnv ORDER BY schema_version") { $0.int64(0) }
        if versions != [MLMDSchema.version] {
            scope.add("schema", "MLMDEnv holds schema version(s) \(versions.map(String.init).joined(separator: ", ")); expected exactly \(MLMDSchema.version)")
        }
        let objects = Set(try connection.all("SELECT type || ':' || name FROM sqlite_master") { $0.string(0) })
        let missingTables = MLMDSchema.tableNames.filter { !objects.contains("table:\($0)") }
        for table in missingTables {
            scope.add("schema", "table \(table) is missing")
        }
        for index in SchemaUpgrade.indexNames where !objects.contains("index:\(index)") {
            scope.add("schema", "index \(index) is missing (run `model-registry migrate` to recreate it)")
        }
        return missingTables.isEmpty
    }
}
