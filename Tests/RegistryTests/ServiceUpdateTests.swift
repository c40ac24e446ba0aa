import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

@Suite struct ServiceUpdateTests {
    @Test func absentFieldsKeepTheirValues() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", fields: [
            "description": .string("d"), "owner": .string("o"), "language": .stringList(["en"]), "state": .string("ARCHIVED"),
        ], externalID: "e", custom: ["c": .int(1)])
        let updated = try fixture.service.update(.registeredModel, id: model.id!, with: Entity(
            kind: .registeredModel, fields: ["owner": .string("new owner")]))
        #expect(updated.fields == [
            "description": .string("d"), "owner": .string("new owner"), "language": .stringList(["en"]),
            "state": .string("ARCHIVED"),
        ], "an omitted state is kept, not reset to LIVE")
        #expect(updated.externalID == "e")
        #expect(updated.customProperties == ["c": .int(1)], "absent customProperties are kept")
        #expect(updated.name == "m")
        #expect(updated.createTime == model.createTime)
        #expect(try fixture.service.get(.registeredModel, id: model.id!) == updated)
    }

    @Test func presentFieldsOverwrite() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", fields: ["tasks": .stringList(["a"]), "description": .string("d")])
        let updated = try fixture.service.update(.registeredModel, id: model.id!, with: Entity(
            kind: .registeredModel, externalID: "new-ext",
            fields: ["tasks": .stringList([]), "description": .string(""), "state": .string("ARCHIVED")]))
        #expect(updated.fields["tasks"] == .stringList([]))
        #expect(updated.fields["description"] == .string(""))
        #expect(updated.fields["state"] == .string("ARCHIVED"))
        #expect(updated.externalID == "new-ext")
        // Still one typed row per property.
        #expect(try fixture.count("ContextProperty", where: "context_id = \(model.id!) AND name = 'tasks'") == 1)
    }

    @Test func customPropertiesAreReplacedOnlyWhenGiven() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m", fields: ["description": .string("typed")],
                                                custom: ["a": .int(1), "b": .string("x")])
        let service = fixture.service
        let id = model.id!
        // nil: keep.
        #expect(try service.update(.registeredModel, id: id, with: Entity(kind: .registeredModel)).customProperties
            == ["a": .int(1), "b": .string("x")])
        // A map: replace (absent keys are deleted, present ones updated, new ones added).
        let replaced = try service.update(.registeredModel, id: id, with: Entity(
            kind: .registeredModel, customProperties: ["b": .bool(true), "c": .double(2.5)]))
        #expect(replaced.customProperties == ["b": .bool(true), "c": .double(2.5)])
        #expect(replaced.fields["description"] == .string("typed"), "typed rows are never deleted by an update")
        // An empty map clears them all.
        let cleared = try service.update(.registeredModel, id: id, with: Entity(kind: .registeredModel, customProperties: [:]))
        #expect(cleared.customProperties == [:])
        #expect(try fixture.count("ContextProperty", where: "context_id = \(id) AND is_custom_property = 1") == 0)
        #expect(try fixture.count("ContextProperty", where: "context_id = \(id) AND is_custom_property = 0") == 2)
    }

    @Test func readOnlyAndCreateOnlyFieldsAreIgnored() throws {
        let fixture = try RegistryFixture()
        let artifact = try fixture.modelArtifact("a", version: nil)
        // experiment ids on artifacts are server-written custom rows exposed as fields.
        try fixture.store.setProperty(.artifact, owner: artifact.id!, PropertyRow(name: "experiment_id", isCustom: true, value: .int(5)))
        let updated = try fixture.service.update(.modelArtifact, id: artifact.id!, with: Entity(
            kind: .modelArtifact, fields: ["experimentId": .int(9), "uri": .string("u2")], customProperties: ["x": .int(1)]))
        #expect(updated.fields["experimentId"] == .int(5))
        #expect(updated.fields["uri"] == .string("u2"))
        #expect(updated.customProperties == ["x": .int(1)], "experiment_id is a field, not a custom property")
        // Replacing custom properties keeps the server-written experiment id.
        let again = try fixture.service.update(.modelArtifact, id: artifact.id!, with: Entity(kind: .modelArtifact, customProperties: [:]))
        #expect(again.fields["experimentId"] == .int(5))
    }

    @Test func artifactStateAndURIColumnsUpdate() throws {
        let fixture = try RegistryFixture()
        let artifact = try fixture.modelArtifact("a", version: nil, fields: ["uri": .string("u1"), "state": .string("PENDING")])
        let updated = try fixture.service.update(.modelArtifact, id: artifact.id!, with: Entity(
            kind: .modelArtifact, fields: ["state": .string("DELETED")]))
        #expect(updated.fields["state"] == .string("DELETED"))
        #expect(updated.fields["uri"] == .string("u1"))
        #expect(try fixture.store.node(.artifact, id: artifact.id!)?.state == 4)
    }

    @Test func updateTimeStrictlyIncreases() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        var previous = try #require(model.updateTime)
        // Back-to-back updates usually land in the same millisecond.
        for i in 0..<20 {
            let updated = try fixture.service.update(.registeredModel, id: model.id!, with: Entity(
                kind: .registeredModel, fields: ["description": .string("\(i)")]))
            let time = try #require(updated.updateTime)
            #expect(time > previous)
            #expect(updated.createTime == model.createTime)
            previous = time
        }
    }

    @Test func updateTimeIncreasesEvenWhenTheStoredTimeIsAhead() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let future = RegistryService.now() + 3_600_000
        try fixture.setTimes(.context, id: model.id!, update: future)
        let first = try fixture.service.update(.registeredModel, id: model.id!, with: Entity(kind: .registeredModel))
        #expect(first.updateTime == future + 1)
        let second = try fixture.service.update(.registeredModel, id: model.id!, with: Entity(kind: .registeredModel))
        #expect(second.updateTime == future + 2)
    }

    @Test func aFailedUpdateChangesNothing() throws {
        let fixture = try RegistryFixture()
        try fixture.registeredModel("taken", externalID: "taken-ext")
        let model = try fixture.registeredModel("m", fields: ["description": .string("before")], externalID: "mine",
                                                custom: ["k": .int(1)])
        let before = try fixture.service.get(.registeredModel, id: model.id!)
        do {
            _ = try fixture.service.update(.registeredModel, id: model.id!, with: Entity(
                kind: .registeredModel, externalID: "taken-ext", fields: ["description": .string("after")],
                customProperties: ["other": .int(2)]))
            Issue.record("expected a conflict")
        } catch let error as RegistryError {
            #expect(error.isConflict)
            #expect(error.message.contains("taken-ext"))
        }
        #expect(try fixture.service.get(.registeredModel, id: model.id!) == before)
    }
}
