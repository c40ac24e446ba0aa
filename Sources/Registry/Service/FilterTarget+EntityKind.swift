import MLMD

extension FilterTarget {
    /// The filter target of a list over these kinds, derived from their field specs so that a
    /// filter sees every well-known field exactly where the registry stores it. For several
    /// kinds (all artifacts) the first kind that declares a field decides its storage.
    public static func forKinds(_ kinds: [EntityKind]) -> FilterTarget {
        let first = kinds[0]
        var fields: [String: FilterField] = [
            "id": .column("id", .integer),
            "name": .column("name", .name),
            "externalId": .column("external_id", .text),
            "createTimeSinceEpoch": .column("create_time_since_epoch", .integer),
            "lastUpdateTimeSinceEpoch": .column("last_update_time_since_epoch", .integer),
        ]
        for kind in kinds {
            for field in kind.fields where fields[field.json] == nil {
                if let filterField = filterField(for: field, node: kind.node) { fields[field.json] = filterField }
            }
        }
        let entity: FilterTarget.Entity
        switch first.node {
        case .context: entity = .context
        case .artifact: entity = .artifact
        case .execution: entity = .execution
        }
        return FilterTarget(restName: first.schemaName, entity: entity, prefixedNames: first.naming != .topLevel,
                            fields: fields)
    }

    private static func filterField(for field: FieldSpec, node: NodeKind) -> FilterField? {
        switch field.storage {
        case .uriColumn:
            return .column("uri", .text)
        case .stateColumn:
            return node == .execution ? .column("last_known_state", .executionState) : .column("state", .artifactState)
        case .customProperty(let name):
            return .property(name, .int, custom: true)
        case .property(let name, _):
            switch field.type {
            case .string, .enumeration: return .property(name, .string, custom: false)
            case .id, .int64String, .integer: return .property(name, .int, custom: false)
            case .numericString: return .property(name, .integerString, custom: false)
            case .double: return .property(name, .double, custom: false)
            case .stringList: return nil
            }
        }
    }
}
