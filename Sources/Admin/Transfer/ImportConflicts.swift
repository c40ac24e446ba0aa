import MLMD
import Registry

/// What `import` does when a record's name or external id is already taken in the target store
/// (or earlier in the same file). Only top-level entities (registered models, serving
/// environments, experiments) have names unique store-wide; external ids are unique per MLMD
/// table. Children get new parents, so their names cannot clash.
public enum ConflictPolicy: String, CaseIterable, Sendable {
    /// Import nothing if any record clashes (checked before the first write).
    case fail
    /// Leave the clashing record out, and everything that belongs to or refers to it.
    case skip
    /// Import it under a new name (`<name>-imported`, `-imported-2`, …); a clashing external id
    /// gets the same suffix.
    case rename

    public init(argument: String) throws {
        guard let policy = ConflictPolicy(rawValue: argument) else {
            throw AdminError.usage("--on-conflict must be one of \(ConflictPolicy.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(argument)\"")
        }
        self = policy
    }

    /// The n-th alternative for a taken name or external id.
    static func renamed(_ value: String, attempt: Int) -> String {
        attempt <= 1 ? "\(value)-imported" : "\(value)-imported-\(attempt)"
    }
}

/// Looks up whether a name or external id is taken in a store.
final class ConflictProbe {
    let connection: Connection
    private var typeIDs: [RecordKind: Int64?] = [:]

    init(connection: Connection) {
        self.connection = connection
    }

    func nameTaken(_ kind: RecordKind, _ name: String) throws -> Bool {
        guard kind.isTopLevel else { return false }
        let typeID: Int64?
        if let cached = typeIDs[kind] {
            typeID = cached
        } else {
            typeID = try EntityCounts.typeID(connection, kind.entityKind)
            typeIDs[kind] = typeID
        }
        guard let typeID else { return false }
        return try connection.scalarInt("SELECT COUNT(*) FROM \(kind.entityKind.node.table) WHERE type_id = ? AND name = ?",
                                        [.integer(typeID), .text(name)]) ?? 0 > 0
    }

    func externalIDTaken(_ kind: RecordKind, _ externalID: String) throws -> Bool {
        try connection.scalarInt("SELECT COUNT(*) FROM \(kind.entityKind.node.table) WHERE external_id = ?",
                                 [.text(externalID)]) ?? 0 > 0
    }
}
