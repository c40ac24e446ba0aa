// Shared fixtures for the Store*/Service*/Mapping* suites (the file name follows the
// `Service*Tests.swift` ownership pattern of this test target; it holds no tests).
import Foundation
import JSON
import MLMD
import Testing
@testable import Registry

/// A prepared registry store in its own temporary directory, removed on release.
final class RegistryFixture {
    let directory: URL
    let path: String
    let service: RegistryService
    var store: MetadataStore { service.store }
    var connection: Connection { service.store.connection }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("registry-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("registry.sqlite").path
        try RegistryService.prepareStore(at: path)
        service = try RegistryService.open(path: path)
        // Tests need no durability across power loss; skipping fsync keeps them fast.
        try service.store.connection.commitWithoutSync()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func count(_ table: String, where condition: String = "1") throws -> Int64 {
        try connection.scalarInt("SELECT COUNT(*) FROM \(table) WHERE \(condition)") ?? -1
    }

    /// Row counts of every table a registry write touches, to prove a failed write left nothing.
    func rowCounts() throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for table in ["Context", "ContextProperty", "Artifact", "ArtifactProperty", "Execution", "ExecutionProperty",
                      "ParentContext", "Attribution", "Association", "Type", "TypeProperty"] {
            counts[table] = try count(table)
        }
        counts["sequence"] = try connection.scalarInt("SELECT COALESCE(SUM(seq), 0) FROM sqlite_sequence")
        return counts
    }

    @discardableResult
    func registeredModel(_ name: String, fields: [String: FieldValue] = [:], externalID: String? = nil,
                         custom: [String: MetadataValue]? = nil) throws -> Entity {
        try service.create(Entity(kind: .registeredModel, name: name, externalID: externalID, fields: fields,
                                  customProperties: custom))
    }

    @discardableResult
    func modelVersion(_ name: String, of model: Int64, fields: [String: FieldValue] = [:], externalID: String? = nil,
                      custom: [String: MetadataValue]? = nil) throws -> Entity {
        var all = fields
        all["registeredModelId"] = .int(model)
        return try service.create(Entity(kind: .modelVersion, name: name, externalID: externalID, fields: all,
                                         customProperties: custom))
    }

    @discardableResult
    func modelArtifact(_ name: String?, version: Int64?, fields: [String: FieldValue] = [:], externalID: String? = nil,
                       custom: [String: MetadataValue]? = nil) throws -> Entity {
        try service.create(Entity(kind: .modelArtifact, name: name, externalID: externalID, fields: fields,
                                  customProperties: custom),
                           owner: version.map { Owner(kind: .modelVersion, id: $0, link: .attribution) })
    }

    private var references: [String: Int64] = [:]

    /// The id of an entity of the given MLMD type, created on first use together with
    /// everything it references in turn.
    func reference(_ typeName: String) throws -> Int64 {
        if let id = references[typeName] { return id }
        let kind = try #require(EntityKind.all.first { $0.typeName == typeName })
        var fields: [String: FieldValue] = [:]
        for field in kind.fields {
            if let referenced = field.references { fields[field.json] = .int(try reference(referenced)) }
        }
        let id = try #require(try service.create(Entity(kind: kind, name: "referenced \(typeName)", fields: fields)).id)
        references[typeName] = id
        return id
    }

    /// Sets a node's create and update times directly, to build ties and orders on purpose.
    func setTimes(_ node: NodeKind, id: Int64, create: Int64? = nil, update: Int64? = nil) throws {
        if let create {
            try connection.run("UPDATE \(node.table) SET create_time_since_epoch = ? WHERE id = ?", [.integer(create), .integer(id)])
        }
        if let update {
            try connection.run("UPDATE \(node.table) SET last_update_time_since_epoch = ? WHERE id = ?", [.integer(update), .integer(id)])
        }
    }
}

/// True when `body` throws the given registry error case (messages are not compared).
func throwsRegistryError(_ expected: (RegistryError) -> Bool, _ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch let error as RegistryError {
        return expected(error)
    } catch {
        return false
    }
}

extension RegistryError {
    var isConflict: Bool { if case .conflict = self { return true }; return false }
    var isNotFound: Bool { if case .notFound = self { return true }; return false }
    var isBadRequest: Bool { if case .badRequest = self { return true }; return false }
    var isMissingRequiredField: Bool { if case .missingRequiredField = self { return true }; return false }
}
