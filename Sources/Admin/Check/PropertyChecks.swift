import MLMD

/// Property rows hold exactly one value, and a typed (non-custom) property is declared for its
/// node's type and stored in the column of its declared data type — what ml-metadata relies on
/// when it reads or updates the row.
enum PropertyChecks {
    static let valueColumns = ["int_value", "double_value", "string_value", "byte_value", "proto_value", "bool_value"]

    static func run(_ scope: CheckScope) throws {
        for node in [NodeKind.context, .artifact, .execution] {
            try check(scope, node: node)
        }
    }

    private static func check(_ scope: CheckScope, node: NodeKind) throws {
        let setCount = valueColumns.map { "(p.\($0) IS NOT NULL)" }.joined(separator: " + ")
        let matchesDeclared = """
            (tp.data_type = 1 AND p.int_value IS NOT NULL) OR (tp.data_type = 2 AND p.double_value IS NOT NULL) OR
            (tp.data_type = 3 AND p.string_value IS NOT NULL) OR
            (tp.data_type = 4 AND substr(p.string_value, 1, 13) = 'mlmd-struct::') OR
            (tp.data_type = 5 AND p.proto_value IS NOT NULL) OR (tp.data_type = 6 AND p.bool_value IS NOT NULL)
            """
        let flags = valueColumns.map { "p.\($0) IS NOT NULL" }.joined(separator: ", ")
        try scope.connection.query("""
            SELECT p.\(node.propertyOwnerColumn), t.name, p.name, p.is_custom_property, tp.type_id IS NOT NULL, tp.data_type,
                   \(setCount), \(flags)
            FROM \(node.propertyTable) p
            JOIN \(node.table) n ON n.id = p.\(node.propertyOwnerColumn)
            LEFT JOIN Type t ON t.id = n.type_id
            LEFT JOIN TypeProperty tp ON tp.type_id = n.type_id AND tp.name = p.name AND p.is_custom_property = 0
            WHERE \(setCount) <> 1
               OR (p.is_custom_property = 0 AND (tp.type_id IS NULL OR NOT (\(matchesDeclared))))
            ORDER BY p.\(node.propertyOwnerColumn), p.name
            """) { row in
            let owner = row.int64(0)
            let typeName = row.optionalString(1) ?? "unknown type"
            let name = row.string(2)
            let custom = row.int64(3) != 0
            let declared = row.int64(4) != 0
            let dataType = row.optionalInt64(5)
            let setCount = row.int64(6)
            let columns = valueColumns.enumerated().filter { row.int64(Int32(7 + $0.offset)) != 0 }.map(\.element)
            let subject = "\(node.table.lowercased()) \(owner) (\(typeName)) \(custom ? "custom property" : "property") \"\(name)\""
            if setCount != 1 {
                scope.add("properties", setCount == 0
                          ? "\(subject) has no value"
                          : "\(subject) sets \(setCount) value columns (\(columns.joined(separator: ", "))); expected one")
            } else if !custom && !declared {
                scope.add("properties", "\(subject) is not declared for its type")
            } else if !custom {
                let stored = columns.first ?? "nothing"
                let detail = dataType == 4 && stored == "string_value" ? "string_value without the mlmd-struct:: prefix" : stored
                scope.add("properties", "\(subject) is declared \(CheckScope.dataTypeName(dataType)) but stored in \(detail)")
            }
        }
    }
}
