/// MLMD `Type.type_kind`.
public enum TypeKind: Int64, Sendable {
    case execution = 0
    case artifact = 1
    case context = 2
}

/// MLMD `PropertyType`, stored in `TypeProperty.data_type`.
public enum PropertyDataType: Int64, Sendable {
    case unknown = 0
    case int = 1
    case double = 2
    case string = 3
    case `struct` = 4
    case proto = 5
    case boolean = 6
}

/// A type to make sure exists in the store, with its declared properties.
public struct TypeDefinition: Sendable {
    public var name: String
    public var kind: TypeKind
    public var properties: [(name: String, type: PropertyDataType)]

    public init(name: String, kind: TypeKind, properties: [(name: String, type: PropertyDataType)]) {
        self.name = name
        self.kind = kind
        self.properties = properties
    }
}

/// The three MLMD node tables and their property tables.
public enum NodeKind: Sendable {
    case context
    case artifact
    case execution

    public var table: String {
        switch self {
        case .context: return "Context"
        case .artifact: return "Artifact"
        case .execution: return "Execution"
        }
    }

    public var propertyTable: String {
        switch self {
        case .context: return "ContextProperty"
        case .artifact: return "ArtifactProperty"
        case .execution: return "ExecutionProperty"
        }
    }

    /// The property table's column pointing at the node.
    public var propertyOwnerColumn: String {
        switch self {
        case .context: return "context_id"
        case .artifact: return "artifact_id"
        case .execution: return "execution_id"
        }
    }

    /// Every kind, in `index` order.
    public static let allKinds: [NodeKind] = [.context, .artifact, .execution]

    /// The position in `allKinds`, for per-kind tables built once.
    public var index: Int {
        switch self {
        case .context: return 0
        case .artifact: return 1
        case .execution: return 2
        }
    }

    public var typeKind: TypeKind {
        switch self {
        case .context: return .context
        case .artifact: return .artifact
        case .execution: return .execution
        }
    }
}

/// One row of `Context`, `Artifact` or `Execution`. `uri` exists on artifacts only; `state` is
/// `Artifact.state` or `Execution.last_known_state`.
public struct NodeRow: Equatable, Sendable {
    public var id: Int64
    public var typeID: Int64
    public var name: String?
    public var externalID: String?
    public var createTime: Int64
    public var updateTime: Int64
    public var uri: String?
    public var state: Int64?

    public init(id: Int64 = 0, typeID: Int64, name: String?, externalID: String?, createTime: Int64,
                updateTime: Int64, uri: String? = nil, state: Int64? = nil) {
        self.id = id
        self.typeID = typeID
        self.name = name
        self.externalID = externalID
        self.createTime = createTime
        self.updateTime = updateTime
        self.uri = uri
        self.state = state
    }
}

/// The value of one property row; exactly one value column is set.
public enum PropertyValue: Equatable, Sendable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case bytes([UInt8])
    case proto([UInt8])
}

public struct PropertyRow: Equatable, Sendable {
    public var name: String
    public var isCustom: Bool
    public var value: PropertyValue

    public init(name: String, isCustom: Bool, value: PropertyValue) {
        self.name = name
        self.isCustom = isCustom
        self.value = value
    }
}
