import Foundation
import JSON
import MLMD
import Testing
@testable import Admin
import API
import Registry

/// A temporary directory with a registry store, filled through the REST router like a client
/// would, and helpers to inspect and damage files.
final class AdminFixture {
    let directory: URL
    let path: String
    private(set) var router: Router?
    private(set) var service: RegistryService?

    init(populated: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mr-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("registry.db").path
        try RegistryService.prepareStore(at: path)
        try open()
        if populated { try populate() }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// (Re)opens the fixture's own connection, as a server would have one.
    func open() throws {
        let service = try RegistryService.open(path: path)
        // Tests need no durability across power loss; skipping fsync keeps them fast.
        try service.store.connection.commitWithoutSync()
        self.service = service
        router = Router(service: service)
    }

    /// Closes the fixture's connection (a stopped server).
    func close() {
        router = nil
        service = nil
    }

    var connection: Connection { service!.store.connection }

    struct Reply {
        var status: Int
        var json: JSON
        subscript(key: String) -> JSON? { json[key] }
        var id: String { json["id"]?.stringValue ?? "" }
        var items: [JSON] {
            if case .array(let items)? = json["items"] { return items }
            return []
        }
    }

    @discardableResult
    func call(_ method: String, _ path: String, _ body: JSON? = nil, query: String = "") -> Reply {
        let request = Request(method: method, path: "/api/model_registry/v1alpha3" + path, query: query,
                              headers: ["content-type": "application/json"], body: body?.serialized() ?? [])
        let response = router!.handle(request)
        return Reply(status: response.status, json: (try? JSON.parse(response.body)) ?? .null)
    }

    @discardableResult
    func post(_ path: String, _ body: [String: JSON]) throws -> Reply {
        let reply = call("POST", path, .object(body))
        guard (200...201).contains(reply.status) else {
            throw FixtureError("POST \(path) -> \(reply.status): \(String(decoding: reply.json.serialized(), as: UTF8.self))")
        }
        return reply
    }

    @discardableResult
    func patch(_ path: String, _ body: [String: JSON]) throws -> Reply {
        let reply = call("PATCH", path, .object(body))
        guard reply.status == 200 else {
            throw FixtureError("PATCH \(path) -> \(reply.status): \(String(decoding: reply.json.serialized(), as: UTF8.self))")
        }
        return reply
    }

    static func metadata(_ type: String, _ key: String, _ value: JSON) -> JSON {
        .object(["metadataType": .string(type), key: value])
    }

    /// Every kind of entity and custom property value, with shared artifacts, metric history,
    /// serving and an archived model.
    func populate() throws {
        let structValue = Data(#"{"layers":[1,2],"name":"x"}"#.utf8).base64EncodedString()
        let custom: JSON = .object([
            "int": Self.metadata("MetadataIntValue", "int_value", .string("42")),
            "double": Self.metadata("MetadataDoubleValue", "double_value", .double(2.5)),
            "string": Self.metadata("MetadataStringValue", "string_value", .string("hello")),
            "bool": Self.metadata("MetadataBoolValue", "bool_value", .bool(true)),
            "struct": Self.metadata("MetadataStructValue", "struct_value", .string(structValue)),
            "proto": .object(["metadataType": .string("MetadataProtoValue"), "type": .string("type.googleapis.com/x.Y"),
                              "proto_value": .string(Data([1, 2, 3]).base64EncodedString())]),
        ])
        let alpha = try post("/registered_models", [
            "name": .string("alpha"), "description": .string("first"), "owner": .string("me"),
            "language": .array([.string("python")]), "tasks": .array([.string("nlp"), .string("vision")]),
            "externalId": .string("ext-alpha"), "customProperties": custom,
        ]).id
        let v1 = try post("/model_versions", ["name": .string("v1"), "registeredModelId": .string(alpha),
                                              "author": .string("a"), "customProperties": custom]).id
        let v2 = try post("/model_versions", ["name": .string("v2"), "registeredModelId": .string(alpha)]).id
        let weights = try post("/model_versions/\(v1)/artifacts", [
            "artifactType": .string("model-artifact"), "name": .string("weights"), "uri": .string("s3://b/w"),
            "modelFormatName": .string("onnx"), "state": .string("LIVE"), "customProperties": custom,
        ]).id
        // The same artifact also belongs to v2.
        try post("/model_versions/\(v2)/artifacts", ["artifactType": .string("model-artifact"), "id": .string(weights)])
        try post("/model_versions/\(v1)/artifacts", ["artifactType": .string("doc-artifact"), "name": .string("readme"),
                                                     "uri": .string("https://doc")])
        // A standalone artifact, later attached.
        let standalone = try post("/artifacts", ["artifactType": .string("dataset-artifact"), "name": .string("data"),
                                                 "digest": .string("sha256:1")]).id
        try post("/model_versions/\(v2)/artifacts", ["artifactType": .string("dataset-artifact"), "id": .string(standalone)])

        let beta = try post("/registered_models", ["name": .string("beta"), "state": .string("ARCHIVED")]).id
        let betaV1 = try post("/model_versions", ["name": .string("b1"), "registeredModelId": .string(beta)]).id
        try post("/model_versions/\(betaV1)/artifacts", ["artifactType": .string("model-artifact"), "name": .string("old"),
                                                         "uri": .string("s3://old")])

        let environment = try post("/serving_environments", ["name": .string("prod")]).id
        let service = try post("/inference_services", [
            "name": .string("svc"), "servingEnvironmentId": .string(environment), "registeredModelId": .string(alpha),
            "modelVersionId": .string(v1), "runtime": .string("kserve"),
        ]).id
        try post("/inference_services/\(service)/serves", ["modelVersionId": .string(v1), "name": .string("serve-1")])

        let experiment = try post("/experiments", ["name": .string("exp"), "owner": .string("me")]).id
        let run = try post("/experiments/\(experiment)/experiment_runs", [
            "name": .string("run-1"), "startTimeSinceEpoch": .string("1000"), "customProperties": custom,
        ]).id
        try post("/experiment_runs/\(run)/artifacts", ["artifactType": .string("metric"), "name": .string("loss"),
                                                       "value": .double(0.5), "step": .int(1), "timestamp": .string("10")])
        try post("/experiment_runs/\(run)/artifacts", ["artifactType": .string("metric"), "name": .string("loss"),
                                                       "value": .double(0.25), "step": .int(2), "timestamp": .string("20")])
        try post("/experiment_runs/\(run)/artifacts", ["artifactType": .string("parameter"), "name": .string("lr"),
                                                       "value": .string("0.1"), "parameterType": .string("number")])
        try post("/experiment_runs/\(run)/artifacts", ["artifactType": .string("dataset-artifact"), "name": .string("train"),
                                                       "uri": .string("s3://train")])
    }

    func count(_ table: String, where condition: String = "1") throws -> Int64 {
        let connection = try StoreAccess.openReadOnly(path, busyTimeout: 1000)
        return try connection.scalarInt("SELECT COUNT(*) FROM \(table) WHERE \(condition)") ?? -1
    }

    func contextID(type: String, name: String) throws -> Int64? {
        let connection = try StoreAccess.openReadOnly(path, busyTimeout: 1000)
        return try connection.scalarInt("SELECT c.id FROM Context c JOIN Type t ON t.id = c.type_id WHERE t.name = ? AND c.name = ?",
                                        [.text(type), .text(name)])
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Bytes and modification time of a file, to prove an operation left it alone.
struct FileFingerprint: Equatable {
    let bytes: Data?
    let modified: Date?

    init(_ path: String) {
        bytes = FileManager.default.contents(atPath: path)
        modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}

/// The files of a directory (to prove nothing was created or left behind).
func directoryListing(_ directory: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
}

/// Damaged stores of each kind, written into `directory`.
enum DamagedFile: String, CaseIterable {
    case truncated
    case randomBytes
    case foreignSQLite
    case empty
    case textFile

    func write(in fixture: AdminFixture) throws -> String {
        let target = fixture.file("\(rawValue).db")
        switch self {
        case .truncated:
            // A checkpointed copy of the store cut in the middle of a page.
            let copy = fixture.file("full-copy.db")
            _ = try BackupOperation(path: fixture.path, destination: copy).run()
            let data = try Data(contentsOf: URL(fileURLWithPath: copy))
            // Whole pages, so only the page count in the header tells it is incomplete.
            try data.prefix((data.count / 2 / 4096) * 4096).write(to: URL(fileURLWithPath: target))
            try FileManager.default.removeItem(atPath: copy)
        case .randomBytes:
            var generator = SystemRandomNumberGenerator()
            try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: target))
        case .foreignSQLite:
            let connection = try Connection(path: target)
            try connection.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices(total) VALUES (9.5)")
        case .empty:
            FileManager.default.createFile(atPath: target, contents: Data())
        case .textFile:
            try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: target))
        }
        return target
    }
}

/// Runs an operation that must fail, returning its error.
func expectFailure(_ kind: AdminError.Kind = .failed, _ body: () throws -> Void,
                   sourceLocation: SourceLocation = #_sourceLocation) -> AdminError? {
    do {
        try body()
        Issue.record("expected the operation to fail", sourceLocation: sourceLocation)
        return nil
    } catch let error as AdminError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected an AdminError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
