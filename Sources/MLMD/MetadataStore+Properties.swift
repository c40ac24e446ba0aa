/// Rows of `ContextProperty`, `ArtifactProperty` and `ExecutionProperty`.
extension MetadataStore {
    /// All properties of the given nodes, grouped by node id, typed ones and custom ones.
    public func properties(_ kind: NodeKind, of ids: [Int64]) throws -> [Int64: [PropertyRow]] {
        guard !ids.isEmpty else { return [:] }
        let sql: String
        let bindings: [SQLValue]
        if ids.count == 1 {
            sql = Self.selectPropertiesOfOne[kind.index]
            bindings = [.integer(ids[0])]
        } else {
            // One statement text per page: ids travel as a JSON array, not as spliced SQL.
            sql = Self.selectPropertiesOfMany[kind.index]
            bindings = [.text("[" + ids.map(String.init).joined(separator: ",") + "]")]
        }
        if ids.count == 1 {
            // A point read: one owner, no grouping.
            var rows: [PropertyRow] = []
            try connection.query(sql, bindings) { row in
                guard let value = Self.readPropertyValue(row) else { return }
                rows.append(PropertyRow(name: row.string(1), isCustom: row.int64(2) != 0, value: value))
            }
            return rows.isEmpty ? [:] : [ids[0]: rows]
        }
        // Sized for the page up front: grown one owner at a time it was rebuilt ~7 times a page.
        var result = [Int64: [PropertyRow]](minimumCapacity: ids.count)
        try connection.query(sql, bindings) { row in
            guard let value = Self.readPropertyValue(row) else { return }
            result[row.int64(0), default: []].append(PropertyRow(name: row.string(1), isCustom: row.int64(2) != 0, value: value))
        }
        return result
    }

    private static func selectProperties(_ kind: NodeKind) -> String {
        "SELECT \(kind.propertyOwnerColumn), name, is_custom_property, int_value, double_value, string_value, byte_value, proto_value, bool_value FROM \(kind.propertyTable)"
    }
    /// Built once per node kind (see `selectNodeByID`).
    private static let selectPropertiesOfOne: [String] = NodeKind.allKinds.map {
        selectProperties($0) + " WHERE \($0.propertyOwnerColumn) = ?"
    }
    private static let selectPropertiesOfMany: [String] = NodeKind.allKinds.map {
        selectProperties($0) + " WHERE \($0.propertyOwnerColumn) IN (SELECT value FROM json_each(?))"
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

    /// The six value columns of a row holding `value`, in table order.
    private static func valueColumns(_ value: PropertyValue) -> [SQLValue] {
        var values: [SQLValue] = [.null, .null, .null, .null, .null, .null]
        switch value {
        case .int(let v): values[0] = .integer(v)
        case .double(let v): values[1] = .double(v)
        case .string(let v): values[2] = .text(v)
        case .bytes(let v): values[3] = .blob(v)
        case .proto(let v): values[4] = .blob(v)
        case .bool(let v): values[5] = .integer(v ? 1 : 0)
        }
        return values
    }

    /// Inserts or replaces one property row.
    public func setProperty(_ kind: NodeKind, owner id: Int64, _ property: PropertyRow) throws {
        try connection.run(Self.insertProperty[kind.index],
                           [.integer(id), .text(property.name), .integer(property.isCustom ? 1 : 0)] + Self.valueColumns(property.value))
    }

    /// The property statements, built once per node kind: a create writes several properties,
    /// and building (and hashing) each text per row showed in the profile of every write.
    private static let insertProperty: [String] = NodeKind.allKinds.map { kind in
        """
        INSERT OR REPLACE INTO \(kind.propertyTable)
          (\(kind.propertyOwnerColumn), name, is_custom_property, int_value, double_value, string_value, byte_value, proto_value, bool_value)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    }
    private static let insertChangedProperty: [String] = NodeKind.allKinds.map { kind in
        """
        INSERT OR REPLACE INTO \(kind.propertyTable)
          (\(kind.propertyOwnerColumn), name, is_custom_property, int_value, double_value, string_value, byte_value, proto_value, bool_value)
        SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM \(kind.propertyTable)
          WHERE \(kind.propertyOwnerColumn) = ? AND name = ? AND is_custom_property = ? AND int_value IS ?
          AND double_value IS ? AND string_value IS ? AND byte_value IS ? AND proto_value IS ? AND bool_value IS ?)
        """
    }
    private static let deletePropertyRow: [String] = NodeKind.allKinds.map { kind in
        "DELETE FROM \(kind.propertyTable) WHERE \(kind.propertyOwnerColumn) = ? AND name = ? AND is_custom_property = ?"
    }

    /// `setProperty`, except that a row already stored with exactly these column values is left
    /// untouched. A property row sits in up to four B-trees (the table, its primary key, an
    /// ml-metadata value index and a registry one), so rewriting an unchanged row dirties pages
    /// that the commit must then write and fsync: an update resending a version's custom
    /// properties wrote twice the pages it needed to.
    public func setPropertyIfChanged(_ kind: NodeKind, owner id: Int64, _ property: PropertyRow) throws {
        let values = Self.valueColumns(property.value)
        let key: [SQLValue] = [.integer(id), .text(property.name), .integer(property.isCustom ? 1 : 0)]
        try connection.run(Self.insertChangedProperty[kind.index], key + values + key + values)
    }

    public func deleteProperty(_ kind: NodeKind, owner id: Int64, name: String, isCustom: Bool) throws {
        try connection.run(Self.deletePropertyRow[kind.index], [.integer(id), .text(name), .integer(isCustom ? 1 : 0)])
    }

    /// Replaces the node's custom properties with exactly `properties` (for a name given twice,
    /// the last). Only rows that change are written (see `setPropertyIfChanged`).
    public func replaceCustomProperties(_ kind: NodeKind, owner id: Int64, with properties: [PropertyRow]) throws {
        // Names compare as SQLite does (bytes), not as Swift Strings (canonical equivalence).
        var wanted: [PropertyRow] = []
        for property in properties.reversed() where !wanted.contains(where: { $0.name.utf8.elementsEqual(property.name.utf8) }) {
            wanted.append(property)
        }
        var delete = "DELETE FROM \(kind.propertyTable) WHERE \(kind.propertyOwnerColumn) = ? AND is_custom_property = 1"
        if !wanted.isEmpty {
            delete += " AND name NOT IN (\(Array(repeating: "?", count: wanted.count).joined(separator: ", ")))"
        }
        try connection.run(delete, [.integer(id)] + wanted.map { .text($0.name) })
        for property in wanted.reversed() {
            try setPropertyIfChanged(kind, owner: id, PropertyRow(name: property.name, isCustom: true, value: property.value))
        }
    }
}
