import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

/// One custom property of every `MetadataValue` kind, including edge values.
private let everyKind: [String: MetadataValue] = [
    "int": .int(42),
    "intMax": .int(Int64.max),
    "intMin": .int(Int64.min),
    "double": .double(1.5),
    "wholeDouble": .double(3),
    "negativeDouble": .double(-2.5e-10),
    "string": .string("héllo 中文 😀"),
    "emptyString": .string(""),
    "label": .string(""),
    "bool": .bool(true),
    "false": .bool(false),
    "struct": .structValue([
        "name": .string("x"), "score": .double(0.5), "ok": .bool(true), "nothing": .null,
        "list": .array([.string("a"), .double(2.5), .array([]), .object(["k": .bool(false)])]),
        "nested": .object(["deeper": .object(["leaf": .string("🍃")])]),
    ]),
    "emptyStruct": .structValue([:]),
    "proto": .proto(type: "type.googleapis.com/google.protobuf.StringValue", bytes: [0x0A, 0x02, 0x68, 0x69]),
    "emptyProto": .proto(type: "type.example/Empty", bytes: []),
    "key with spaces/and:colons": .string("v"),
]

@Suite struct ServiceCustomPropertyTests {
    @Test func everyKindRoundTripsThroughCreateGetAndList() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", custom: everyKind)
        #expect(model.customProperties == everyKind)
        #expect(try fixture.service.get(.registeredModel, id: model.id!).customProperties == everyKind)
        // The list path loads properties of several rows at once.
        try fixture.registeredModel("other", custom: ["int": .int(1)])
        let listed = try fixture.service.list(ListQuery(kinds: [.registeredModel])).items
        #expect(listed.map(\.customProperties) == [everyKind, ["int": .int(1)]])
    }

    @Test(arguments: ["kf.ModelVersion", "kf.ModelArtifact", "kf.ServeModel"])
    func everyKindRoundTripsOnEveryNodeTable(typeName: String) throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let entity: Entity
        switch typeName {
        case "kf.ModelVersion": entity = try fixture.modelVersion("v", of: model.id!, custom: everyKind)
        case "kf.ModelArtifact": entity = try fixture.modelArtifact("a", version: nil, custom: everyKind)
        default:
            entity = try fixture.service.create(Entity(kind: .serveModel, name: "s", fields: ["modelVersionId": .int(try fixture.reference("kf.ModelVersion"))],
                                                       customProperties: everyKind))
        }
        #expect(entity.customProperties == everyKind)
        #expect(try fixture.service.get(entity.kind, id: entity.id!).customProperties == everyKind)
    }

    @Test func customRowsAreStoredTheWayMLMDStoresThem() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", custom: everyKind)
        func columns(_ name: String) throws -> [String]? {
            try fixture.connection.first("""
                SELECT typeof(int_value), typeof(double_value), typeof(string_value), typeof(byte_value),
                       typeof(proto_value), typeof(bool_value), COALESCE(string_value, ''), COALESCE(CAST(proto_value AS TEXT), '')
                FROM ContextProperty WHERE context_id = ? AND name = ? AND is_custom_property = 1
                """, [.integer(model.id!), .text(name)]) { row in (0..<8).map { row.string(Int32($0)) } }
        }
        #expect(try columns("int")?.prefix(6) == ["integer", "null", "null", "null", "null", "null"])
        #expect(try columns("double")?.prefix(6) == ["null", "real", "null", "null", "null", "null"])
        #expect(try columns("wholeDouble")?.prefix(6) == ["null", "real", "null", "null", "null", "null"])
        #expect(try columns("string")?.prefix(6) == ["null", "null", "text", "null", "null", "null"])
        #expect(try columns("bool")?.prefix(6) == ["null", "null", "null", "null", "null", "integer"])
        #expect(try fixture.connection.scalarInt(
            "SELECT bool_value FROM ContextProperty WHERE context_id = ? AND name = 'false'", [.integer(model.id!)]) == 0)
        let structRow = try #require(try columns("struct"))
        #expect(structRow[2] == "text")
        #expect(structRow[6].hasPrefix("mlmd-struct::"))
        // Proto: the base64 text of a serialized google.protobuf.Any in proto_value.
        let protoRow = try #require(try columns("proto"))
        #expect(protoRow.prefix(6) == ["null", "null", "null", "null", "blob", "null"])
        let any = try #require(Data(base64Encoded: protoRow[7]))
        let typeURL = Array("type.googleapis.com/google.protobuf.StringValue".utf8)
        #expect(Array(any) == [0x0A, UInt8(typeURL.count)] + typeURL + [0x12, 0x04, 0x0A, 0x02, 0x68, 0x69])
        #expect(try fixture.count("ContextProperty", where: "context_id = \(model.id!) AND is_custom_property = 1")
            == Int64(everyKind.count))
    }

    @Test func numbersInsideStructsComeBackAsDoubles() throws {
        // google.protobuf.Struct has only double numbers, so an integer becomes a whole double.
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", custom: ["s": .structValue(["n": .int(7), "l": .array([.int(-1)])])])
        #expect(model.customProperties?["s"] == .structValue(["n": .double(7), "l": .array([.double(-1)])]))
        if case .structValue(let fields)? = model.customProperties?["s"] {
            #expect(String(decoding: JSON.object(fields).serialized(), as: UTF8.self) == #"{"l":[-1],"n":7}"#)
        }
    }

    @Test func rowsWithoutAValueOrWithBytesAreNotExposed() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", custom: ["kept": .int(1)])
        try fixture.connection.run("INSERT INTO ContextProperty(context_id, name, is_custom_property) VALUES (?, 'novalue', 1)",
                                   [.integer(model.id!)])
        try fixture.store.setProperty(.context, owner: model.id!, PropertyRow(name: "raw", isCustom: true, value: .bytes([1])))
        try fixture.store.setProperty(.context, owner: model.id!, PropertyRow(name: "badproto", isCustom: true, value: .proto([0xFF])))
        #expect(try fixture.service.get(.registeredModel, id: model.id!).customProperties == ["kept": .int(1)])
    }

    @Test func aStringThatLooksLikeABrokenStructStaysAString() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", custom: ["s": .string("mlmd-struct::not base64!")])
        #expect(model.customProperties == ["s": .string("mlmd-struct::not base64!")])
    }

    /// Was a bug: the API accepts any JSON object as a struct value (jansson allows 2048 levels) and
    /// `StructCodec.encode` writes it, but `StructCodec.decode` gives up past 63 protobuf levels
    /// (about 32 nested objects), so the value comes back as a *string* custom property holding
    /// the raw `mlmd-struct::…` text. Fix: reject on write what cannot be read back — give
    /// `StructCodec` one `maxDepth` used by both directions and make the service (or the API
    /// decoder) answer 400 for deeper structs.
    @Test func deeplyNestedStructsRoundTripOrAreRejected() throws {
        let fixture = try RegistryFixture()
        var value = JSON.string("leaf")
        for _ in 0..<40 { value = .object(["k": value]) }
        guard case .object(let fields) = value else { return }
        let created: Entity
        do {
            created = try fixture.registeredModel("m", custom: ["deep": .structValue(fields)])
        } catch {
            return  // rejected on write: acceptable
        }
        let read = try fixture.service.get(.registeredModel, id: created.id!).customProperties?["deep"]
        #expect(read == .structValue(fields))
    }
}
