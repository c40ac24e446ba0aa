/// Rows of `ContextProperty`, `ArtifactProperty` and `ExecutionProperty`.
extension MetadataStore {
    /// All properties of the given nodes, grouped by node id, typed ones and custom ones.
    public func properties(_ kind: NodeKind, of ids: [Int64]) throws -> [Int64: [PropertyRow]] {
        guard !ids.isEmpty else { return [:] }
        var result: [Int64: [PropertyRow]] = [:]
        let sql: String
        let bindings: [SQLValue]
        if ids.count == 1 {
            sql = "SELECT \(kind.propertyOwnerColumn), name, is_custom_property, int_value, double_value, string_value, byte_value, proto_value, bool_value FROM \(kind.propertyTable) WHERE \(kind.propertyOwnerColumn) = ?"
            bindings = [.integer(ids[0])]
        } else {
            // One statement text per page: ids travel as a JSON array, not as spliced SQL.
            sql = "SELECT \(kind.propertyOwnerColumn), name, is_custom_property, int_value, double_value, string_value, byte_value, proto_value, bool_value FROM \(kind.propertyTable) WHERE \(kind.propertyOwnerColumn) IN (SELECT value FROM json_each(?))"
            bindings = [.text("[" + ids.map(String.init).joined(separator: ",") + "]")]
        }
        try connection.query(sql, bindings) { row in
            guard let value = Self.readPropertyValue(row) else { return }
            result[row.int64(0), default: []].append(PropertyRow(name: row.string(1), isCustom: row.int64(2) != 0, value: value))
        }
        return result
    }

    /// Decodes the value columns in MLMD's order; a row with no value set has none.
    static func readPropertyValue(_ row: Statement) -> PropertyValue? {
        if let v = row.optionalInt64(3) { return .int(v) }
        if let v = row.optionalDouble(4) { return .double(v) }
        if let v = row.optionalString(5) { return .string(v) }
        if let v = row.blob(6) { return .bytes(v) }
        if let v = row.blob(7) { return .proto(v) }
        if let v = row.optionalInt64(8) { return .bool(v != 0) }
        return nil
    }

    /// Inserts or replaces one property row.
    public func setProperty(_ kind: NodeKind, owner id: Int64, _ property: PropertyRow) throws {
        var values: [SQLValue] = [.null, .null, .null, .null, .null, .null]
        switch property.value {
        case .int(let v): values[0] = .integer(v)
        case .double(let v): values[1] = .double(v)
        case .string(let v): values[2] = .text(v)
        case .bytes(let v): values[3] = .blob(v)
        case .proto(let v): values[4] = .blob(v)
        case .bool(let v): values[5] = .integer(v ? 1 : 0)
        }
        try connection.run("""
            INSERT OR REPLACE INTO \(kind.propertyTable)
              (\(kind.propertyOwnerColumn), name, is_custom_property, int_value, double_value, string_value, byte_value, proto_value, bool_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(id), .text(property.name), .integer(property.isCustom ? 1 : 0)] + values)
    }

    public func deleteProperty(_ kind: NodeKind, owner id: Int64, name: String, isCustom: Bool) throws {
        try connection.run("DELETE FROM \(kind.propertyTable) WHERE \(kind.propertyOwnerColumn) = ? AND name = ? AND is_custom_property = ?",
                           [.integer(id), .text(name), .integer(isCustom ? 1 : 0)])
    }

    /// Replaces the node's custom properties with exactly `properties`.
    public func replaceCustomProperties(_ kind: NodeKind, owner id: Int64, with properties: [PropertyRow]) throws {
        try connection.run("DELETE FROM \(kind.propertyTable) WHERE \(kind.propertyOwnerColumn) = ? AND is_custom_property = 1",
                           [.integer(id)])
        for property in properties {
            try setProperty(kind, owner: id, PropertyRow(name: property.name, isCustom: true, value: property.value))
        }
    }
}
