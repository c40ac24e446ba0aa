import JSON

/// A custom property value, one case per `MetadataValue` kind of the REST API.
public enum MetadataValue: Equatable, Sendable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    /// A JSON object (REST `MetadataStructValue`).
    case structValue([String: JSON])
    /// A serialized `google.protobuf.Any`: its type URL and bytes (REST `MetadataProtoValue`).
    case proto(type: String, bytes: [UInt8])
}
