import Foundation
import JSON
import Testing
@testable import API

/// GET answers are reused only while the store is unchanged, whoever changes it.
@Suite struct ResponseCacheTests {
    private func description(_ registry: TestRegistry, _ id: String) -> String? {
        registry.call("GET", "/registered_models/\(id)")["description"]?.stringValue
    }

    @Test func aRepeatedGetIsAnsweredFromTheCacheUntilAWriteThroughTheSameRouter() throws {
        let registry = try TestRegistry()
        let id = registry.call("POST", "/registered_models", body: #"{"name":"m","description":"one"}"#)["id"]!.stringValue!
        #expect(description(registry, id) == "one")
        let held = registry.router.cachedResponseCount
        #expect(held >= 1)
        #expect(description(registry, id) == "one")
        #expect(registry.router.cachedResponseCount == held)

        #expect(registry.call("PATCH", "/registered_models/\(id)", body: #"{"description":"two"}"#).status == 200)
        #expect(description(registry, id) == "two")
        #expect(registry.call("GET", "/registered_model", query: "name=m")["description"] == .string("two"))
    }

    @Test func aCommitByAnotherConnectionIsSeenAtTheNextGet() throws {
        let registry = try TestRegistry()
        // Another connection to the same file: another worker process, or the writer.
        let other = try Router.open(databasePath: registry.directory.appendingPathComponent("registry.db").path)
        let id = registry.call("POST", "/registered_models", body: #"{"name":"m","description":"one"}"#)["id"]!.stringValue!
        #expect(description(registry, id) == "one")
        #expect(registry.call("GET", "/registered_model", query: "name=later").status == 404)

        _ = other.handle(Request(method: "PATCH", path: "/api/model_registry/v1alpha3/registered_models/\(id)",
                                 body: Array(#"{"description":"two"}"#.utf8)))
        _ = other.handle(Request(method: "POST", path: "/api/model_registry/v1alpha3/registered_models",
                                 body: Array(#"{"name":"later"}"#.utf8)))
        #expect(description(registry, id) == "two")
        #expect(registry.call("GET", "/registered_model", query: "name=later").status == 200)
    }

    @Test func largeAnswersAreNotKept() throws {
        let registry = try TestRegistry()
        let long = String(repeating: "d", count: 1000)
        for i in 0..<20 {
            #expect(registry.call("POST", "/registered_models", body: #"{"name":"m\#(i)","description":"\#(long)"}"#).status == 201)
        }
        let page = registry.router.handle(Request(method: "GET", path: "/api/model_registry/v1alpha3/registered_models"))
        #expect(page.status == 200)
        #expect(page.body.count > ResponseCache.maxBodyBytes)
        #expect(registry.router.cachedResponseCount == 0)
    }

    @Test func aPathHoldingAQuestionMarkIsNotConfusedWithAQuery() throws {
        let registry = try TestRegistry()
        #expect(registry.call("POST", "/registered_models", body: #"{"name":"a"}"#).status == 201)
        // nginx hands over decoded paths: `/registered_model%3Fname=a` arrives with a `?` in it.
        #expect(registry.call("GET", "/registered_model?name=a").status == 404)
        #expect(registry.call("GET", "/registered_model", query: "name=a").status == 200)
    }

    @Test func headIsGetWithoutTheBodyAlsoWhenCached() throws {
        let registry = try TestRegistry()
        let id = registry.call("POST", "/registered_models", body: #"{"name":"m"}"#)["id"]!.stringValue!
        let path = "/api/model_registry/v1alpha3/registered_models/\(id)"
        let get = registry.router.handle(Request(method: "GET", path: path))
        let head = registry.router.handle(Request(method: "HEAD", path: path))
        #expect(get.status == 200 && !get.body.isEmpty)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(registry.router.handle(Request(method: "GET", path: path)).body == get.body)
    }

    @Test func turnedOffNothingIsKept() throws {
        let registry = try TestRegistry()
        registry.router.cachesResponses = false
        let id = registry.call("POST", "/registered_models", body: #"{"name":"m","description":"one"}"#)["id"]!.stringValue!
        #expect(description(registry, id) == "one")
        #expect(registry.router.cachedResponseCount == 0)
    }
}
