import JSON
import Testing
@testable import API

@Suite struct ModelVersionAPITests {
    func makeModel(_ registry: TestRegistry, _ name: String = "model") -> String {
        registry.call("POST", "/registered_models", body: "{\"name\":\"\(name)\"}")["id"]!.stringValue!
    }

    @Test func versionsLiveUnderTheirModel() throws {
        let registry = try TestRegistry()
        let model = makeModel(registry)
        let v1 = registry.call("POST", "/model_versions", body: "{\"name\":\"v1\",\"registeredModelId\":\"\(model)\",\"author\":\"a\"}")
        #expect(v1.status == 201)
        #expect(v1["registeredModelId"] == .string(model))
        #expect(v1["state"] == .string("LIVE"))
        let tagged = registry.call("POST", "/registered_models/\(model)/versions", body: #"{"name":"model:latest"}"#)
        #expect(tagged.status == 201)
        #expect(tagged["name"] == .string("model:latest"))
        let duplicate = registry.call("POST", "/model_versions", body: "{\"name\":\"v1\",\"registeredModelId\":\"\(model)\"}")
        #expect(duplicate.status == 409)
        let other = makeModel(registry, "other")
        #expect(registry.call("POST", "/model_versions", body: "{\"name\":\"v1\",\"registeredModelId\":\"\(other)\"}").status == 201)
        let listed = registry.call("GET", "/registered_models/\(model)/versions")
        #expect(listed.items.map { $0["name"] } == [.string("v1"), .string("model:latest")])
        let byName = registry.call("GET", "/registered_models/\(model)/versions", query: "name=v1")
        #expect(byName["size"] == .int(1))
        let found = registry.call("GET", "/model_version", query: "name=v1&parentResourceId=\(model)")
        #expect(found["id"] == v1["id"])
        #expect(registry.call("GET", "/model_version", query: "name=v1").status == 400)
        #expect(registry.call("GET", "/model_version", query: "name=v9&parentResourceId=\(model)").status == 404)
        #expect(registry.call("POST", "/model_versions", body: #"{"name":"v","registeredModelId":"424242"}"#).status == 404)
        #expect(registry.call("POST", "/model_versions", body: #"{"name":"v"}"#).status == 422)
        let longOK = String(repeating: "x", count: 250)
        #expect(registry.call("POST", "/model_versions", body: "{\"name\":\"\(longOK)\",\"registeredModelId\":\"\(model)\"}").status == 201)
        let longBad = String(repeating: "y", count: 255)
        #expect(registry.call("POST", "/model_versions", body: "{\"name\":\"\(longBad)\",\"registeredModelId\":\"\(model)\"}").status == 400)
    }

    @Test func artifactsAttachToVersions() throws {
        let registry = try TestRegistry()
        let model = makeModel(registry)
        let version = registry.call("POST", "/model_versions", body: "{\"name\":\"v1\",\"registeredModelId\":\"\(model)\"}")["id"]!.stringValue!
        let artifact = registry.call("POST", "/model_versions/\(version)/artifacts", body: """
            {"artifactType":"model-artifact","name":"model","uri":"s3://b/k","modelFormatName":"onnx","modelFormatVersion":"1","state":"UNKNOWN"}
            """)
        #expect(artifact.status == 201)
        #expect(artifact["artifactType"] == .string("model-artifact"))
        #expect(artifact["modelFormatName"] == .string("onnx"))
        let doc = registry.call("POST", "/model_versions/\(version)/artifacts", body: #"{"artifactType":"doc-artifact","name":"readme","uri":"http://x"}"#)
        #expect(doc.status == 201)
        let listed = registry.call("GET", "/model_versions/\(version)/artifacts")
        #expect(listed["size"] == .int(2))
        let onlyModels = registry.call("GET", "/model_versions/\(version)/artifacts", query: "artifactType=model-artifact")
        #expect(onlyModels["size"] == .int(1))
        let found = registry.call("GET", "/model_artifact", query: "name=model&parentResourceId=\(version)")
        #expect(found["id"] == artifact["id"])
        let id = artifact["id"]!.stringValue!
        let patched = registry.call("PATCH", "/model_artifacts/\(id)", body: #"{"modelFormatName":"pytorch"}"#)
        #expect(patched["modelFormatName"] == .string("pytorch"))
        #expect(patched["uri"] == .string("s3://b/k"))
        let typeChange = registry.call("PATCH", "/artifacts/\(id)", body: #"{"artifactType":"doc-artifact","uri":"x"}"#)
        #expect(typeChange.status == 400)
        #expect(typeChange["message"]?.stringValue?.contains("'model-artifact' to 'doc-artifact'") == true)
        #expect(registry.call("GET", "/model_artifacts/\(doc["id"]!.stringValue!)").status == 404)
        #expect(registry.call("POST", "/model_versions/4242/artifacts", body: #"{"artifactType":"doc-artifact"}"#).status == 404)
        #expect(registry.call("POST", "/model_versions/\(version)/artifacts", body: #"{"name":"x"}"#).status == 400)

        // A standalone artifact is linked by posting it with its id.
        let standalone = registry.call("POST", "/model_artifacts", body: #"{"name":"loose","uri":"u"}"#)
        #expect(standalone["state"] == .string("UNKNOWN"))
        let linked = registry.call("POST", "/model_versions/\(version)/artifacts",
                                   body: "{\"artifactType\":\"model-artifact\",\"id\":\"\(standalone["id"]!.stringValue!)\",\"description\":\"d\"}")
        #expect(linked.status == 200)
        #expect(registry.call("GET", "/model_versions/\(version)/artifacts")["size"] == .int(3))
    }

    @Test func bothPrefixesServeTheSameData() throws {
        let registry = try TestRegistry()
        let model = makeModel(registry)
        let viaV1 = registry.call("GET", "/registered_models/\(model)", prefix: "/api/model_registry/v1")
        #expect(viaV1.status == 200)
        #expect(viaV1["name"] == .string("model"))
    }
}
