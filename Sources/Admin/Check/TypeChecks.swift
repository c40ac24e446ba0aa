import MLMD
import Registry

/// The registry's `kf.*` types: registered, of the right kind, with every property the registry
/// writes declared as the type it writes; and every node's type exists and fits its table.
enum TypeChecks {
    static func run(_ scope: CheckScope) throws {
        let connection = scope.connection
        for kind in EntityKind.all {
            let rows = try connection.all("SELECT id, type_kind FROM Type WHERE name = ? AND version IS NULL",
                                          [.text(kind.typeName)]) { ($0.int64(0), $0.int64(1)) }
            guard let (typeID, typeKind) = rows.first else {
                scope.add("types", "type \(kind.typeName) is not registered (run `model-registry migrate`)")
                continue
            }
            if rows.count > 1 {
                scope.add("types", "type \(kind.typeName) is registered \(rows.count) times")
            }
            if typeKind != kind.node.typeKind.rawValue {
                scope.add("types", "type \(kind.typeName) has type_kind \(typeKind); the registry stores it as \(kind.node.typeKind.rawValue) (\(kind.node.table))")
            }
            var declared: [String: Int64?] = [:]
            try connection.query("SELECT name, data_type FROM TypeProperty WHERE type_id = ?", [.integer(typeID)]) { row in
                declared[row.string(0)] = row.optionalInt64(1)
            }
            for property in kind.typeDefinition.properties {
                guard let stored = declared[property.name] else {
                    scope.add("types", "\(kind.typeName).\(property.name) is not declared (run `model-registry migrate`)")
                    continue
                }
                if stored != property.type.rawValue {
                    scope.add("types", "\(kind.typeName).\(property.name) is declared \(CheckScope.dataTypeName(stored)); the registry writes it as \(CheckScope.dataTypeName(property.type.rawValue))")
                }
            }
        }
        for node in [NodeKind.context, .artifact, .execution] {
            try connection.query("""
                SELECT n.type_id, t.type_kind, COUNT(*) FROM \(node.table) n LEFT JOIN Type t ON t.id = n.type_id
                WHERE t.id IS NULL OR t.type_kind <> ? GROUP BY n.type_id, t.type_kind ORDER BY n.type_id
                """, [.integer(node.typeKind.rawValue)]) { row in
                let typeID = row.int64(0)
                let count = row.int64(2)
                if let typeKind = row.optionalInt64(1) {
                    scope.add("types", "\(count) \(node.table) row(s) have type \(scope.typeNames[typeID] ?? String(typeID)), whose type_kind \(typeKind) is not \(node.table)'s (\(node.typeKind.rawValue))")
                } else {
                    scope.add("types", "\(count) \(node.table) row(s) have type_id \(typeID), which does not exist")
                }
            }
        }
    }
}
