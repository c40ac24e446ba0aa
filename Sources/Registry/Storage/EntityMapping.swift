import Foundation
import JSON
import MLMD

/// Converts between `Entity` and MLMD rows. The only place that knows how a REST field is
/// laid out in MLMD.
enum EntityMapping {
    /// The stored `name` column for an entity: verbatim, or prefixed with its owner's id (or a
    /// fresh UUID when it has no owner). A missing name becomes a UUID.
    static func storedName(for kind: EntityKind, name: String?, ownerID: Int64?) -> String {
        let baseName = (name?.isEmpty == false) ? name! : UUID().uuidString.lowercased()
        switch kind.naming {
        case .topLevel:
            return baseName
        case .prefixedByParent, .prefixedByOwner:
            let prefix = ownerID.map(String.init) ?? UUID().uuidString.lowercased()
            return "\(prefix):\(baseName)"
        }
    }

    /// The name clients see: the stored name without its first `:`-separated segment.
    static func clientName(for kind: EntityKind, stored: String?) -> String? {
        guard let stored else { return nil }
        guard kind.naming != .topLevel, let colon = stored.firstIndex(of: ":") else { return stored }
        return String(stored[stored.index(after: colon)...])
    }

    /// Where each stored property of a kind goes, worked out once per kind: every entity read
    /// (a point read, each item of a page) would otherwise rebuild it.
    private struct FieldIndex {
        /// Typed property name -> the fields stored in it.
        var typed: [String: [Int]] = [:]
        /// Custom property name -> the fields exposing it (these never appear in customProperties).
        var custom: [String: [Int]] = [:]
        /// Fields stored in node columns (uri, state).
        var columns: [Int] = []

        init(_ kind: EntityKind) {
            for (index, field) in kind.fields.enumerated() {
                switch field.storage {
                case .uriColumn, .stateColumn: columns.append(index)
                case .customProperty(let name): custom[name, default: []].append(index)
                case .property(let name, _): typed[name, default: []].append(index)
                }
            }
        }

        static let byType: [String: FieldIndex] = Dictionary(
            uniqueKeysWithValues: EntityKind.all.map { ($0.typeName, FieldIndex($0)) })

        static func of(_ kind: EntityKind) -> FieldIndex { byType[kind.typeName] ?? FieldIndex(kind) }
    }

    /// Builds an entity from its node row and property rows.
    static func entity(kind: EntityKind, node: NodeRow, properties: [PropertyRow]) -> Entity {
        let index = FieldIndex.of(kind)
        // Sized up front: grown one insert at a time, both tables were rebuilt about three times
        // per entity (5% of a page of 100 versions).
        var fields = [String: FieldValue](minimumCapacity: kind.fields.count)
        var customProperties = properties.isEmpty ? [:] : [String: MetadataValue](minimumCapacity: properties.count)
        for row in properties {
            if row.isCustom {
                if let exposed = index.custom[row.name] {
                    guard case .int(let v) = row.value else { continue }
                    for i in exposed { fields[kind.fields[i].json] = .int(v) }
                } else if let metadata = metadataValue(from: row.value) {
                    customProperties[row.name] = metadata
                }
            } else if let stored = index.typed[row.name] {
                for i in stored {
                    let field = kind.fields[i]
                    if let value = fieldValue(row.value, as: field.type, property: row.name) { fields[field.json] = value }
                }
            }
        }
        for i in index.columns {
            let field = kind.fields[i]
            if let value = columnField(field, node: node) { fields[field.json] = value }
        }
        return Entity(kind: kind, id: node.id, name: clientName(for: kind, stored: node.name),
                      externalID: node.externalID, createTime: node.createTime, updateTime: node.updateTime,
                      fields: fields, customProperties: customProperties)
    }

    private static func columnField(_ field: FieldSpec, node: NodeRow) -> FieldValue? {
        switch field.storage {
        case .uriColumn:
            return node.uri.map(FieldValue.string)
        case .stateColumn:
            guard case .enumeration(_, let values) = field.type, let code = node.state,
                  code >= 0, code < Int64(values.count) else { return nil }
            return .string(values[Int(code)])
        case .customProperty, .property:
            return nil
        }
    }

    /// Reads a stored property as the field's type, tolerating rows written by other tools
    /// (e.g. upstream's string-typed run times).
    private static func fieldValue(_ value: PropertyValue, as type: FieldSpec.ValueType, property: String) -> FieldValue? {
        switch (type, value) {
        case (.string, .string(let s)), (.enumeration, .string(let s)):
            return .string(s)
        case (.id, .int(let v)), (.int64String, .int(let v)), (.integer, .int(let v)):
            return .int(v)
        case (.id, .string(let s)), (.int64String, .string(let s)), (.integer, .string(let s)):
            return Int64(s).map(FieldValue.int)
        case (.numericString, .string(let s)):
            return .string(s)
        case (.numericString, .int(let v)):
            return .string(String(v))
        case (.double, .double(let v)):
            return .double(v)
        case (.double, .int(let v)):
            return .double(Double(v))
        case (.stringList, .string(let s)):
            guard case .array(let items)? = StructCodec.decode(s)?[property] else { return nil }
            return .stringList(items.compactMap(\.stringValue))
        default:
            return nil
        }
    }

    /// The property row for one field value, or nil for fields stored in node columns.
    static func propertyRow(for field: FieldSpec, value: FieldValue) -> PropertyRow? {
        switch field.storage {
        case .uriColumn, .stateColumn:
            return nil
        case .customProperty(let name):
            guard case .int(let v) = value else { return nil }
            return PropertyRow(name: name, isCustom: true, value: .int(v))
        case .property(let name, _):
            let stored: PropertyValue
            switch value {
            case .string(let s): stored = .string(s)
            case .int(let v): stored = .int(v)
            case .double(let v): stored = .double(v)
            case .stringList(let items):
                stored = .string(StructCodec.encode([name: .array(items.map(JSON.string))]))
            }
            return PropertyRow(name: name, isCustom: false, value: stored)
        }
    }

    /// Applies node-column fields (`uri`, `state`) to a node row.
    static func applyColumns(of entity: Entity, to node: inout NodeRow) {
        for field in entity.kind.fields {
            guard let value = entity.fields[field.json] else { continue }
            switch (field.storage, value) {
            case (.uriColumn, .string(let uri)):
                node.uri = uri
            case (.stateColumn, .string(let name)):
                if case .enumeration(_, let values) = field.type, let index = values.firstIndex(of: name) {
                    node.state = Int64(index)
                }
            default:
                break
            }
        }
    }

    // MARK: Custom properties

    static func propertyValue(from metadata: MetadataValue) -> PropertyValue {
        switch metadata {
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .structValue(let object): return .string(StructCodec.encode(object))
        case .proto(let type, let bytes): return .proto(Array(ProtoAny.encode(typeURL: type, value: bytes).base64EncodedString().utf8))
        }
    }

    static func metadataValue(from value: PropertyValue) -> MetadataValue? {
        switch value {
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .bool(let b): return .bool(b)
        case .string(let s):
            if s.hasPrefix(StructCodec.prefix), let object = StructCodec.decode(s) { return .structValue(object) }
            return .string(s)
        case .proto(let stored):
            // MLMD keeps the base64 text of a serialized google.protobuf.Any.
            guard let data = Data(base64Encoded: Data(stored)), let any = ProtoAny.decode(Array(data)) else { return nil }
            return .proto(type: any.typeURL, bytes: any.value)
        case .bytes:
            return nil
        }
    }
}

/// `google.protobuf.Any { string type_url = 1; bytes value = 2; }` on the wire.
enum ProtoAny {
    static func encode(typeURL: String, value: [UInt8]) -> Data {
        var out: [UInt8] = []
        func field(_ number: UInt8, _ payload: [UInt8]) {
            out.append(number << 3 | 2)
            var n = UInt64(payload.count)
            while n >= 0x80 { out.append(UInt8(n & 0x7F) | 0x80); n >>= 7 }
            out.append(UInt8(n))
            out.append(contentsOf: payload)
        }
        field(1, Array(typeURL.utf8))
        field(2, value)
        return Data(out)
    }

    static func decode(_ bytes: [UInt8]) -> (typeURL: String, value: [UInt8])? {
        var offset = 0
        var typeURL = ""
        var value: [UInt8] = []
        func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count, shift < 64 {
                let b = bytes[offset]; offset += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }
        while offset < bytes.count {
            guard let tag = varint(), tag & 7 == 2, let n = varint(), n <= UInt64(bytes.count - offset) else { return nil }
            let payload = Array(bytes[offset..<offset + Int(n)])
            offset += Int(n)
            if tag >> 3 == 1 { typeURL = String(decoding: payload, as: UTF8.self) }
            if tag >> 3 == 2 { value = payload }
        }
        return (typeURL, value)
    }
}
