import Foundation
import MLMD
import Testing

/// A directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlmd-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A fresh MLMD store in its own temporary file. Keep the value alive while using `store`.
final class TestStore {
    let directory: TemporaryDirectory
    let path: String
    let store: MetadataStore
    var connection: Connection { store.connection }

    init(createSchema: Bool = true) throws {
        directory = try TemporaryDirectory()
        path = directory.path("mlmd.sqlite")
        store = try MetadataStore.open(path: path)
        // Tests need no durability across power loss; skipping fsync keeps them fast.
        try store.connection.commitWithoutSync()
        if createSchema { try store.createOrVerifySchema() }
    }

    func count(_ table: String, where condition: String = "1") throws -> Int64 {
        try connection.scalarInt("SELECT COUNT(*) FROM \(table) WHERE \(condition)") ?? -1
    }

    /// Registers a context, an artifact and an execution type and returns their ids.
    func standardTypes() throws -> (context: Int64, artifact: Int64, execution: Int64) {
        (try store.ensureType(TypeDefinition(name: "test.Context", kind: .context, properties: [("p", .string)])),
         try store.ensureType(TypeDefinition(name: "test.Artifact", kind: .artifact, properties: [("p", .string)])),
         try store.ensureType(TypeDefinition(name: "test.Execution", kind: .execution, properties: [("p", .string)])))
    }
}

struct InjectedFailure: Error, Equatable {}
