import JSON
import Registry

/// Writes entities and pages as JSON straight into the response body: the same bytes as
/// `EntityCoding.encode(_:version:)` serialised by `JSON.serialized()` (keys sorted, ids and
/// times as strings, `customProperties` always present), without building a `JSON` tree, a
/// dictionary per object and a sort of its keys per response. Responses are most of the work of
/// a point read and of a page (Docs/performance.md); `EntityWriterTests` holds the two
/// encodings equal.
enum EntityWriter {
    /// One top-level key of an entity's JSON and where its value comes from.
    private enum Slot {
        case id, name, externalID, createTime, updateTime, artifactType, customProperties
        case field(Int)
    }

    /// The keys an entity of a kind may have, in the sorted order the JSON writer emits them.
    private struct Layout {
        var slots: [(key: [UInt8], slot: Slot)]

        init(_ kind: EntityKind) {
            // Later entries win on equal keys, as later assignments do in EntityCoding.encode.
            var keys: [(String, Slot)] = [
                ("id", .id), ("name", .name), ("externalId", .externalID), ("createTimeSinceEpoch", .createTime),
                ("lastUpdateTimeSinceEpoch", .updateTime),
            ]
            if kind.artifactType != nil { keys.append(("artifactType", .artifactType)) }
            for (index, field) in kind.fields.enumerated() { keys.append((field.json, .field(index))) }
            keys.append(("customProperties", .customProperties))
            var byKey: [String: Slot] = [:]
            for (key, slot) in keys { byKey[key] = slot }
            slots = byKey.keys.sorted().map { key in
                var quoted: [UInt8] = []
                JSON.writeString(key, to: &quoted)
                quoted.append(UInt8(ascii: ":"))
                return (quoted, byKey[key]!)
            }
        }
    }

    private static let layouts: [String: Layout] = Dictionary(
        uniqueKeysWithValues: EntityKind.all.map { ($0.typeName, Layout($0)) })

    private static func layout(of kind: EntityKind) -> Layout {
        layouts[kind.typeName] ?? Layout(kind)
    }

    static func write(_ entity: Entity, version: APIVersion, to out: inout [UInt8]) {
        let kind = entity.kind
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ bytes: [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: bytes)
        }
        func quotedInt(_ value: Int64) {
            out.append(UInt8(ascii: "\""))
            JSON.writeInt(value, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        for (bytes, slot) in layout(of: kind).slots {
            switch slot {
            case .id:
                guard let id = entity.id else { continue }
                key(bytes); quotedInt(id)
            case .name:
                guard let name = entity.name else { continue }
                key(bytes); JSON.writeString(name, to: &out)
            case .externalID:
                guard let externalID = entity.externalID else { continue }
                key(bytes); JSON.writeString(externalID, to: &out)
            case .createTime:
                guard let time = entity.createTime else { continue }
                key(bytes); quotedInt(time)
            case .updateTime:
                guard let time = entity.updateTime else { continue }
                key(bytes); quotedInt(time)
            case .artifactType:
                guard let artifactType = kind.artifactType else { continue }
                key(bytes); JSON.writeString(artifactType, to: &out)
            case .field(let index):
                let field = kind.fields[index]
                guard let value = entity.fields[field.json] else { continue }
                key(bytes)
                writeField(value, field, version: version, to: &out)
            case .customProperties:
                key(bytes)
                writeCustomProperties(entity.customProperties ?? [:], to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `EntityCoding.encodeField`, written out.
    private static func writeField(_ value: FieldValue, _ field: FieldSpec, version: APIVersion, to out: inout [UInt8]) {
        switch (value, field.type) {
        case (.int(let v), .integer) where version != .v1:
            JSON.writeInt(v, to: &out)
        case (.int(let v), _):
            out.append(UInt8(ascii: "\""))
            JSON.writeInt(v, to: &out)
            out.append(UInt8(ascii: "\""))
        case (.string(let s), _):
            JSON.writeString(s, to: &out)
        case (.double(let v), _):
            JSON.writeDouble(v, to: &out)
        case (.stringList(let items), _):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `MetadataValueCoding.encode` per value, keys sorted; the common scalar types are written
    /// out (their two keys already in sorted order), structs and protos go through `JSON`.
    private static func writeCustomProperties(_ properties: [String: MetadataValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, (name, value)) in properties.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSON.writeString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            switch value {
            case .int(let v):
                JSON.writeRaw(#"{"int_value":""#, to: &out)
                JSON.writeInt(v, to: &out)
                JSON.writeRaw(#"","metadataType":"MetadataIntValue"}"#, to: &out)
            case .double(let v):
                JSON.writeRaw(#"{"double_value":"#, to: &out)
                JSON.writeDouble(v, to: &out)
                JSON.writeRaw(#","metadataType":"MetadataDoubleValue"}"#, to: &out)
            case .string(let s):
                JSON.writeRaw(#"{"metadataType":"MetadataStringValue","string_value":"#, to: &out)
                JSON.writeString(s, to: &out)
                out.append(UInt8(ascii: "}"))
            case .bool(let b):
                if b { JSON.writeRaw(#"{"bool_value":true,"#, to: &out) } else { JSON.writeRaw(#"{"bool_value":false,"#, to: &out) }
                JSON.writeRaw(#""metadataType":"MetadataBoolValue"}"#, to: &out)
            case let other:
                MetadataValueCoding.encode(other).write(to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The body of one entity, as `JSONResponse.make(status:_:)` would send it.
    static func entityBody(_ entity: Entity, version: APIVersion) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(entity, version: version, to: &out)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// `{"items":[…],"nextPageToken":"…","pageSize":n,"size":n}` and a newline.
    static func pageBody(_ page: Page, version: APIVersion) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + 640 * page.items.count)
        JSON.writeRaw(#"{"items":["#, to: &out)
        for (index, item) in page.items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(item, version: version, to: &out)
        }
        JSON.writeRaw(#"],"nextPageToken":"#, to: &out)
        JSON.writeString(page.nextPageToken, to: &out)
        JSON.writeRaw(#","pageSize":"#, to: &out)
        JSON.writeInt(Int64(page.pageSize), to: &out)
        JSON.writeRaw(#","size":"#, to: &out)
        JSON.writeInt(Int64(page.size), to: &out)
        JSON.writeRaw("}\n", to: &out)
        return out
    }
}
