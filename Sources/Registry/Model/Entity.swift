import JSON

/// The value of a well-known field of an entity.
public enum FieldValue: Equatable, Sendable {
    case string(String)
    case int(Int64)
    case double(Double)
    case stringList([String])
}

/// One registry resource (registered model, model version, artifact, …) as the service layer
/// sees it: the node's columns, its well-known fields by REST name, and its custom properties.
public struct Entity: Equatable, Sendable {
    public var kind: EntityKind
    public var id: Int64?
    /// The name as clients see it, without the `<parentId>:` prefix used in storage.
    public var name: String?
    public var externalID: String?
    public var createTime: Int64?
    public var updateTime: Int64?
    /// Well-known fields keyed by REST (camelCase) name, e.g. `description`, `registeredModelId`.
    public var fields: [String: FieldValue]
    /// nil when a request body did not mention `customProperties` (keep what is stored).
    public var customProperties: [String: MetadataValue]?

    public init(kind: EntityKind, id: Int64? = nil, name: String? = nil, externalID: String? = nil,
                createTime: Int64? = nil, updateTime: Int64? = nil, fields: [String: FieldValue] = [:],
                customProperties: [String: MetadataValue]? = nil) {
        self.kind = kind
        self.id = id
        self.name = name
        self.externalID = externalID
        self.createTime = createTime
        self.updateTime = updateTime
        self.fields = fields
        self.customProperties = customProperties
    }

    public func string(_ field: String) -> String? {
        if case .string(let s) = fields[field] { return s }
        return nil
    }

    public func int(_ field: String) -> Int64? {
        if case .int(let v) = fields[field] { return v }
        return nil
    }
}
