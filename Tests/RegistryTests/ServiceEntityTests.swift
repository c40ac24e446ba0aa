import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

@Suite struct ServiceRegisteredModelTests {
    @Test func createGetRoundTrip() throws {
        let fixture = try RegistryFixture()
        let before = RegistryService.now()
        let created = try fixture.registeredModel("my model", fields: [
            "description": .string("desc"), "owner": .string("me"), "tasks": .stringList(["a", "b"]),
            "readme": .string("# ReadMe\nü"),
        ], externalID: "ext-1")
        #expect(created.id == 1)
        #expect(created.name == "my model")
        #expect(created.externalID == "ext-1")
        #expect(created.fields == [
            "description": .string("desc"), "owner": .string("me"), "tasks": .stringList(["a", "b"]),
            "readme": .string("# ReadMe\nü"), "state": .string("LIVE"),
        ], "state defaults to LIVE")
        #expect(created.customProperties == [:])
        let createTime = try #require(created.createTime)
        #expect(createTime >= before && createTime <= RegistryService.now())
        #expect(created.updateTime == created.createTime)
        #expect(try fixture.service.get(.registeredModel, id: 1) == created)

        // Stored the way upstream stores it.
        let node = try #require(try fixture.store.node(.context, id: 1))
        #expect(node.name == "my model")
        #expect(node.typeID == 10)
        #expect(try fixture.count("ContextProperty", where: "context_id = 1 AND is_custom_property = 0") == 5)
        #expect(try fixture.connection.first(
            "SELECT string_value FROM ContextProperty WHERE context_id = 1 AND name = 'state'") { $0.string(0) } == "LIVE")
    }

    @Test func nameIsStoredVerbatimEvenWithColons() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("org:model:v1")
        #expect(model.name == "org:model:v1")
        #expect(try fixture.store.node(.context, id: model.id!)?.name == "org:model:v1")
        #expect(try fixture.service.find([.registeredModel], name: "org:model:v1", externalID: nil, parent: nil).id == model.id)
    }

    @Test func getOfMissingOrOtherKindIsNotFound() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let version = try fixture.modelVersion("v", of: model.id!)
        #expect(throwsRegistryError(\.isNotFound) { _ = try fixture.service.get(.registeredModel, id: 999) })
        #expect(throwsRegistryError(\.isNotFound) { _ = try fixture.service.get(.registeredModel, id: version.id!) })
        #expect(throwsRegistryError(\.isNotFound) { _ = try fixture.service.get(.modelVersion, id: model.id!) })
        #expect(throwsRegistryError(\.isNotFound) {
            _ = try fixture.service.update(.registeredModel, id: version.id!, with: Entity(kind: .registeredModel))
        })
        do {
            _ = try fixture.service.get(.registeredModel, id: 999)
        } catch let error as RegistryError {
            #expect(error.message == "no registered model found for id 999: not found")
        }
    }

    @Test func listReturnsOnlyThisKind() throws {
        let fixture = try RegistryFixture()
        let a = try fixture.registeredModel("a")
        let b = try fixture.registeredModel("b")
        try fixture.modelVersion("v", of: a.id!)
        _ = try fixture.service.create(Entity(kind: .servingEnvironment, name: "env"))
        let page = try fixture.service.list(ListQuery(kinds: [.registeredModel]))
        #expect(page.items.map(\.id) == [a.id, b.id])
        #expect(page.nextPageToken == "")
        #expect(page.pageSize == 0)
        #expect(page.size == 2)
    }

    @Test func findByNameOrExternalID() throws {
        let fixture = try RegistryFixture()
        let a = try fixture.registeredModel("alpha", externalID: "ext-a")
        let b = try fixture.registeredModel("beta", externalID: "ext-b")
        let service = fixture.service
        #expect(try service.find([.registeredModel], name: "alpha", externalID: nil, parent: nil).id == a.id)
        #expect(try service.find([.registeredModel], name: nil, externalID: "ext-b", parent: nil).id == b.id)
        // A name wins over an external id; empty strings count as absent.
        #expect(try service.find([.registeredModel], name: "alpha", externalID: "ext-b", parent: nil).id == a.id)
        #expect(try service.find([.registeredModel], name: "", externalID: "ext-b", parent: nil).id == b.id)
        // Names match exactly: no LIKE wildcards, no case folding.
        #expect(throwsRegistryError(\.isNotFound) { _ = try service.find([.registeredModel], name: "al%", externalID: nil, parent: nil) })
        #expect(throwsRegistryError(\.isNotFound) { _ = try service.find([.registeredModel], name: "ALPHA", externalID: nil, parent: nil) })
        #expect(throwsRegistryError(\.isNotFound) { _ = try service.find([.registeredModel], name: "gamma", externalID: nil, parent: nil) })
        #expect(throwsRegistryError(\.isNotFound) { _ = try service.find([.modelVersion], name: "alpha", externalID: nil, parent: nil) })
        do {
            _ = try service.find([.registeredModel], name: "gamma", externalID: nil, parent: nil)
        } catch let error as RegistryError {
            #expect(error.message == "no registered models found for name=gamma, externalId=: not found")
        }
    }

    @Test func tooLongNamesAreRejected() throws {
        let fixture = try RegistryFixture()
        #expect(try fixture.registeredModel(String(repeating: "x", count: 255)).name?.count == 255)
        #expect(throwsRegistryError(\.isBadRequest) { try fixture.registeredModel(String(repeating: "y", count: 256)) })
    }

    /// Was a bug: `checkNameLength` counts `String.count` (grapheme clusters), but MySQL and
    /// PostgreSQL limit `VARCHAR(255)` in code points. 200 decomposed "é" (e + U+0301) are 200
    /// characters to Swift and 400 to MySQL, so the store accepts a name that cannot be
    /// migrated. Fix: compare `storedName.unicodeScalars.count` with the limit.
    @Test func nameLengthIsCountedInCodePoints() throws {
        let fixture = try RegistryFixture()
        let decomposed = String(repeating: "e\u{301}", count: 200)
        #expect(decomposed.unicodeScalars.count == 400)
        let accepted = (try? fixture.registeredModel(decomposed)) != nil
        #expect(!accepted, "a 400-code-point name overflows VARCHAR(255)")
    }
}

@Suite struct ServiceModelVersionTests {
    @Test func createLinksToTheParentAndPrefixesTheName() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("model")
        let version = try fixture.modelVersion("v1", of: model.id!, fields: ["author": .string("ann")])
        let id = try #require(version.id)
        #expect(id == model.id! + 1, "contexts share one id sequence")
        #expect(version.name == "v1")
        #expect(version.fields == ["author": .string("ann"), "state": .string("LIVE"), "registeredModelId": .int(model.id!)])
        #expect(try fixture.store.node(.context, id: id)?.name == "\(model.id!):v1")
        #expect(try fixture.store.node(.context, id: id)?.typeID == 11)
        #expect(try fixture.store.parentContexts(of: id) == [model.id!])
        #expect(try fixture.connection.scalarInt(
            "SELECT int_value FROM ContextProperty WHERE context_id = ? AND name = 'registered_model_id' AND is_custom_property = 0",
            [.integer(id)]) == model.id!)
        #expect(try fixture.service.get(.modelVersion, id: id) == version)
    }

    @Test func taggedNamesKeepEverythingAfterTheFirstColon() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("model")
        let version = try fixture.modelVersion("model:latest", of: model.id!)
        #expect(version.name == "model:latest")
        #expect(try fixture.store.node(.context, id: version.id!)?.name == "\(model.id!):model:latest")
        let found = try fixture.service.find([.modelVersion], name: "model:latest", externalID: nil,
                                             parent: (model.id!, .parentContext))
        #expect(found.id == version.id)
    }

    @Test func parentIsRequiredAndMustExist() throws {
        let fixture = try RegistryFixture()
        let environment = try fixture.service.create(Entity(kind: .servingEnvironment, name: "env"))
        #expect(throwsRegistryError(\.isMissingRequiredField) {
            _ = try fixture.service.create(Entity(kind: .modelVersion, name: "v"))
        })
        #expect(throwsRegistryError(\.isNotFound) { try fixture.modelVersion("v", of: 999) })
        // A context of another kind is not a registered model.
        #expect(throwsRegistryError(\.isNotFound) { try fixture.modelVersion("v", of: environment.id!) })
        #expect(try fixture.count("Context", where: "type_id = 11") == 0)
    }

    @Test func listAndFindUnderTheParent() throws {
        let fixture = try RegistryFixture()
        let m1 = try fixture.registeredModel("m1")
        let m2 = try fixture.registeredModel("m2")
        let v1 = try fixture.modelVersion("v", of: m1.id!)
        let v2 = try fixture.modelVersion("w", of: m1.id!)
        let v3 = try fixture.modelVersion("v", of: m2.id!)
        let service = fixture.service
        #expect(try service.list(ListQuery(kinds: [.modelVersion], owner: (m1.id!, .parentContext))).items.map(\.id) == [v1.id, v2.id])
        #expect(try service.list(ListQuery(kinds: [.modelVersion], owner: (m2.id!, .parentContext))).items.map(\.id) == [v3.id])
        #expect(try service.list(ListQuery(kinds: [.modelVersion])).items.count == 3)
        #expect(try service.find([.modelVersion], name: "v", externalID: nil, parent: (m2.id!, .parentContext)).id == v3.id)
        #expect(try service.find([.modelVersion], name: "w", externalID: nil, parent: (m1.id!, .parentContext)).id == v2.id)
        #expect(throwsRegistryError(\.isNotFound) {
            _ = try service.find([.modelVersion], name: "w", externalID: nil, parent: (m2.id!, .parentContext))
        })
        // The same name under two models is ambiguous without a parent.
        do {
            _ = try service.find([.modelVersion], name: "v", externalID: nil, parent: nil)
            Issue.record("expected an ambiguity error")
        } catch let error as RegistryError {
            #expect(error.isNotFound)
            #expect(error.message.contains("multiple model versions"))
        }
    }

    @Test func updateCannotMoveAVersionToAnotherModel() throws {
        let fixture = try RegistryFixture()
        let m1 = try fixture.registeredModel("m1")
        let m2 = try fixture.registeredModel("m2")
        let version = try fixture.modelVersion("v", of: m1.id!)
        let updated = try fixture.service.update(.modelVersion, id: version.id!, with: Entity(
            kind: .modelVersion, name: "renamed", fields: ["registeredModelId": .int(m2.id!), "author": .string("bo")]))
        #expect(updated.fields["registeredModelId"] == .int(m1.id!))
        #expect(updated.fields["author"] == .string("bo"))
        #expect(updated.name == "v", "names are immutable")
        #expect(try fixture.store.parentContexts(of: version.id!) == [m1.id!])
        #expect(try fixture.store.node(.context, id: version.id!)?.name == "\(m1.id!):v")
    }

    @Test func versionNameLengthCountsThePrefix() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        // "<id>:" + 255 characters overflows the 255-character column (upstream e2e expects a failure).
        #expect(throwsRegistryError(\.isBadRequest) { try fixture.modelVersion(String(repeating: "v", count: 255), of: model.id!) })
        let longest = 255 - "\(model.id!):".count
        #expect(try fixture.modelVersion(String(repeating: "v", count: longest), of: model.id!).name?.count == longest)
    }
}

@Suite struct ServiceModelArtifactTests {
    @Test func createAttributedToAVersion() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let version = try fixture.modelVersion("v", of: model.id!)
        let artifact = try fixture.modelArtifact("weights", version: version.id!, fields: [
            "uri": .string("s3://bucket/key"), "state": .string("LIVE"), "modelFormatName": .string("onnx"),
            "modelFormatVersion": .string("1"), "storageKey": .string("k"),
        ])
        let id = try #require(artifact.id)
        #expect(id == 1, "artifacts have their own id sequence")
        #expect(artifact.name == "weights")
        #expect(artifact.fields == [
            "uri": .string("s3://bucket/key"), "state": .string("LIVE"), "modelFormatName": .string("onnx"),
            "modelFormatVersion": .string("1"), "storageKey": .string("k"),
        ])
        let node = try #require(try fixture.store.node(.artifact, id: id))
        #expect(node.name == "\(version.id!):weights")
        #expect(node.uri == "s3://bucket/key")
        #expect(node.state == 2, "LIVE is ArtifactState 2")
        #expect(node.typeID == 13)
        #expect(try fixture.store.attributedContexts(of: id) == [version.id!])
        #expect(try fixture.count("Attribution", where: "context_id = \(version.id!) AND artifact_id = \(id)") == 1)
        #expect(try fixture.service.get(.modelArtifact, id: id) == artifact)
        #expect(try fixture.service.getArtifact(id: id) == artifact)
        #expect(try fixture.service.artifactKind(id: id) == .modelArtifact)
        let listed = try fixture.service.list(ListQuery(kinds: [.modelArtifact], owner: (version.id!, .attribution)))
        #expect(listed.items == [artifact])
        let found = try fixture.service.find([.modelArtifact], name: "weights", externalID: nil,
                                             parent: (version.id!, .attribution))
        #expect(found.id == id)
    }

    @Test func unownedArtifactsGetAUUIDPrefixAndUnnamedOnesAUUIDName() throws {
        let fixture = try RegistryFixture()
        let named = try fixture.modelArtifact("solo", version: nil)
        let stored = try #require(try fixture.store.node(.artifact, id: named.id!)?.name)
        let parts = stored.split(separator: ":", maxSplits: 1).map(String.init)
        #expect(parts.count == 2 && parts[1] == "solo")
        #expect(UUID(uuidString: parts[0]) != nil)
        #expect(parts[0] == parts[0].lowercased())
        #expect(named.name == "solo")
        #expect(try fixture.count("Attribution") == 0)

        let model = try fixture.registeredModel("m")
        let version = try fixture.modelVersion("v", of: model.id!)
        let unnamed = try fixture.modelArtifact(nil, version: version.id!)
        #expect(UUID(uuidString: unnamed.name ?? "") != nil)
        #expect(try fixture.store.node(.artifact, id: unnamed.id!)?.name == "\(version.id!):\(unnamed.name!)")
    }

    @Test func ownerMustExist() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        #expect(throwsRegistryError(\.isNotFound) { try fixture.modelArtifact("a", version: 999) })
        #expect(throwsRegistryError(\.isNotFound) { try fixture.modelArtifact("a", version: model.id!) })
        #expect(try fixture.count("Artifact") == 0)
    }

    @Test func polymorphicReadsFilterByKind() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let version = try fixture.modelVersion("v", of: model.id!)
        let artifact = try fixture.modelArtifact("a", version: version.id!)
        let doc = try fixture.service.create(Entity(kind: .docArtifact, name: "d", fields: ["uri": .string("u")]),
                                             owner: Owner(kind: .modelVersion, id: version.id!, link: .attribution))
        #expect(try fixture.service.getArtifact(id: doc.id!).kind == .docArtifact)
        #expect(throwsRegistryError(\.isNotFound) { _ = try fixture.service.get(.modelArtifact, id: doc.id!) })
        #expect(throwsRegistryError(\.isNotFound) { _ = try fixture.service.getArtifact(id: 999) })
        let all = try fixture.service.list(ListQuery(kinds: EntityKind.publicArtifacts, owner: (version.id!, .attribution)))
        #expect(all.items.map(\.id) == [artifact.id, doc.id])
        #expect(all.items.map(\.kind) == [.modelArtifact, .docArtifact])
        // An internal kind is not a public artifact.
        let history = try fixture.service.create(Entity(kind: .metricHistory, name: "h", fields: ["value": .double(1)]))
        #expect(throwsRegistryError(\.isNotFound) { _ = try fixture.service.getArtifact(id: history.id!) })
        #expect(try fixture.service.artifactKind(id: history.id!) == nil)
        #expect(try fixture.service.artifactKind(id: 999) == nil)
    }

    @Test func updateAndAttachLinksToASecondVersion() throws {
        let fixture = try RegistryFixture()
        let model = try fixture.registeredModel("m")
        let v1 = try fixture.modelVersion("v1", of: model.id!)
        let v2 = try fixture.modelVersion("v2", of: model.id!)
        let artifact = try fixture.modelArtifact("a", version: v1.id!)
        let owner = Owner(kind: .modelVersion, id: v2.id!, link: .attribution)
        let updated = try fixture.service.updateAndAttach(.modelArtifact, id: artifact.id!, with: Entity(
            kind: .modelArtifact, fields: ["storagePath": .string("/p")]), owner: owner)
        #expect(updated.fields["storagePath"] == .string("/p"))
        #expect(try fixture.store.attributedContexts(of: artifact.id!) == [v1.id!, v2.id!])
        // Attaching again is a no-op for links.
        _ = try fixture.service.updateAndAttach(.modelArtifact, id: artifact.id!, with: Entity(kind: .modelArtifact), owner: owner)
        #expect(try fixture.count("Attribution") == 2)
        // Wrong kind or missing owner.
        #expect(throwsRegistryError(\.isBadRequest) {
            _ = try fixture.service.updateAndAttach(.docArtifact, id: artifact.id!, with: Entity(kind: .docArtifact), owner: owner)
        })
        #expect(throwsRegistryError(\.isNotFound) {
            _ = try fixture.service.updateAndAttach(.modelArtifact, id: artifact.id!, with: Entity(kind: .modelArtifact),
                                                    owner: Owner(kind: .modelVersion, id: 999, link: .attribution))
        })
        #expect(throwsRegistryError(\.isNotFound) {
            _ = try fixture.service.updateAndAttach(.modelArtifact, id: 999, with: Entity(kind: .modelArtifact), owner: owner)
        })
    }
}
