import MLMD
import Registry

/// Id-valued fields that name another entity point at an existing entity of the right type:
/// an inference service's model and version, a serve model's version, an artifact's experiment
/// and run. (Parent ids are covered by the hierarchy check.)
enum ReferenceChecks {
    /// The entity an id field refers to, for fields whose descriptor does not say (the run
    /// links the API shows on artifacts).
    static let implicitReferences: [String: String] = [
        "experimentId": EntityKind.experiment.typeName,
        "experimentRunId": EntityKind.experimentRun.typeName,
    ]

    static func referencedKind(of field: FieldSpec) -> EntityKind? {
        guard case .id = field.type else { return nil }
        return (field.references ?? implicitReferences[field.json]).flatMap(EntityKind.named)
    }

    static func run(_ scope: CheckScope) throws {
        for kind in EntityKind.all {
            for field in kind.fields where field.json != kind.parentField {
                guard let target = referencedKind(of: field), let (property, custom) = CheckScope.propertyName(of: field) else {
                    continue
                }
                let node = kind.node
                try scope.connection.query("""
                    SELECT n.id, n.name, p.int_value FROM \(node.table) n
                    JOIN \(node.propertyTable) p ON p.\(node.propertyOwnerColumn) = n.id AND p.name = ?1 AND p.is_custom_property = ?2
                    WHERE n.type_id = ?3
                      AND NOT EXISTS (SELECT 1 FROM \(target.node.table) t WHERE t.id = p.int_value AND t.type_id = ?4)
                    ORDER BY n.id
                    """, [.text(property), .integer(custom ? 1 : 0), .integer(scope.typeID(kind)), .integer(scope.typeID(target))]) { row in
                    let subject = CheckScope.describe(kind, id: row.int64(0), storedName: row.optionalString(1))
                    if let value = row.optionalInt64(2) {
                        scope.add("references", "\(subject): \(field.json) \(value) is not an existing \(target.displayName)")
                    } else {
                        scope.add("references", "\(subject): \(field.json) has no integer value")
                    }
                }
            }
        }
    }
}
