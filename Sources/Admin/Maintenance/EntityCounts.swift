import MLMD
import Registry

/// Counts of registry entities per kind and per state-like field, from one connection.
enum EntityCounts {
    /// The fields reported as "state" breakdowns, in display order.
    static let stateFields = ["state", "desiredState", "lastKnownState", "status"]

    struct KindCount {
        var kind: EntityKind
        var total: Int64
        /// field → value → count; a missing value counts as "(unset)".
        var breakdown: [String: [String: Int64]]
    }

    /// The name a kind is reported under (metric history rows are kept apart from metrics).
    static func label(_ kind: EntityKind) -> String {
        kind == .metricHistory ? "MetricHistory" : kind.schemaName
    }

    static func totals(_ connection: Connection) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for kind in EntityKind.all {
            guard let typeID = try typeID(connection, kind) else { result[label(kind)] = 0; continue }
            result[label(kind)] = try connection.scalarInt("SELECT COUNT(*) FROM \(kind.node.table) WHERE type_id = ?",
                                                           [.integer(typeID)]) ?? 0
        }
        return result
    }

    static func detailed(_ connection: Connection) throws -> [KindCount] {
        var result: [KindCount] = []
        for kind in EntityKind.all {
            guard let typeID = try typeID(connection, kind) else {
                result.append(KindCount(kind: kind, total: 0, breakdown: [:]))
                continue
            }
            let node = kind.node
            let total = try connection.scalarInt("SELECT COUNT(*) FROM \(node.table) WHERE type_id = ?", [.integer(typeID)]) ?? 0
            var breakdown: [String: [String: Int64]] = [:]
            for name in stateFields {
                guard let field = kind.field(name), case .enumeration(_, let values) = field.type else { continue }
                var counts: [String: Int64] = [:]
                switch field.storage {
                case .stateColumn:
                    let column = node == .execution ? "last_known_state" : "state"
                    try connection.query("SELECT \(column), COUNT(*) FROM \(node.table) WHERE type_id = ? GROUP BY 1",
                                         [.integer(typeID)]) { row in
                        let code = row.optionalInt64(0)
                        let value = code.flatMap { $0 >= 0 && $0 < Int64(values.count) ? values[Int($0)] : "code \($0)" } ?? "(unset)"
                        counts[value, default: 0] += row.int64(1)
                    }
                case .property(let property, _):
                    try connection.query("""
                        SELECT p.string_value, COUNT(*) FROM \(node.table) n
                        LEFT JOIN \(node.propertyTable) p ON p.\(node.propertyOwnerColumn) = n.id AND p.name = ? AND p.is_custom_property = 0
                        WHERE n.type_id = ? GROUP BY 1
                        """, [.text(property), .integer(typeID)]) { row in
                        counts[row.optionalString(0) ?? "(unset)", default: 0] += row.int64(1)
                    }
                case .customProperty, .uriColumn:
                    continue
                }
                breakdown[name] = counts
            }
            result.append(KindCount(kind: kind, total: total, breakdown: breakdown))
        }
        return result
    }

    static func typeID(_ connection: Connection, _ kind: EntityKind) throws -> Int64? {
        try connection.scalarInt("SELECT id FROM Type WHERE name = ? AND version IS NULL", [.text(kind.typeName)])
    }
}
