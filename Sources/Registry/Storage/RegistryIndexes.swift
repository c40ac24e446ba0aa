import MLMD

/// Indexes the registry adds on top of ML-Metadata's schema, which `MLMDSchema.statements`
/// keeps exactly as ml-metadata 1.17.1 creates it. Each one serves a query the API issues that
/// ml-metadata's indexes leave to a table scan or a sort of every row of a type; without them a
/// page of model versions takes 250 ms instead of 0.3 ms at 1M versions (Docs/performance.md).
/// `RegistryService.prepareStore` creates them (`IF NOT EXISTS`, so on an existing store the
/// first start builds them once). ml-metadata ignores indexes it does not know, and
/// `tests/e2e/test_mlmd_interop.py` checks that its own schema stays a subset of ours.
public enum RegistryIndexes {
    /// (name, DDL) in creation order.
    public static let all: [(name: String, sql: String)] = nodeIndexes + linkIndexes + propertyIndexes

    public static var names: [String] { all.map(\.name) }

    /// Lists: `WHERE type_id IN (…) ORDER BY <id | create time | update time>, id LIMIT n`, with
    /// page tokens as a range on the same columns. An index's entries end with the rowid (the
    /// node id), so `(type_id)` is ordered by id within a type and `(type_id, time)` by time,
    /// then id: a page is a range scan instead of a sort of every node of the type.
    private static let nodeIndexes: [(name: String, sql: String)] = NodeKind.allKinds.flatMap { kind in
        let table = kind.table
        let lower = table.lowercased()
        return [
            ("idx_mr_\(lower)_type", "CREATE INDEX IF NOT EXISTS `idx_mr_\(lower)_type` ON `\(table)`(`type_id`)"),
            ("idx_mr_\(lower)_type_create_time",
             "CREATE INDEX IF NOT EXISTS `idx_mr_\(lower)_type_create_time` ON `\(table)`(`type_id`, `create_time_since_epoch`)"),
            ("idx_mr_\(lower)_type_update_time",
             "CREATE INDEX IF NOT EXISTS `idx_mr_\(lower)_type_update_time` ON `\(table)`(`type_id`, `last_update_time_since_epoch`)"),
        ]
    }

    /// The links from the child's side: the contexts an artifact is attributed to and the
    /// contexts an execution is associated with (ml-metadata indexes them from the context's
    /// side only, through the UNIQUE(context_id, …) constraints).
    private static let linkIndexes: [(name: String, sql: String)] = [
        ("idx_mr_attribution_artifact", "CREATE INDEX IF NOT EXISTS `idx_mr_attribution_artifact` ON `Attribution`(`artifact_id`)"),
        ("idx_mr_association_execution", "CREATE INDEX IF NOT EXISTS `idx_mr_association_execution` ON `Association`(`execution_id`)"),
    ]

    /// filterQuery on a property value: `(name, value, owner id)` finds the nodes with a value
    /// in node-id order without touching the property table, so a filtered page is a range
    /// scan joined to the node (`RegistryService.list`), whether the value matches 10% of the
    /// nodes or 100 of a million. ml-metadata's own property indexes start with
    /// `is_custom_property` and end without the owner id, so they can do neither.
    private static let propertyIndexes: [(name: String, sql: String)] = NodeKind.allKinds.flatMap { kind in
        let table = kind.propertyTable
        let owner = kind.propertyOwnerColumn
        let lower = kind.table.lowercased()
        return ["int_value", "double_value", "string_value"].map { column in
            let name = "idx_mr_\(lower)_property_\(column.dropLast(6))_owner"
            return (name, "CREATE INDEX IF NOT EXISTS `\(name)` ON `\(table)`(`name`, `\(column)`, `\(owner)`) WHERE `\(column)` IS NOT NULL")
        }
    }
}
