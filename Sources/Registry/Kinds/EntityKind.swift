import MLMD

/// Describes how one REST field of an entity is validated and stored.
public struct FieldSpec: Sendable {
    public enum Storage: Sendable {
        /// A typed property row (`is_custom_property = 0`) declared with this data type.
        case property(String, PropertyDataType)
        /// A custom property row the API exposes as a top-level field (`experiment_id` on artifacts).
        case customProperty(String)
        /// `Artifact.uri`.
        case uriColumn
        /// `Artifact.state` or `Execution.last_known_state`: the enum's index is the stored integer.
        case stateColumn
    }

    public enum ValueType: Sendable {
        /// JSON string, stored as `string_value`.
        case string
        /// JSON string restricted to these values (stored as the string, or as its index for `.stateColumn`).
        case enumeration(name: String, values: [String])
        /// JSON string holding a positive 32-bit id, stored as `int_value`.
        case id
        /// JSON string holding a 64-bit integer (times in ms), stored as `int_value`.
        case int64String
        /// JSON string holding a 64-bit integer, stored as `string_value` (upstream's Metric timestamp).
        case numericString
        /// JSON integer, stored as `int_value`.
        case integer
        /// JSON number, stored as `double_value`.
        case double
        /// JSON array of strings, stored as an MLMD struct `{"<property>": [...]}`.
        case stringList
    }

    public enum Mutability: Sendable {
        /// Settable on create and update.
        case mutable
        /// Settable on create only (parent references).
        case createOnly
        /// Never accepted from clients; set by the server.
        case readOnly
    }

    public var json: String
    public var storage: Storage
    public var type: ValueType
    public var mutability: Mutability
    /// Applied on create when the body omits the field.
    public var defaultValue: FieldValue?
    public var required: Bool
    /// For id fields: the MLMD type name of the entity the id must point at.
    public var references: String?

    public init(_ json: String, _ storage: Storage, _ type: ValueType, _ mutability: Mutability = .mutable,
                default defaultValue: FieldValue? = nil, required: Bool = false, references: String? = nil) {
        self.json = json
        self.storage = storage
        self.type = type
        self.mutability = mutability
        self.defaultValue = defaultValue
        self.required = required
        self.references = references
    }
}

/// Describes one REST entity and its MLMD mapping: type, node table, fields, naming and parent.
public struct EntityKind: Sendable, Hashable, CustomStringConvertible {
    public enum Naming: Sendable {
        /// Stored verbatim and unique per type (registered models, experiments, …).
        case topLevel
        /// Stored as `"<value of parentField>:<name>"`.
        case prefixedByParent
        /// Stored as `"<owner id>:<name>"` when created under an owner, else `"<uuid>:<name>"`.
        case prefixedByOwner
    }

    /// The MLMD type name, e.g. `kf.RegisteredModel`.
    public let typeName: String
    /// Words used in messages, e.g. `registered model`.
    public let displayName: String
    /// The REST schema name, e.g. `RegisteredModel`.
    public let schemaName: String
    public let node: NodeKind
    public let fields: [FieldSpec]
    /// Declared in MLMD for compatibility with upstream but not written by us.
    public let otherDeclaredProperties: [(String, PropertyDataType)]
    /// The REST `artifactType` discriminator for artifact kinds.
    public let artifactType: String?
    public let naming: Naming
    /// The id field naming the parent, linked with ParentContext (e.g. `registeredModelId`).
    public let parentField: String?
    /// True when the `name` is required on create.
    public let nameRequired: Bool

    public init(typeName: String, displayName: String, schemaName: String, node: NodeKind, fields: [FieldSpec],
                otherDeclaredProperties: [(String, PropertyDataType)] = [], artifactType: String? = nil,
                naming: Naming, parentField: String? = nil, nameRequired: Bool) {
        self.typeName = typeName
        self.displayName = displayName
        self.schemaName = schemaName
        self.node = node
        self.fields = fields
        self.otherDeclaredProperties = otherDeclaredProperties
        self.artifactType = artifactType
        self.naming = naming
        self.parentField = parentField
        self.nameRequired = nameRequired
    }

    public static func == (lhs: EntityKind, rhs: EntityKind) -> Bool { lhs.typeName == rhs.typeName }
    public func hash(into hasher: inout Hasher) { hasher.combine(typeName) }
    public var description: String { typeName }

    public func field(_ json: String) -> FieldSpec? { fields.first { $0.json == json } }

    /// The MLMD type definition: every property we write, declared with the type we write it as.
    public var typeDefinition: TypeDefinition {
        var properties: [(name: String, type: PropertyDataType)] = []
        for field in fields {
            if case .property(let name, let type) = field.storage { properties.append((name, type)) }
        }
        for (name, type) in otherDeclaredProperties where !properties.contains(where: { $0.name == name }) {
            properties.append((name, type))
        }
        return TypeDefinition(name: typeName, kind: node.typeKind, properties: properties)
    }
}
