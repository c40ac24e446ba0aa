import Foundation
import JSON
@testable import API
import Registry

/// A router on a fresh temporary store, and helpers to call it like an HTTP client would.
final class TestRegistry {
    let directory: URL
    let router: Router

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mr-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("registry.db").path
        try Router.prepareStore(databasePath: path)
        router = try Router.open(databasePath: path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    struct Reply {
        var status: Int
        var json: JSON
        var headers: [(String, String)]
        subscript(key: String) -> JSON? { json[key] }
        var items: [JSON] {
            if case .array(let items)? = json["items"] { return items }
            return []
        }
    }

    @discardableResult
    func call(_ method: String, _ path: String, query: String = "", body: String? = nil,
              prefix: String = "/api/model_registry/v1alpha3") -> Reply {
        let request = Request(method: method, path: prefix + path, query: query,
                              headers: ["content-type": "application/json"], body: body.map { Array($0.utf8) } ?? [])
        let response = router.handle(request)
        let json = (try? JSON.parse(response.body)) ?? .null
        return Reply(status: response.status, json: json, headers: response.headers)
    }
}
