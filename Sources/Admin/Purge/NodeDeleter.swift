import MLMD

/// Deletes MLMD nodes with everything that hangs off them — property rows, link rows, events —
/// so that no row is left pointing at a deleted one. Set-based: each call is a handful of
/// statements over the whole batch. Runs inside the caller's write transaction.
struct NodeDeleter {
    let connection: Connection

    struct Counts: Equatable {
        var contexts = 0
        var artifacts = 0
        var executions = 0
    }

    static func list(_ ids: [Int64]) -> SQLValue {
        .text("[" + ids.map(String.init).joined(separator: ",") + "]")
    }

    /// Artifacts attributed to at least one of `contexts` and to no other context.
    func artifactsAttributedOnly(to contexts: [Int64]) throws -> [Int64] {
        guard !contexts.isEmpty else { return [] }
        let set = Set(contexts)
        var owners: [Int64: [Int64]] = [:]
        // One pass over the attributions of the candidate artifacts, rather than a correlated
        // subquery per artifact (ml-metadata's schema indexes Attribution by context only).
        try connection.query("""
            SELECT o.artifact_id, o.context_id FROM Attribution o
            WHERE o.artifact_id IN (SELECT a.artifact_id FROM Attribution a WHERE a.context_id IN (SELECT value FROM json_each(?)))
            """, [Self.list(contexts)]) { row in
            owners[row.int64(0), default: []].append(row.int64(1))
        }
        return owners.filter { $0.value.allSatisfy(set.contains) }.keys.sorted()
    }

    /// Deletes the contexts, their properties and links (as child and as parent), and the
    /// artifacts attributed only to them. Shared artifacts stay, minus these attributions.
    @discardableResult
    func deleteContexts(_ ids: [Int64]) throws -> Counts {
        guard !ids.isEmpty else { return Counts() }
        let artifacts = try artifactsAttributedOnly(to: ids)
        var counts = Counts()
        counts.artifacts = try deleteArtifacts(artifacts)
        let list = Self.list(ids)
        for sql in [
            "DELETE FROM Attribution WHERE context_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM Association WHERE context_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM ParentContext WHERE context_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM ParentContext WHERE parent_context_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM ContextProperty WHERE context_id IN (SELECT value FROM json_each(?))",
        ] {
            try connection.run(sql, [list])
        }
        counts.contexts = try connection.run("DELETE FROM Context WHERE id IN (SELECT value FROM json_each(?))", [list])
        return counts
    }

    /// Deletes artifacts with their properties, attributions and events.
    @discardableResult
    func deleteArtifacts(_ ids: [Int64]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let list = Self.list(ids)
        for sql in [
            "DELETE FROM EventPath WHERE event_id IN (SELECT id FROM Event WHERE artifact_id IN (SELECT value FROM json_each(?)))",
            "DELETE FROM Event WHERE artifact_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM Attribution WHERE artifact_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM ArtifactProperty WHERE artifact_id IN (SELECT value FROM json_each(?))",
        ] {
            try connection.run(sql, [list])
        }
        return try connection.run("DELETE FROM Artifact WHERE id IN (SELECT value FROM json_each(?))", [list])
    }

    /// Deletes executions with their properties, associations and events.
    @discardableResult
    func deleteExecutions(_ ids: [Int64]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let list = Self.list(ids)
        for sql in [
            "DELETE FROM EventPath WHERE event_id IN (SELECT id FROM Event WHERE execution_id IN (SELECT value FROM json_each(?)))",
            "DELETE FROM Event WHERE execution_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM Association WHERE execution_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM ExecutionProperty WHERE execution_id IN (SELECT value FROM json_each(?))",
        ] {
            try connection.run(sql, [list])
        }
        return try connection.run("DELETE FROM Execution WHERE id IN (SELECT value FROM json_each(?))", [list])
    }
}
