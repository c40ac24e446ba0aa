import MLMD
import Registry

/// What every check gets: the connection (inside one read transaction), the collector and the
/// registry's type ids as stored.
struct CheckScope {
    let connection: Connection
    let problems: ProblemCollector
    /// Type id by name, for every type in the store (without version).
    let typeIDs: [String: Int64]
    let typeNames: [Int64: String]

    init(connection: Connection, problems: ProblemCollector) throws {
        self.connection = connection
        self.problems = problems
        var ids: [String: Int64] = [:]
        var names: [Int64: String] = [:]
        try connection.query("SELECT id, name FROM Type WHERE version IS NULL ORDER BY id") { row in
            let id = row.int64(0)
            let name = row.string(1)
            if ids[name] == nil { ids[name] = id }
            names[id] = name
        }
        typeIDs = ids
        typeNames = names
    }

    /// A scope for checks that need no type information (SQLite's integrity check).
    static func bare(_ connection: Connection, _ problems: ProblemCollector) -> CheckScope {
        CheckScope(connection: connection, problems: problems, typeIDs: [:], typeNames: [:])
    }

    private init(connection: Connection, problems: ProblemCollector, typeIDs: [String: Int64], typeNames: [Int64: String]) {
        self.connection = connection
        self.problems = problems
        self.typeIDs = typeIDs
        self.typeNames = typeNames
    }

    /// The id of a kind's type, or -1 (matches nothing) when it is not registered.
    func typeID(_ kind: EntityKind) -> Int64 { typeIDs[kind.typeName] ?? -1 }

    func add(_ check: String, _ message: String) { problems.add(check, message) }

    /// `model version 12 "3:v1"`.
    static func describe(_ kind: EntityKind, id: Int64, storedName: String?) -> String {
        "\(kind.displayName) \(id)" + (storedName.map { " \"\($0)\"" } ?? "")
    }

    static func dataTypeName(_ code: Int64?) -> String {
        guard let code else { return "undeclared" }
        switch PropertyDataType(rawValue: code) {
        case .unknown?: return "UNKNOWN"
        case .int?: return "INT"
        case .double?: return "DOUBLE"
        case .string?: return "STRING"
        case .struct?: return "STRUCT"
        case .proto?: return "PROTO"
        case .boolean?: return "BOOLEAN"
        case nil: return "type \(code)"
        }
    }

    /// The property name of a field stored as a typed or custom property row.
    static func propertyName(of field: FieldSpec) -> (name: String, custom: Bool)? {
        switch field.storage {
        case .property(let name, _): return (name, false)
        case .customProperty(let name): return (name, true)
        case .uriColumn, .stateColumn: return nil
        }
    }
}
