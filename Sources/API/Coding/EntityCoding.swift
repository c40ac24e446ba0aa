import JSON
import Registry

/// Which request schema a body follows; it decides which keys are accepted.
enum BodySchema {
    /// `<X>Create`: no id, no server-set times.
    case create
    /// `<X>Update`: no name, no parent references.
    case update
    /// The full `<X>` schema, used by nested POSTs: read-only keys are accepted and ignored.
    case full
}

/// The API version a request came in on. `/v1` is what newer Python clients call; they type
/// `Metric.step` as a string, so it is encoded as one there.
public enum APIVersion: Sendable {
    case v1alpha3
    case v1
}

enum EntityCoding {
    static let serverSetKeys: Set<String> = ["id", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch"]

    /// Decodes and validates a request body for `kind`. Unknown keys are rejected (400),
    /// missing required ones too (422), values are type-checked (400).
    static func decode(_ body: [UInt8], as kind: EntityKind, schema: BodySchema) throws -> Entity {
        let object = try parseObject(body)
        return try decode(object, as: kind, schema: schema)
    }

    static func parseObject(_ body: [UInt8]) throws -> [String: JSON] {
        if body.contains(0) || containsEscapedNUL(body) {
            throw RegistryError.malformedBody("Request body contains null bytes which are not allowed")
        }
        let json: JSON
        do {
            json = try JSON.parse(body)
        } catch {
            throw RegistryError.malformedBody("invalid JSON body: \(error.message) at line \(error.line), column \(error.column)")
        }
        guard case .object(let object) = json else {
            throw RegistryError.malformedBody("request body must be a JSON object, got \(json.kindName)")
        }
        return object
    }

    private static func containsEscapedNUL(_ body: [UInt8]) -> Bool {
        let needle = Array("\\u0000".utf8)
        guard body.count >= needle.count else { return false }
        for start in 0...(body.count - needle.count) where body[start] == needle[0] {
            if Array(body[start..<start + needle.count]) == needle { return true }
        }
        return false
    }

    /// The keys a body of each kind may hold under each schema, built once: building the set
    /// on every request hashed each key of it again (a twentieth of a registration's work).
    private static let allowedKeysByKind: [String: [BodySchema: Set<String>]] = Dictionary(
        uniqueKeysWithValues: EntityKind.all.map { kind in
            (kind.typeName, [BodySchema.create, .update, .full].reduce(into: [:]) { $0[$1] = computeAllowedKeys(for: kind, schema: $1) })
        })

    static func allowedKeys(for kind: EntityKind, schema: BodySchema) -> Set<String> {
        allowedKeysByKind[kind.typeName]?[schema] ?? computeAllowedKeys(for: kind, schema: schema)
    }

    private static func computeAllowedKeys(for kind: EntityKind, schema: BodySchema) -> Set<String> {
        var keys: Set<String> = ["externalId", "customProperties"]
        if kind.artifactType != nil { keys.insert("artifactType") }
        if schema != .update { keys.insert("name") }
        for field in kind.fields {
            switch (field.mutability, schema) {
            case (.mutable, _), (.createOnly, .create), (.createOnly, .full), (.readOnly, .full):
                keys.insert(field.json)
            default:
                break
            }
        }
        if schema == .full { keys.formUnion(serverSetKeys) }
        return keys
    }

    static func decode(_ object: [String: JSON], as kind: EntityKind, schema: BodySchema) throws -> Entity {
        let allowed = allowedKeys(for: kind, schema: schema)
        // Sorted only to name the same unknown key every time, so only when there is one.
        if object.keys.contains(where: { !allowed.contains($0) }),
           let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw RegistryError.malformedBody("json: unknown field \"\(unknown)\"")
        }
        var entity = Entity(kind: kind)
        if schema != .update {
            let name = try optionalString(object, "name")
            if kind.nameRequired, name?.isEmpty != false { throw RegistryError.missingRequiredField("name") }
            entity.name = name?.isEmpty == true ? nil : name
            for field in kind.fields where field.required {
                if object[field.json] == nil || object[field.json] == .null || object[field.json] == .string("") {
                    throw RegistryError.missingRequiredField(field.json)
                }
            }
        }
        entity.externalID = try optionalString(object, "externalId")
        for field in kind.fields where field.mutability != .readOnly {
            guard let value = object[field.json], value != .null else { continue }
            entity.fields[field.json] = try decodeField(value, field)
        }
        if let custom = object["customProperties"], custom != .null {
            guard case .object(let properties) = custom else {
                throw RegistryError.malformedBody("customProperties must be an object, got \(custom.kindName)")
            }
            var decoded: [String: MetadataValue] = [:]
            for (key, value) in properties {
                decoded[key] = try MetadataValueCoding.decode(value, key: key)
            }
            entity.customProperties = decoded
        }
        return entity
    }

    static func optionalString(_ object: [String: JSON], _ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw typeError(key, expected: "string", got: other)
        }
    }

    static func typeError(_ key: String, expected: String, got value: JSON) -> RegistryError {
        .malformedBody("json: cannot unmarshal \(value.kindName) into field \(key) of type \(expected)")
    }

    static func decodeField(_ value: JSON, _ field: FieldSpec) throws -> FieldValue {
        switch field.type {
        case .string:
            guard case .string(let s) = value else { throw typeError(field.json, expected: "string", got: value) }
            return .string(s)
        case .enumeration(let name, let values):
            guard case .string(let s) = value else { throw typeError(field.json, expected: "string", got: value) }
            guard values.contains(s) else { throw RegistryError.malformedBody("\(s) is not a valid \(name)") }
            return .string(s)
        case .id:
            guard case .string(let s) = value else { throw typeError(field.json, expected: "string", got: value) }
            guard let id = Int32(s), id > 0 else {
                throw RegistryError.badRequest("invalid \(field.json): \"\(s)\" is not a valid id")
            }
            return .int(Int64(id))
        case .int64String:
            guard case .string(let s) = value else { throw typeError(field.json, expected: "string", got: value) }
            guard let v = Int64(s) else { throw RegistryError.badRequest("invalid \(field.json): \"\(s)\" is not an integer") }
            return .int(v)
        case .numericString:
            switch value {
            // Stored in canonical form ("+007" -> "7"), as it is compared and returned as a number.
            case .string(let s) where Int64(s) != nil: return .string(String(Int64(s)!))
            case .int(let v): return .string(String(v))
            default: throw RegistryError.badRequest("invalid \(field.json): expected a string holding an integer")
            }
        case .integer:
            switch value {
            case .int(let v): return .int(v)
            case .string(let s) where Int64(s) != nil: return .int(Int64(s)!)
            default: throw typeError(field.json, expected: "integer", got: value)
            }
        case .double:
            switch value {
            case .double(let v): return .double(v)
            case .int(let v): return .double(Double(v))
            default: throw typeError(field.json, expected: "number", got: value)
            }
        case .stringList:
            guard case .array(let items) = value else { throw typeError(field.json, expected: "array", got: value) }
            return .stringList(try items.map { item in
                guard case .string(let s) = item else { throw typeError(field.json, expected: "array of strings", got: item) }
                return s
            })
        }
    }

    /// The REST JSON of an entity: keys as upstream (times and ids as strings, absent optional
    /// fields omitted, `customProperties` always present).
    static func encode(_ entity: Entity, version: APIVersion) -> JSON {
        var object: [String: JSON] = [:]
        if let id = entity.id { object["id"] = .string(String(id)) }
        if let name = entity.name { object["name"] = .string(name) }
        if let externalID = entity.externalID { object["externalId"] = .string(externalID) }
        if let time = entity.createTime { object["createTimeSinceEpoch"] = .string(String(time)) }
        if let time = entity.updateTime { object["lastUpdateTimeSinceEpoch"] = .string(String(time)) }
        if let artifactType = entity.kind.artifactType { object["artifactType"] = .string(artifactType) }
        for field in entity.kind.fields {
            guard let value = entity.fields[field.json] else { continue }
            object[field.json] = encodeField(value, field, version: version)
        }
        var custom: [String: JSON] = [:]
        for (key, value) in entity.customProperties ?? [:] {
            custom[key] = MetadataValueCoding.encode(value)
        }
        object["customProperties"] = .object(custom)
        return .object(object)
    }

    static func encodeField(_ value: FieldValue, _ field: FieldSpec, version: APIVersion) -> JSON {
        switch (value, field.type) {
        case (.int(let v), .integer):
            return version == .v1 ? .string(String(v)) : .int(v)
        case (.int(let v), _):
            return .string(String(v))
        case (.string(let s), _):
            return .string(s)
        case (.double(let v), _):
            return .double(v)
        case (.stringList(let items), _):
            return .array(items.map(JSON.string))
        }
    }
}
