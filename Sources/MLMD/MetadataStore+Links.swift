/// The link tables: ParentContext, Attribution and Association. Links are insert-if-absent.
extension MetadataStore {
    public func addParentContext(child: Int64, parent: Int64) throws {
        try connection.run("INSERT OR IGNORE INTO ParentContext(context_id, parent_context_id) VALUES (?, ?)",
                           [.integer(child), .integer(parent)])
    }

    public func parentContexts(of child: Int64) throws -> [Int64] {
        try connection.all("SELECT parent_context_id FROM ParentContext WHERE context_id = ? ORDER BY parent_context_id",
                           [.integer(child)]) { $0.int64(0) }
    }

    public func addAttribution(context: Int64, artifact: Int64) throws {
        try connection.run("INSERT OR IGNORE INTO Attribution(context_id, artifact_id) VALUES (?, ?)",
                           [.integer(context), .integer(artifact)])
    }

    public func attributedContexts(of artifact: Int64) throws -> [Int64] {
        try connection.all("SELECT context_id FROM Attribution WHERE artifact_id = ? ORDER BY context_id",
                           [.integer(artifact)]) { $0.int64(0) }
    }

    public func addAssociation(context: Int64, execution: Int64) throws {
        try connection.run("INSERT OR IGNORE INTO Association(context_id, execution_id) VALUES (?, ?)",
                           [.integer(context), .integer(execution)])
    }
}
