import Foundation
import JSON
import Registry

/// A problem with one record of an import file.
struct RecordProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// An entity read back from its REST JSON, with what the API shows but `create` does not take.
struct DecodedEntity {
    var entity: Entity
    var id: Int64
    var createTime: Int64?
    var updateTime: Int64?
}

/// Reads the REST JSON of an entity (as the API encodes it, see API's `EntityCoding`) back into
/// an `Entity`, strictly: unknown keys, wrong types and invalid enum values are errors, so a
/// damaged or hand-edited file is refused before anything is written.
enum EntityJSONDecoder {
    static func decode(_ json: JSON, as kind: EntityKind) throws -> DecodedEntity {
        guard case .object(let object) = json else { throw RecordProblem("entity must be an object") }
        var allowed: Set<String> = ["id", "name", "externalId", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch", "customProperties"]
        if kind.artifactType != nil { allowed.insert("artifactType") }
        for field in kind.fields { allowed.insert(field.json) }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw RecordProblem("unknown field \"\(unknown)\" for \(kind.schemaName)")
        }
        if let artifactType = kind.artifactType {
            guard object["artifactType"]?.stringValue == artifactType else {
                throw RecordProblem("artifactType must be \"\(artifactType)\"")
            }
        }
        guard let id = try integerString(object, "id"), id > 0 else { throw RecordProblem("missing or invalid \"id\"") }
        var entity = Entity(kind: kind)
        entity.name = try string(object, "name")
        entity.externalID = try string(object, "externalId")
        for field in kind.fields {
            guard let value = object[field.json], value != .null else { continue }
            entity.fields[field.json] = try decodeField(value, field)
        }
        var custom: [String: MetadataValue] = [:]
        if let properties = object["customProperties"], properties != .null {
            guard case .object(let values) = properties else { throw RecordProblem("customProperties must be an object") }
            for (key, value) in values {
                custom[key] = try decodeMetadataValue(value, key: key)
            }
        }
        entity.customProperties = custom
        return DecodedEntity(entity: entity, id: id, createTime: try integerString(object, "createTimeSinceEpoch"),
                             updateTime: try integerString(object, "lastUpdateTimeSinceEpoch"))
    }

    static func string(_ object: [String: JSON], _ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw RecordProblem("\(key) must be a string, not \(other.kindName)")
        }
    }

    /// A decimal integer written as a JSON string (how the API writes ids and times).
    static func integerString(_ object: [String: JSON], _ key: String) throws -> Int64? {
        guard let text = try string(object, key) else { return nil }
        guard let value = Int64(text) else { throw RecordProblem("\(key) must hold an integer, not \"\(text.prefix(40))\"") }
        return value
    }

    static func decodeField(_ value: JSON, _ field: FieldSpec) throws -> FieldValue {
        func fail(_ expected: String) -> RecordProblem {
            RecordProblem("\(field.json) must be \(expected), not \(value.kindName)")
        }
        switch field.type {
        case .string:
            guard case .string(let s) = value else { throw fail("a string") }
            return .string(s)
        case .enumeration(let name, let values):
            guard case .string(let s) = value else { throw fail("a string") }
            guard values.contains(s) else { throw RecordProblem("\(field.json): \"\(s)\" is not a valid \(name)") }
            return .string(s)
        case .id, .int64String:
            guard case .string(let s) = value, let v = Int64(s) else { throw fail("a string holding an integer") }
            return .int(v)
        case .numericString:
            switch value {
            case .string(let s) where Int64(s) != nil: return .string(s)
            case .int(let v): return .string(String(v))
            default: throw fail("a string holding an integer")
            }
        case .integer:
            switch value {
            case .int(let v): return .int(v)
            case .string(let s) where Int64(s) != nil: return .int(Int64(s)!)
            default: throw fail("an integer")
            }
        case .double:
            switch value {
            case .double(let v): return .double(v)
            case .int(let v): return .double(Double(v))
            default: throw fail("a number")
            }
        case .stringList:
            guard case .array(let items) = value else { throw fail("an array of strings") }
            return .stringList(try items.map { item in
                guard case .string(let s) = item else { throw fail("an array of strings") }
                return s
            })
        }
    }

    /// The inverse of the API's `MetadataValue` encoding.
    static func decodeMetadataValue(_ json: JSON, key: String) throws -> MetadataValue {
        guard case .object(let object) = json, case .string(let type)? = object["metadataType"] else {
            throw RecordProblem("custom property \"\(key)\" is not a MetadataValue object")
        }
        func payload(_ field: String, extra: Set<String> = []) throws -> JSON {
            if let unexpected = object.keys.first(where: { !(["metadataType", field] + extra).contains($0) }) {
                throw RecordProblem("custom property \"\(key)\": unexpected \"\(unexpected)\" in \(type)")
            }
            guard let value = object[field] else { throw RecordProblem("custom property \"\(key)\": \(type) needs \(field)") }
            return value
        }
        func invalid(_ field: String) -> RecordProblem { RecordProblem("custom property \"\(key)\": invalid \(field)") }
        switch type {
        case "MetadataIntValue":
            switch try payload("int_value") {
            case .string(let s): guard let v = Int64(s) else { throw invalid("int_value") }; return .int(v)
            case .int(let v): return .int(v)
            default: throw invalid("int_value")
            }
        case "MetadataDoubleValue":
            switch try payload("double_value") {
            case .double(let v): return .double(v)
            case .int(let v): return .double(Double(v))
            default: throw invalid("double_value")
            }
        case "MetadataStringValue":
            guard case .string(let s) = try payload("string_value") else { throw invalid("string_value") }
            return .string(s)
        case "MetadataBoolValue":
            guard case .bool(let b) = try payload("bool_value") else { throw invalid("bool_value") }
            return .bool(b)
        case "MetadataStructValue":
            guard case .string(let encoded) = try payload("struct_value"), let data = Data(base64Encoded: encoded),
                  case .object(let fields)? = try? JSON.parse(Array(data)) else { throw invalid("struct_value") }
            return .structValue(fields)
        case "MetadataProtoValue":
            guard case .string(let encoded) = try payload("proto_value", extra: ["type"]), let data = Data(base64Encoded: encoded),
                  case .string(let typeURL)? = object["type"] else { throw invalid("proto_value") }
            return .proto(type: typeURL, bytes: Array(data))
        default:
            throw RecordProblem("custom property \"\(key)\": unknown metadataType \"\(type)\"")
        }
    }
}
