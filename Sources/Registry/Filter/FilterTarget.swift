/// Describes one REST entity for filter compilation: which MLMD table holds its rows, the
/// alias of that row in the caller's query, whether its names carry a `"<parentId>:"` prefix,
/// and where each well-known (allow-listed, §10.2) REST property is stored. Names not in
/// `fields` are custom properties.
public struct FilterTarget: Sendable {
    public enum Entity: String, Sendable {
        case context = "Context"
        case artifact = "Artifact"
        case execution = "Execution"

        public var table: String { rawValue }
        public var propertyTable: String { rawValue + "Property" }
        /// The property table's column referring to the entity row.
        public var propertyForeignKey: String {
            switch self {
            case .context: return "context_id"
            case .artifact: return "artifact_id"
            case .execution: return "execution_id"
            }
        }
    }

    /// The REST entity name, e.g. "ModelVersion" (diagnostics only).
    public let restName: String
    public let entity: Entity
    /// Alias of the entity row in the outer query (`FROM Context e WHERE <filter>`).
    public let alias: String
    /// Child entities store `name` as `"<parentId>:<name>"`.
    public let prefixedNames: Bool
    public let fields: [String: FilterField]

    public var table: String { entity.table }
    public var propertyTable: String { entity.propertyTable }
    public var propertyForeignKey: String { entity.propertyForeignKey }

    /// The alias and column names are spliced into SQL, so they must be plain identifiers;
    /// `p` is reserved for the property subqueries.
    public init(restName: String, entity: Entity, alias: String = "e", prefixedNames: Bool,
                fields: [String: FilterField]) {
        precondition(Self.isIdentifier(alias) && alias != "p", "invalid filter alias \(alias)")
        for field in fields.values {
            if case .column(let column, _) = field {
                precondition(Self.isIdentifier(column), "invalid filter column \(column)")
            }
        }
        self.restName = restName
        self.entity = entity
        self.alias = alias
        self.prefixedNames = prefixedNames
        self.fields = fields
    }

    /// The same target for a query that names the entity row differently.
    public func aliased(_ alias: String) -> FilterTarget {
        FilterTarget(restName: restName, entity: entity, alias: alias,
                     prefixedNames: prefixedNames, fields: fields)
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !(first >= "0" && first <= "9") else { return false }
        return text.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_"
        }
    }
}

/// Where a well-known REST property lives.
public enum FilterField: Equatable, Sendable {
    /// A column of the entity row.
    case column(String, FilterColumnKind)
    /// A row in the property table with this `name`; `custom` is its `is_custom_property`.
    case property(String, FilterPropertyKind, custom: Bool)
}

/// How a filter value is compared with an entity column.
public enum FilterColumnKind: Equatable, Sendable {
    case integer
    case text
    /// `name`: for child entities, comparisons see the name without its parent prefix.
    case name
    /// Integer `Artifact.state`; filters use the ArtifactState names.
    case artifactState
    /// Integer `Execution.last_known_state`; filters use the ExecutionState names.
    case executionState
}

/// The value column of a property row and how a filter value is compared with it.
public enum FilterPropertyKind: Equatable, Sendable {
    case int
    case double
    case string
    case bool
    /// An integer stored as decimal text in `string_value` (upstream writes run start/end
    /// times and metric timestamps this way); numeric values compare numerically.
    case integerString

    public var column: String {
        switch self {
        case .int: return "int_value"
        case .double: return "double_value"
        case .string, .integerString: return "string_value"
        case .bool: return "bool_value"
        }
    }

    init(_ suffix: FilterValueType) {
        switch suffix {
        case .intValue: self = .int
        case .doubleValue: self = .double
        case .stringValue: self = .string
        case .boolValue: self = .bool
        }
    }
}

/// MLMD integer codes of the state enums (§5).
enum FilterStateCodes {
    static let artifact = ["UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED",
                           "ABANDONED", "REFERENCE"]
    static let execution = ["UNKNOWN", "NEW", "RUNNING", "COMPLETE", "FAILED", "CACHED", "CANCELED"]
}
