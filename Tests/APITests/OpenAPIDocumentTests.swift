import Foundation
import JSON
import Testing
@testable import API

@Suite struct OpenAPIDocumentTests {
    @Test func servedUnderBothPrefixes() throws {
        let registry = try TestRegistry()
        let v1alpha3 = registry.router.handle(Request(method: "GET", path: "/api/model_registry/v1alpha3/openapi.yaml"))
        let v1 = registry.router.handle(Request(method: "GET", path: "/api/model_registry/v1/openapi.yaml"))
        #expect(v1alpha3.status == 200)
        #expect(v1alpha3.headers.first { $0.0 == "Content-Type" }?.1 == "application/yaml")
        #expect(v1.status == 200)
        #expect(v1.body == v1alpha3.body)
        let text = String(decoding: v1alpha3.body, as: UTF8.self)
        #expect(text.contains("\nopenapi: 3.0.3\n"))
        #expect(registry.call("POST", "/openapi.yaml").status == 405)
    }

    /// The document lists exactly the (path, method) pairs the route table serves.
    @Test func documentMatchesRouteTable() throws {
        let registry = try TestRegistry()
        let response = registry.router.handle(Request(method: "GET", path: "/api/model_registry/v1alpha3/openapi.yaml"))
        try #require(response.status == 200)
        let documented = Self.operations(inDocument: String(decoding: response.body, as: UTF8.self))
        let served = Set(registry.router.table.operations.map { "\($0.method) \(Self.anonymised($0.path))" })
        #expect(documented.count == served.count && documented.count > 50)
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
    }

    /// `METHOD path` for every operation, read from the document's layout: paths are the
    /// two-space-indented keys under `paths:`, methods the four-space-indented keys below them.
    static func operations(inDocument text: String) -> Set<String> {
        let prefix = "/api/model_registry/v1alpha3/"
        let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]
        var result: Set<String> = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") {
                inPaths = line == "paths:"
                path = nil
            } else if inPaths, line.hasPrefix("  "), !line.hasPrefix("   ") {
                var key = line.dropFirst(2)
                key = key.hasSuffix(":") ? key.dropLast() : key
                key = key.hasPrefix("'") || key.hasPrefix("\"") ? key.dropFirst().dropLast() : key
                path = key.hasPrefix(prefix) ? anonymised(String(key.dropFirst(prefix.count))) : nil
            } else if inPaths, let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = String(line.dropFirst(4).dropLast())
                if methods.contains(method) { result.insert("\(method.uppercased()) \(path)") }
            }
        }
        return result
    }

    /// `registered_models/{registeredmodelId}` -> `registered_models/{}`.
    static func anonymised(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix("{") ? "{}" : String($0) }.joined(separator: "/")
    }
}
