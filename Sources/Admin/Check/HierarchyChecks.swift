import MLMD
import Registry

/// Parent/child invariants and the stored-name prefixes that encode them:
/// - model versions, inference services and experiment runs have exactly one parent context of
///   their parent's type, their parent-id property names it, and their name starts `<parentId>:`;
/// - serve models are associated with exactly one inference service and named `<serviceId>:…`;
/// - metric-history rows are attributed to exactly one run and named `<runId>:<metric>__<ms>`;
/// - other artifacts are named `<prefix>:<name>`, and a numeric prefix naming an existing
///   context means the artifact is attributed to that context.
enum HierarchyChecks {
    static func run(_ scope: CheckScope) throws {
        for kind in EntityKind.all {
            guard let parentField = kind.parentField, let field = kind.field(parentField),
                  let parentTypeName = field.references, let parentKind = EntityKind.named(parentTypeName),
                  let (property, _) = CheckScope.propertyName(of: field) else { continue }
            try contextParents(scope, kind: kind, parentKind: parentKind, property: property)
        }
        try serveModels(scope)
        try metricHistory(scope)
        try artifactPrefixes(scope)
    }

    private static func contextParents(_ scope: CheckScope, kind: EntityKind, parentKind: EntityKind, property: String) throws {
        let parentType = scope.typeID(parentKind)
        try scope.connection.query("""
            SELECT c.id, c.name,
              (SELECT COUNT(*) FROM ParentContext pc WHERE pc.context_id = c.id),
              (SELECT COUNT(*) FROM ParentContext pc JOIN Context p ON p.id = pc.parent_context_id
                 WHERE pc.context_id = c.id AND p.type_id = ?2),
              (SELECT MIN(pc.parent_context_id) FROM ParentContext pc JOIN Context p ON p.id = pc.parent_context_id
                 WHERE pc.context_id = c.id AND p.type_id = ?2),
              (SELECT COALESCE(cp.int_value, CAST(cp.string_value AS INTEGER)) FROM ContextProperty cp
                 WHERE cp.context_id = c.id AND cp.name = ?3 AND cp.is_custom_property = 0)
            FROM Context c WHERE c.type_id = ?1 ORDER BY c.id
            """, [.integer(scope.typeID(kind)), .integer(parentType), .text(property)]) { row in
            let id = row.int64(0)
            let name = row.string(1)
            let allParents = row.int64(2)
            let typedParents = row.int64(3)
            let parent = row.optionalInt64(4)
            let declared = row.optionalInt64(5)
            let subject = CheckScope.describe(kind, id: id, storedName: name)
            if typedParents == 0 {
                scope.add("hierarchy", "\(subject) has no parent \(parentKind.displayName)")
            } else if typedParents > 1 {
                scope.add("hierarchy", "\(subject) has \(typedParents) parent \(parentKind.displayName)s; expected exactly one")
            }
            if allParents > typedParents {
                scope.add("hierarchy", "\(subject) has \(allParents - typedParents) parent context(s) that are not \(parentKind.displayName)s")
            }
            if let parent {
                if declared != parent {
                    scope.add("hierarchy", "\(subject): \(property) is \(declared.map(String.init) ?? "missing") but its parent \(parentKind.displayName) is \(parent)")
                }
                if !name.hasPrefix("\(parent):") {
                    scope.add("hierarchy", "\(subject): the name does not start with its parent's id \"\(parent):\"")
                }
            }
        }
    }

    private static func serveModels(_ scope: CheckScope) throws {
        let kind = EntityKind.serveModel
        let ownerKind = EntityKind.inferenceService
        try scope.connection.query("""
            SELECT e.id, e.name, COUNT(p.id), MIN(p.id)
            FROM Execution e
            LEFT JOIN Association a ON a.execution_id = e.id
            LEFT JOIN Context p ON p.id = a.context_id AND p.type_id = ?2
            WHERE e.type_id = ?1 GROUP BY e.id ORDER BY e.id
            """, [.integer(scope.typeID(kind)), .integer(scope.typeID(ownerKind))]) { row in
            ownedNode(scope, kind: kind, ownerKind: ownerKind, id: row.int64(0), name: row.optionalString(1),
                          owners: row.int64(2), owner: row.optionalInt64(3), link: "associated with")
        }
    }

    private static func metricHistory(_ scope: CheckScope) throws {
        let kind = EntityKind.metricHistory
        let ownerKind = EntityKind.experimentRun
        try scope.connection.query("""
            SELECT e.id, e.name, COUNT(p.id), MIN(p.id)
            FROM Artifact e
            LEFT JOIN Attribution a ON a.artifact_id = e.id
            LEFT JOIN Context p ON p.id = a.context_id AND p.type_id = ?2
            WHERE e.type_id = ?1 GROUP BY e.id ORDER BY e.id
            """, [.integer(scope.typeID(kind)), .integer(scope.typeID(ownerKind))]) { row in
            let id = row.int64(0)
            let name = row.optionalString(1)
            ownedNode(scope, kind: kind, ownerKind: ownerKind, id: id, name: name,
                          owners: row.int64(2), owner: row.optionalInt64(3), link: "attributed to")
            if let name, !hasHistorySuffix(name) {
                scope.add("hierarchy", "\(CheckScope.describe(kind, id: id, storedName: name)): the name does not end in \"__<milliseconds>\"")
            }
        }
    }

    static func hasHistorySuffix(_ name: String) -> Bool {
        guard let separator = name.range(of: "__", options: .backwards) else { return false }
        let digits = name[separator.upperBound...]
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }

    private static func ownedNode(_ scope: CheckScope, kind: EntityKind, ownerKind: EntityKind, id: Int64, name: String?,
                                  owners: Int64, owner: Int64?, link: String) {
        let subject = CheckScope.describe(kind, id: id, storedName: name)
        if owners != 1 {
            scope.add("hierarchy", "\(subject) is \(link) \(owners) \(ownerKind.displayName)s; expected exactly one")
        }
        if let owner, let name, !name.hasPrefix("\(owner):") {
            scope.add("hierarchy", "\(subject): the name does not start with its \(ownerKind.displayName)'s id \"\(owner):\"")
        }
    }

    private static func artifactPrefixes(_ scope: CheckScope) throws {
        let kinds = EntityKind.publicArtifacts
        var kindByType: [Int64: EntityKind] = [:]
        for kind in kinds { kindByType[scope.typeID(kind)] = kind }
        let typeList = kinds.map { String(scope.typeID($0)) }.joined(separator: ", ")
        try scope.connection.query("""
            SELECT a.id, a.type_id, a.name FROM Artifact a WHERE a.type_id IN (\(typeList)) ORDER BY a.id
            """) { row in
            let id = row.int64(0)
            guard let kind = kindByType[row.int64(1)] else { return }
            let name = row.optionalString(2)
            let subject = CheckScope.describe(kind, id: id, storedName: name)
            guard let name, let colon = name.firstIndex(of: ":"), colon != name.startIndex else {
                scope.add("hierarchy", "\(subject): the stored name has no \"<owner>:\" prefix")
                return
            }
            let prefixText = name[..<colon]
            guard prefixText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let prefix = Int64(prefixText) else { return }
            let ownerExists = try scope.connection.scalarInt("SELECT COUNT(*) FROM Context WHERE id = ?", [.integer(prefix)]) ?? 0
            guard ownerExists > 0 else { return }
            let attributed = try scope.connection.scalarInt(
                "SELECT COUNT(*) FROM Attribution WHERE context_id = ? AND artifact_id = ?", [.integer(prefix), .integer(id)]) ?? 0
            if attributed == 0 {
                scope.add("hierarchy", "\(subject) is named after context \(prefix) but is not attributed to it")
            }
        }
    }
}
