import Foundation
import JSON
import Registry

/// JSON <-> `MetadataValue`, the `customProperties` values of every entity.
enum MetadataValueCoding {
    static func decode(_ json: JSON, key: String) throws -> MetadataValue {
        guard case .object(let object) = json else {
            throw RegistryError.badRequest("custom property '\(key)' must be a MetadataValue object")
        }
        guard case .string(let type)? = object["metadataType"] else {
            throw RegistryError.badRequest("custom property '\(key)' has no metadataType")
        }
        func payload(_ field: String) throws -> JSON {
            let allowed: Set<String> = type == "MetadataProtoValue" ? ["metadataType", "type", field] : ["metadataType", field]
            if let extra = object.keys.first(where: { !allowed.contains($0) }) {
                throw RegistryError.badRequest("custom property '\(key)': unknown field \"\(extra)\" in \(type)")
            }
            guard let value = object[field] else {
                throw RegistryError.badRequest("custom property '\(key)': \(type) requires \(field)")
            }
            return value
        }
        func invalid(_ field: String, _ value: JSON) -> RegistryError {
            .badRequest("custom property '\(key)': invalid \(field) (\(value.kindName))")
        }
        switch type {
        case "MetadataIntValue":
            let value = try payload("int_value")
            switch value {
            case .string(let s):
                guard let v = Int64(s) else {
                    throw RegistryError.badRequest("unable to decode as int64 '\(s)' for key \(key)")
                }
                return .int(v)
            case .int(let v):
                return .int(v)
            default:
                throw invalid("int_value", value)
            }
        case "MetadataDoubleValue":
            let value = try payload("double_value")
            switch value {
            case .double(let v): return .double(v)
            case .int(let v): return .double(Double(v))
            default: throw invalid("double_value", value)
            }
        case "MetadataStringValue":
            let value = try payload("string_value")
            guard case .string(let s) = value else { throw invalid("string_value", value) }
            return .string(s)
        case "MetadataBoolValue":
            let value = try payload("bool_value")
            guard case .bool(let b) = value else { throw invalid("bool_value", value) }
            return .bool(b)
        case "MetadataStructValue":
            let value = try payload("struct_value")
            guard case .string(let encoded) = value, let data = Data(base64Encoded: encoded),
                  case .object(let fields)? = try? JSON.parse(Array(data)) else {
                throw RegistryError.badRequest("custom property '\(key)': struct_value must be base64 of a JSON object")
            }
            return .structValue(fields)
        case "MetadataProtoValue":
            let value = try payload("proto_value")
            guard case .string(let typeURL)? = object["type"], case .string(let encoded) = value,
                  let data = Data(base64Encoded: encoded) else {
                throw RegistryError.badRequest("custom property '\(key)': MetadataProtoValue needs a type and base64 proto_value")
            }
            return .proto(type: typeURL, bytes: Array(data))
        default:
            throw RegistryError.badRequest("metadataType not found for \(key): \(type) is not a valid MetadataValue type")
        }
    }

    static func encode(_ value: MetadataValue) -> JSON {
        switch value {
        case .int(let v):
            return .object(["metadataType": .string("MetadataIntValue"), "int_value": .string(String(v))])
        case .double(let v):
            return .object(["metadataType": .string("MetadataDoubleValue"), "double_value": .double(v)])
        case .string(let s):
            return .object(["metadataType": .string("MetadataStringValue"), "string_value": .string(s)])
        case .bool(let b):
            return .object(["metadataType": .string("MetadataBoolValue"), "bool_value": .bool(b)])
        case .structValue(let fields):
            // Same encoding as the input (base64 of the JSON object), so values round-trip.
            let text = JSON.object(fields).serialized()
            return .object(["metadataType": .string("MetadataStructValue"),
                            "struct_value": .string(Data(text).base64EncodedString())])
        case .proto(let type, let bytes):
            return .object(["metadataType": .string("MetadataProtoValue"), "type": .string(type),
                            "proto_value": .string(Data(bytes).base64EncodedString())])
        }
    }
}
