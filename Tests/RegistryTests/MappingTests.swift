import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

@Suite struct MappingNameTests {
    @Test func topLevelNamesAreVerbatim() {
        #expect(EntityMapping.storedName(for: .registeredModel, name: "a:b", ownerID: nil) == "a:b")
        #expect(EntityMapping.storedName(for: .registeredModel, name: "a:b", ownerID: 7) == "a:b")
        #expect(EntityMapping.clientName(for: .registeredModel, stored: "a:b") == "a:b")
        #expect(EntityMapping.clientName(for: .registeredModel, stored: nil) == nil)
    }

    @Test func childNamesArePrefixedWithTheOwner() {
        #expect(EntityMapping.storedName(for: .modelVersion, name: "v1", ownerID: 12) == "12:v1")
        #expect(EntityMapping.storedName(for: .modelArtifact, name: "x:y", ownerID: 3) == "3:x:y")
        #expect(EntityMapping.clientName(for: .modelVersion, stored: "12:v1") == "v1")
        #expect(EntityMapping.clientName(for: .modelVersion, stored: "12:model:latest") == "model:latest")
        #expect(EntityMapping.clientName(for: .modelVersion, stored: "12:") == "")
        #expect(EntityMapping.clientName(for: .modelVersion, stored: "no-colon") == "no-colon")
    }

    @Test func missingOwnerOrNameBecomesAUUID() throws {
        let unowned = EntityMapping.storedName(for: .modelArtifact, name: "w", ownerID: nil)
        let prefix = try #require(unowned.split(separator: ":").first)
        #expect(UUID(uuidString: String(prefix)) != nil)
        #expect(unowned.hasSuffix(":w"))
        #expect(EntityMapping.storedName(for: .modelArtifact, name: "w", ownerID: nil) != unowned, "fresh UUID each time")
        let unnamed = EntityMapping.storedName(for: .modelArtifact, name: nil, ownerID: 4)
        #expect(unnamed.hasPrefix("4:"))
        #expect(UUID(uuidString: String(unnamed.dropFirst(2))) != nil)
        let empty = EntityMapping.storedName(for: .registeredModel, name: "", ownerID: nil)
        #expect(UUID(uuidString: empty) != nil)
    }
}

@Suite struct MappingFieldTests {
    @Test func propertyRowsFollowTheFieldSpec() throws {
        let description = try #require(EntityKind.registeredModel.field("description"))
        #expect(EntityMapping.propertyRow(for: description, value: .string("d"))
            == PropertyRow(name: "description", isCustom: false, value: .string("d")))
        let license = try #require(EntityKind.registeredModel.field("licenseLink"))
        #expect(EntityMapping.propertyRow(for: license, value: .string("l"))?.name == "license_link")
        let step = try #require(EntityKind.metric.field("step"))
        #expect(EntityMapping.propertyRow(for: step, value: .int(3)) == PropertyRow(name: "step", isCustom: false, value: .int(3)))
        let value = try #require(EntityKind.metric.field("value"))
        #expect(EntityMapping.propertyRow(for: value, value: .double(0.5))?.value == .double(0.5))
        let tasks = try #require(EntityKind.registeredModel.field("tasks"))
        let row = try #require(EntityMapping.propertyRow(for: tasks, value: .stringList(["a"])))
        guard case .string(let encoded) = row.value else {
            Issue.record("struct fields are stored as strings")
            return
        }
        #expect(StructCodec.decode(encoded) == ["tasks": .array([.string("a")])])
        // Node columns have no property row.
        #expect(EntityMapping.propertyRow(for: try #require(EntityKind.modelArtifact.field("uri")), value: .string("u")) == nil)
        #expect(EntityMapping.propertyRow(for: try #require(EntityKind.modelArtifact.field("state")), value: .string("LIVE")) == nil)
        // Server-written custom rows.
        let experiment = try #require(EntityKind.modelArtifact.field("experimentId"))
        #expect(EntityMapping.propertyRow(for: experiment, value: .int(5)) == PropertyRow(name: "experiment_id", isCustom: true, value: .int(5)))
    }

    @Test func columnsTakeURIAndStateIndex() {
        var node = NodeRow(typeID: 13, name: "n", externalID: nil, createTime: 0, updateTime: 0)
        EntityMapping.applyColumns(of: Entity(kind: .modelArtifact, fields: ["uri": .string("s3://x"), "state": .string("ABANDONED")]),
                                   to: &node)
        #expect(node.uri == "s3://x")
        #expect(node.state == 5)
        var execution = NodeRow(typeID: 16, name: "n", externalID: nil, createTime: 0, updateTime: 0)
        EntityMapping.applyColumns(of: Entity(kind: .serveModel, fields: ["lastKnownState": .string("COMPLETE")]), to: &execution)
        #expect(execution.state == 3)
        // An unknown enum value leaves the column alone (validation rejects it earlier).
        EntityMapping.applyColumns(of: Entity(kind: .serveModel, fields: ["lastKnownState": .string("NOPE")]), to: &execution)
        #expect(execution.state == 3)
    }

    @Test func entitiesAreBuiltFromRows() {
        let node = NodeRow(id: 4, typeID: 13, name: "2:weights", externalID: "e", createTime: 10, updateTime: 20,
                           uri: "u", state: 2)
        let entity = EntityMapping.entity(kind: .modelArtifact, node: node, properties: [
            PropertyRow(name: "storage_key", isCustom: false, value: .string("k")),
            PropertyRow(name: "experiment_id", isCustom: true, value: .int(8)),
            PropertyRow(name: "experiment_run_id", isCustom: true, value: .int(9)),
            PropertyRow(name: "note", isCustom: true, value: .string("n")),
            PropertyRow(name: "storage_key", isCustom: true, value: .int(1)),
            PropertyRow(name: "undeclared_typed", isCustom: false, value: .string("ignored")),
        ])
        #expect(entity.id == 4)
        #expect(entity.name == "weights")
        #expect(entity.externalID == "e")
        #expect(entity.createTime == 10 && entity.updateTime == 20)
        #expect(entity.fields == ["uri": .string("u"), "state": .string("LIVE"), "storageKey": .string("k"),
                                  "experimentId": .int(8), "experimentRunId": .int(9)])
        #expect(entity.customProperties == ["note": .string("n"), "storage_key": .int(1)])
        #expect(entity.string("storageKey") == "k")
        #expect(entity.int("experimentId") == 8)
        #expect(entity.int("storageKey") == nil)
    }

    @Test func rowsWrittenByOtherToolsAreTolerated() {
        // Upstream writes run times as strings and MLMD-era stores may hold ints as strings.
        let run = EntityMapping.entity(kind: .experimentRun, node: NodeRow(id: 1, typeID: 19, name: "3:r", externalID: nil,
                                                                           createTime: 0, updateTime: 0), properties: [
            PropertyRow(name: "start_time_since_epoch", isCustom: false, value: .string("1700000000000")),
            PropertyRow(name: "end_time_since_epoch", isCustom: false, value: .string("garbage")),
            PropertyRow(name: "experiment_id", isCustom: false, value: .int(3)),
        ])
        #expect(run.fields == ["startTimeSinceEpoch": .int(1_700_000_000_000), "experimentId": .int(3)])
        let metric = EntityMapping.entity(kind: .metric, node: NodeRow(id: 1, typeID: 21, name: "x:m", externalID: nil,
                                                                       createTime: 0, updateTime: 0), properties: [
            PropertyRow(name: "value", isCustom: false, value: .int(2)),
            PropertyRow(name: "timestamp", isCustom: false, value: .int(5)),
        ])
        #expect(metric.fields == ["value": .double(2), "timestamp": .string("5")])
        // An out-of-range state code is not exposed.
        let artifact = EntityMapping.entity(kind: .docArtifact, node: NodeRow(id: 1, typeID: 12, name: "x:d", externalID: nil,
                                                                              createTime: 0, updateTime: 0, state: 99), properties: [])
        #expect(artifact.fields["state"] == nil)
        #expect(artifact.customProperties == [:])
    }
}

@Suite struct MappingMetadataValueTests {
    @Test func everyKindConvertsBothWays() {
        let values: [MetadataValue] = [
            .int(-1), .int(Int64.max), .double(0.1), .string(""), .string("x"), .bool(false), .bool(true),
            .structValue(["a": .array([.double(1), .null])]), .structValue([:]),
            .proto(type: "t", bytes: [1, 2, 3]), .proto(type: "", bytes: []),
        ]
        for value in values {
            #expect(EntityMapping.metadataValue(from: EntityMapping.propertyValue(from: value)) == value, "\(value)")
        }
        #expect(EntityMapping.metadataValue(from: .bytes([1])) == nil)
        #expect(EntityMapping.metadataValue(from: .proto(Array("not base64".utf8))) == nil)
        #expect(EntityMapping.metadataValue(from: .proto(Array(Data([0xFF]).base64EncodedString().utf8))) == nil)
    }

    @Test func protoAnyWireFormat() throws {
        // Any { type_url = "t"; value = 0x01 0x02 }
        #expect(Array(ProtoAny.encode(typeURL: "t", value: [1, 2])) == [0x0A, 0x01, 0x74, 0x12, 0x02, 0x01, 0x02])
        let long = [UInt8](repeating: 7, count: 300)
        let encoded = Array(ProtoAny.encode(typeURL: "u", value: long))
        #expect(Array(encoded.prefix(6)) == [0x0A, 0x01, 0x75, 0x12, 0xAC, 0x02], "300 is varint AC 02")
        let decoded = try #require(ProtoAny.decode(encoded))
        #expect(decoded.typeURL == "u" && decoded.value == long)
        #expect(ProtoAny.decode([])?.typeURL == "")
        #expect(ProtoAny.decode([0x0A, 0x05, 0x74]) == nil, "length beyond the end")
        #expect(ProtoAny.decode([0x08, 0x01]) == nil, "varint field where a string is expected")
        #expect(ProtoAny.decode([0x0A, 0xFF]) == nil, "truncated varint")
    }
}
