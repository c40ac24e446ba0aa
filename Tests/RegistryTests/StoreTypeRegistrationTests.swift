import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

/// Upstream v0.3.0's fixed seed order (upstream-semantics.md §1.1) with MLMD type kinds.
private let upstreamTypeOrder: [(name: String, kind: Int64)] = [
    ("kf.RegisteredModel", 2), ("kf.ModelVersion", 2), ("kf.DocArtifact", 1), ("kf.ModelArtifact", 1),
    ("kf.ServingEnvironment", 2), ("kf.InferenceService", 2), ("kf.ServeModel", 0), ("kf.MetricHistory", 1),
    ("kf.Experiment", 2), ("kf.ExperimentRun", 2), ("kf.DataSet", 1), ("kf.Metric", 1), ("kf.Parameter", 1),
]

/// A value of the field's type as a validated request would carry it; nil for fields clients
/// cannot set. Reference fields get the id of an existing entity of the referenced type.
private func sampleValue(for field: FieldSpec, in fixture: RegistryFixture) throws -> FieldValue? {
    guard field.mutability != .readOnly else { return nil }
    if let referenced = field.references { return .int(try fixture.reference(referenced)) }
    switch field.type {
    case .string: return .string("value of \(field.json) é")
    case .enumeration(_, let values): return .string(values[values.count - 1])
    case .id: return .int(12345)
    case .int64String: return .int(1_700_000_000_123)
    case .numericString: return .string("1700000000456")
    case .integer: return .int(-7)
    case .double: return .double(0.25)
    case .stringList: return .stringList(["first", "second"])
    }
}

@Suite struct StoreTypeRegistrationTests {
    @Test func kindsFollowUpstreamOrder() {
        #expect(EntityKind.all.map(\.typeName) == upstreamTypeOrder.map(\.name))
        #expect(EntityKind.all.map(\.node.typeKind.rawValue) == upstreamTypeOrder.map(\.kind))
    }

    @Test func prepareStoreRegistersEveryKindWithIdsTenToTwentyTwo() throws {
        let fixture = try RegistryFixture()
        let rows = try fixture.connection.all("SELECT id, name, type_kind, version FROM Type WHERE id > 9 ORDER BY id") {
            ($0.int64(0), $0.string(1), $0.int64(2), $0.optionalString(3))
        }
        #expect(rows.map(\.0) == Array(10...22))
        #expect(rows.map(\.1) == upstreamTypeOrder.map(\.name))
        #expect(rows.map(\.2) == upstreamTypeOrder.map(\.kind))
        #expect(rows.allSatisfy { $0.3 == nil })
        for (offset, kind) in EntityKind.all.enumerated() {
            #expect(try fixture.store.typeID(named: kind.typeName) == Int64(10 + offset))
        }
        #expect(try fixture.count("Type") == 22)
    }

    @Test func declaredPropertiesAreExactlyTheTypeDefinitions() throws {
        let fixture = try RegistryFixture()
        for kind in EntityKind.all {
            let typeID = try fixture.store.typeID(named: kind.typeName)
            var declared: [String: Int64] = [:]
            try fixture.connection.query("SELECT name, data_type FROM TypeProperty WHERE type_id = ?", [.integer(typeID)]) {
                declared[$0.string(0)] = $0.int64(1)
            }
            var expected: [String: Int64] = [:]
            for property in kind.typeDefinition.properties { expected[property.name] = property.type.rawValue }
            #expect(declared == expected, "\(kind.typeName)")
        }
        // Spot checks against the reference (§2), including our deliberate declarations.
        let rm = try fixture.store.typeID(named: "kf.RegisteredModel")
        let mv = try fixture.store.typeID(named: "kf.ModelVersion")
        let metric = try fixture.store.typeID(named: "kf.Metric")
        func dataType(_ type: Int64, _ name: String) throws -> Int64? {
            try fixture.connection.scalarInt("SELECT data_type FROM TypeProperty WHERE type_id = ? AND name = ?",
                                             [.integer(type), .text(name)])
        }
        #expect(try dataType(rm, "language") == 4)
        #expect(try dataType(rm, "tasks") == 4)
        #expect(try dataType(rm, "license_link") == 3)
        #expect(try dataType(mv, "registered_model_id") == 1)
        #expect(try dataType(mv, "model_name") == 3)
        #expect(try dataType(mv, "version") == 3)
        #expect(try dataType(metric, "value") == 2)
        #expect(try dataType(metric, "step") == 1)
    }

    @Test func prepareStoreIsIdempotent() throws {
        let fixture = try RegistryFixture()
        let before = try fixture.rowCounts()
        try RegistryService.prepareStore(at: fixture.path)
        try RegistryService.prepareStore(at: fixture.path)
        #expect(try fixture.rowCounts() == before)
    }

    @Test func prepareStoreRefusesAConflictingTypeAndWritesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        let store = try MetadataStore.open(path: path)
        try store.createOrVerifySchema()
        // An earlier store declared kf.ModelVersion as an artifact type.
        try store.ensureType(TypeDefinition(name: "kf.ModelVersion", kind: .artifact, properties: []))
        #expect(throws: MetadataStore.StoreError.self) { try RegistryService.prepareStore(at: path) }
        #expect(try store.connection.scalarInt("SELECT COUNT(*) FROM Type") == 10, "kf.RegisteredModel was rolled back")
    }

    /// For every kind: create an entity with every settable field, then check that each typed
    /// property row is declared and that its value sits in the column its data type implies.
    @Test(arguments: EntityKind.all.map(\.typeName))
    func writtenPropertiesAgreeWithDeclaredTypes(typeName: String) throws {
        let kind = try #require(EntityKind.all.first { $0.typeName == typeName })
        let fixture = try RegistryFixture()
        var fields: [String: FieldValue] = [:]
        for field in kind.fields {
            if let value = try sampleValue(for: field, in: fixture) { fields[field.json] = value }
        }
        let created = try fixture.service.create(Entity(kind: kind, name: "every field", externalID: "ext-\(typeName)",
                                                        fields: fields, customProperties: [:]))
        let id = try #require(created.id)
        #expect(created.fields == fields, "every field reads back as written")
        #expect(created.name == "every field")

        let typeID = try fixture.store.typeID(named: kind.typeName)
        struct Row { var name: String; var int: Bool; var double: Bool; var string: String?; var bytes: Bool; var proto: Bool; var bool: Bool }
        let rows = try fixture.connection.all("""
            SELECT name, int_value IS NOT NULL, double_value IS NOT NULL, string_value, byte_value IS NOT NULL,
                   proto_value IS NOT NULL, bool_value IS NOT NULL
            FROM \(kind.node.propertyTable) WHERE \(kind.node.propertyOwnerColumn) = ? AND is_custom_property = 0
            """, [.integer(id)]) {
            Row(name: $0.string(0), int: $0.int64(1) != 0, double: $0.int64(2) != 0, string: $0.optionalString(3),
                bytes: $0.int64(4) != 0, proto: $0.int64(5) != 0, bool: $0.int64(6) != 0)
        }
        let expectedRows = kind.fields.compactMap { field -> String? in
            guard case .property(let name, _) = field.storage, fields[field.json] != nil else { return nil }
            return name
        }
        #expect(Set(rows.map(\.name)) == Set(expectedRows))
        for row in rows {
            let declared = try fixture.connection.scalarInt(
                "SELECT data_type FROM TypeProperty WHERE type_id = ? AND name = ?", [.integer(typeID), .text(row.name)])
            guard let declared, let dataType = PropertyDataType(rawValue: declared) else {
                Issue.record("\(typeName).\(row.name) is written but not declared")
                continue
            }
            let setColumns = [row.int, row.double, row.string != nil, row.bytes, row.proto, row.bool].filter { $0 }.count
            #expect(setColumns == 1, "\(typeName).\(row.name) sets \(setColumns) value columns")
            switch dataType {
            case .int: #expect(row.int, "\(typeName).\(row.name) is INT")
            case .double: #expect(row.double, "\(typeName).\(row.name) is DOUBLE")
            case .string:
                #expect(row.string != nil, "\(typeName).\(row.name) is STRING")
                #expect(row.string?.hasPrefix("mlmd-struct::") != true)
            case .struct: #expect(row.string?.hasPrefix("mlmd-struct::") == true, "\(typeName).\(row.name) is STRUCT")
            case .proto: #expect(row.proto, "\(typeName).\(row.name) is PROTO")
            case .boolean: #expect(row.bool, "\(typeName).\(row.name) is BOOLEAN")
            case .unknown: Issue.record("\(typeName).\(row.name) is declared UNKNOWN")
            }
        }
        // Node columns: uri and state where the kind has them.
        let node = try #require(try fixture.store.node(kind.node, id: id))
        for field in kind.fields {
            switch field.storage {
            case .uriColumn: #expect(node.uri == fields[field.json].flatMap { if case .string(let s) = $0 { s } else { nil } })
            case .stateColumn:
                if case .enumeration(_, let values) = field.type {
                    #expect(node.state == Int64(values.count - 1), "\(typeName).\(field.json)")
                }
            default: break
            }
        }
    }

    @Test func structPropertiesUseMLMDsEncoding() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", fields: ["language": .stringList(["en", "fr"])])
        let stored = try fixture.connection.first(
            "SELECT string_value FROM ContextProperty WHERE context_id = ? AND name = 'language' AND is_custom_property = 0",
            [.integer(model.id!)]) { $0.string(0) }
        // {"language": ["en", "fr"]} as a serialized google.protobuf.Struct (checked with protobuf 4.25).
        #expect(stored == "mlmd-struct::ChoKCGxhbmd1YWdlEg4yDAoEGgJlbgoEGgJmcg==")
        #expect(model.fields["language"] == .stringList(["en", "fr"]))
    }
}
