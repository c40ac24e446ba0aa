import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

@Suite struct ServiceConflictTests {
    @Test func duplicateTopLevelNameIsAConflict() throws {
        let fixture = try RegistryFixture()
        try fixture.registeredModel("m")
        do {
            try fixture.registeredModel("m")
            Issue.record("expected a conflict")
        } catch let error as RegistryError {
            #expect(error.isConflict)
            #expect(error.message == "registered model with name m already exists: conflict")
        }
        // Another kind may reuse the name.
        #expect(try fixture.service.create(Entity(kind: .servingEnvironment, name: "m")).name == "m")
        #expect(try fixture.service.create(Entity(kind: .experiment, name: "m")).name == "m")
    }

    @Test func duplicateExternalIDIsAConflictNamingTheExternalID() throws {
        let fixture = try RegistryFixture()
        try fixture.registeredModel("a", externalID: "shared")
        do {
            try fixture.registeredModel("b", externalID: "shared")
            Issue.record("expected a conflict")
        } catch let error as RegistryError {
            #expect(error.isConflict)
            #expect(error.message.contains("externalId shared"))
        }
        // External ids are unique per node table, across types.
        #expect(throwsRegistryError(\.isConflict) {
            _ = try fixture.service.create(Entity(kind: .servingEnvironment, name: "env", externalID: "shared"))
        })
        // …but not across tables.
        #expect(try fixture.modelArtifact("art", version: nil, externalID: "shared").externalID == "shared")
    }

    @Test func duplicateVersionNameIsScopedToItsModel() throws {
        let fixture = try RegistryFixture()
        let m1 = try fixture.registeredModel("m1")
        let m2 = try fixture.registeredModel("m2")
        try fixture.modelVersion("v", of: m1.id!)
        #expect(try fixture.modelVersion("v", of: m2.id!).name == "v")
        do {
            try fixture.modelVersion("v", of: m1.id!)
            Issue.record("expected a conflict")
        } catch let error as RegistryError {
            #expect(error.isConflict)
            #expect(error.message.contains("model version with name v"))
        }
    }

    @Test func duplicateArtifactNameUnderOneVersionIsAConflict() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let v1 = try fixture.modelVersion("v1", of: model.id!)
        let v2 = try fixture.modelVersion("v2", of: model.id!)
        try fixture.modelArtifact("a", version: v1.id!)
        #expect(try fixture.modelArtifact("a", version: v2.id!).name == "a")
        #expect(throwsRegistryError(\.isConflict) { try fixture.modelArtifact("a", version: v1.id!) })
        // Without an owner the UUID prefix keeps names apart.
        try fixture.modelArtifact("a", version: nil)
        try fixture.modelArtifact("a", version: nil)
    }

    @Test func aFailedCreateLeavesNoRowsBehind() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        try fixture.modelVersion("v", of: model.id!, externalID: "v-ext")
        let before = try fixture.rowCounts()
        let custom: [String: MetadataValue] = ["a": .int(1), "s": .structValue(["x": .bool(true)])]
        let attempts: [(String, () throws -> Void)] = [
            ("duplicate name under the model", {
                try fixture.modelVersion("v", of: model.id!, fields: ["description": .string("d"), "author": .string("a")],
                                         custom: custom)
            }),
            ("duplicate external id", {
                try fixture.modelVersion("other", of: model.id!, fields: ["description": .string("d")], externalID: "v-ext",
                                         custom: custom)
            }),
            ("missing parent", { try fixture.modelVersion("x", of: 999, custom: custom) }),
            ("name too long", { try fixture.modelVersion(String(repeating: "n", count: 300), of: model.id!, custom: custom) }),
        ]
        for (label, attempt) in attempts {
            #expect(throws: RegistryError.self, "\(label)") { try attempt() }
            #expect(try fixture.rowCounts() == before, "\(label) left rows behind")
        }
    }

    @Test func aFailureAfterTheNodeIsWrittenRollsBackEverything() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let before = try fixture.rowCounts()
        // Make the last step of the create (the ParentContext link) fail.
        try fixture.connection.execute("""
            CREATE TEMP TRIGGER fail_parent_link BEFORE INSERT ON ParentContext
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END
            """)
        #expect(throws: RegistryError.self) {
            try fixture.modelVersion("v", of: model.id!, fields: ["description": .string("d")], custom: ["c": .int(1)])
        }
        #expect(try fixture.rowCounts() == before)
        try fixture.connection.execute("DROP TRIGGER fail_parent_link")
        // The next create succeeds and reuses the id the failed one would have had.
        let version = try fixture.modelVersion("v", of: model.id!)
        #expect(version.id == model.id! + 1)
    }

    @Test func aFailedUpdateOfCustomPropertiesRollsBack() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", custom: ["keep": .int(1)])
        let before = try fixture.service.get(.registeredModel, id: model.id!)
        try fixture.connection.execute("""
            CREATE TEMP TRIGGER fail_custom_insert BEFORE INSERT ON ContextProperty
            WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'injected failure'); END
            """)
        #expect(throws: RegistryError.self) {
            _ = try fixture.service.update(.registeredModel, id: model.id!, with: Entity(
                kind: .registeredModel, fields: ["description": .string("changed")], customProperties: ["boom": .int(2)]))
        }
        #expect(try fixture.service.get(.registeredModel, id: model.id!) == before)
    }

    @Test func busyStoresAreReportedAsUnavailable() throws {
        let fixture = try RegistryFixture()
        let blocker = try Connection(path: fixture.path)
        try blocker.execute("BEGIN IMMEDIATE")
        defer { try? blocker.execute("ROLLBACK") }
        try fixture.connection.execute("PRAGMA busy_timeout = 20")
        do {
            try fixture.registeredModel("m")
            Issue.record("expected the write to be refused")
        } catch let error as RegistryError {
            guard case .unavailable = error else {
                Issue.record("expected unavailable, got \(error)")
                return
            }
        }
        // Reads still work while another connection writes.
        #expect(try fixture.service.list(ListQuery(kinds: [.registeredModel])).items.isEmpty)
    }
}
