import Foundation
import JSON
@testable import Registry
import Testing
@testable import API

/// `EntityWriter` writes responses straight into bytes; they must be exactly what the `JSON`
/// tree of `EntityCoding.encode` serialises to.
@Suite struct EntityWriterTests {
    private func tree(_ entity: Entity, _ version: APIVersion) -> [UInt8] {
        JSONResponse.make(status: 200, EntityCoding.encode(entity, version: version)).body
    }

    private func sampleFields(_ kind: EntityKind, seed: Int) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        for (index, field) in kind.fields.enumerated() where (index + seed) % 3 != 0 {
            switch field.type {
            case .string: fields[field.json] = .string("v\"\\\u{1}é\(index)\u{7F}\n")
            case .enumeration(_, let values): fields[field.json] = .string(values[index % values.count])
            case .id, .int64String: fields[field.json] = .int(Int64(index * 1000 + seed))
            case .numericString: fields[field.json] = .string("-\(index)")
            case .integer: fields[field.json] = .int(Int64(-index))
            case .double: fields[field.json] = .double(index % 2 == 0 ? 2.5 : 3)
            case .stringList: fields[field.json] = .stringList(["a", "b\"c", ""])
            }
        }
        return fields
    }

    @Test func entitiesOfEveryKindAreWrittenAsTheJSONTreeSerialises() {
        let custom: [String: MetadataValue] = [
            "int": .int(-9_223_372_036_854_775_808), "double": .double(0.1), "whole": .double(1e15),
            "inf": .double(.infinity), "string": .string("x\u{0}y\t"), "bool": .bool(false), "yes": .bool(true),
            "struct": .structValue(["k": .array([.int(1), .null, .string("s")])]),
            "proto": .proto(type: "type.googleapis.com/x", bytes: [0, 1, 255]), "Émoji 🙂": .string("🙂"), "": .int(0),
        ]
        for kind in EntityKind.all {
            for seed in 0..<3 {
                for version in [APIVersion.v1alpha3, .v1] {
                    var entity = Entity(kind: kind, id: Int64(seed + 1), name: seed == 1 ? nil : "n\(seed)",
                                        externalID: seed == 2 ? "ext" : nil, createTime: 1_700_000_000_000,
                                        updateTime: seed == 0 ? nil : 1_700_000_000_001,
                                        fields: sampleFields(kind, seed: seed),
                                        customProperties: seed == 0 ? nil : (seed == 1 ? [:] : custom))
                    #expect(EntityWriter.entityBody(entity, version: version) == tree(entity, version), "\(kind) \(seed)")
                    entity.id = nil
                    #expect(EntityWriter.entityBody(entity, version: version) == tree(entity, version), "\(kind) \(seed)")
                }
            }
        }
    }

    @Test func pagesAreWrittenAsTheJSONTreeSerialises() {
        let items = (0..<3).map { Entity(kind: .modelVersion, id: Int64($0), name: "v\($0)", createTime: 1, updateTime: 2,
                                         fields: ["registeredModelId": .int(7), "state": .string("LIVE")],
                                         customProperties: ["team": .string("t")]) }
        for page in [Page(items: items, nextPageToken: "MTox", pageSize: 3), Page(items: [], nextPageToken: "", pageSize: 0)] {
            let expected = JSONResponse.make(status: 200, .object([
                "items": .array(page.items.map { EntityCoding.encode($0, version: .v1alpha3) }),
                "nextPageToken": .string(page.nextPageToken),
                "pageSize": .int(Int64(page.pageSize)),
                "size": .int(Int64(page.size)),
            ])).body
            #expect(EntityWriter.pageBody(page, version: .v1alpha3) == expected)
        }
    }

    @Test func integersAreWrittenWithoutStrings() {
        for value: Int64 in [0, 7, -7, 10, 1_796_025_805_808, .max, .min] {
            var out: [UInt8] = []
            JSON.writeInt(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
    }
}
