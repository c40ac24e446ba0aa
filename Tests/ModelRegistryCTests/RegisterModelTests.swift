import Foundation
import ModelRegistryC
import XCTest

/// `mr_register_model`: model, version and artifact in one transaction.
final class RegisterModelTests: EmbeddedHandleTestCase {
    private func register(_ body: String, on handle: OpaquePointer? = nil) -> CallResult {
        var status: Int32 = -1
        var out: UnsafeMutablePointer<UInt8>?
        var length = -1
        let bytes = Array(body.utf8)
        let code = bytes.withUnsafeBufferPointer {
            mr_register_model(handle ?? self.handle, $0.baseAddress, $0.count, &status, &out, &length)
        }
        defer { mr_free(out) }
        let text = out.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
        return CallResult(code: code, status: status, body: text, bodyLength: length, nulTerminated: true)
    }

    private func body(model: String = "m", version: String, artifact: String = #""uri": "s3://b/m""#) -> String {
        #"{"registeredModel": {"name": "\#(model)", "owner": "o"}, "#
            + #""modelVersion": {"name": "\#(version)", "author": "a", "customProperties": {"team": {"metadataType": "MetadataStringValue", "string_value": "t"}}}, "#
            + #""modelArtifact": {"name": "\#(model)", \#(artifact), "modelFormatName": "onnx"}}"#
    }

    private func count(_ path: String) -> Int {
        call(handle, "GET", apiPrefix + path).json["size"] as? Int ?? -1
    }

    func testRegistersModelVersionAndArtifactAsTheirEndpointsWould() throws {
        let first = register(body(version: "v1"))
        XCTAssertEqual(first.code, 0, errorMessage(handle))
        XCTAssertEqual(first.status, 201, first.body)
        let model = try XCTUnwrap(first.json["registeredModel"] as? [String: Any])
        let version = try XCTUnwrap(first.json["modelVersion"] as? [String: Any])
        let artifact = try XCTUnwrap(first.json["modelArtifact"] as? [String: Any])
        XCTAssertEqual(model["owner"] as? String, "o")
        XCTAssertEqual(version["registeredModelId"] as? String, model["id"] as? String)
        XCTAssertEqual(artifact["uri"] as? String, "s3://b/m")
        XCTAssertEqual(artifact["artifactType"] as? String, "model-artifact")

        // Each entity reads back as its own endpoint serves it.
        let modelID = model["id"] as? String ?? ""
        let versionID = version["id"] as? String ?? ""
        let readVersion = call(handle, "GET", apiPrefix + "/model_versions/\(versionID)")
        XCTAssertEqual(readVersion.json as NSDictionary, version as NSDictionary)
        let artifacts = call(handle, "GET", apiPrefix + "/model_versions/\(versionID)/artifacts")
        XCTAssertEqual((artifacts.json["items"] as? [[String: Any]])?.first?["id"] as? String, artifact["id"] as? String)

        // A second version reuses the model found by name.
        let second = register(body(version: "v2"))
        XCTAssertEqual(second.status, 201, second.body)
        XCTAssertEqual((second.json["registeredModel"] as? [String: Any])?["id"] as? String, modelID)
        XCTAssertEqual(count("/registered_models"), 1)
        XCTAssertEqual(count("/registered_models/\(modelID)/versions"), 2)
    }

    func testAnExistingVersionIsAConflictAndWritesNothing() {
        XCTAssertEqual(register(body(version: "v1")).status, 201)
        let again = register(body(version: "v1"))
        XCTAssertEqual(again.code, 0)
        XCTAssertEqual(again.status, 409, again.body)
        XCTAssertNotNil(again.json["message"] as? String)
        XCTAssertEqual(count("/model_artifacts"), 1)
    }

    func testAFailingArtifactLeavesNeitherModelNorVersion() {
        // The artifact step fails (uri must be a string) after the model and version were written.
        let failed = register(body(model: "fresh", version: "v1", artifact: #""uri": 7"#))
        XCTAssertEqual(failed.status, 400, failed.body)
        XCTAssertEqual(count("/registered_models"), 0)
        XCTAssertEqual(count("/model_versions"), 0)
        XCTAssertEqual(count("/model_artifacts"), 0)
    }

    func testMalformedBodiesAreBadRequests() {
        for bad in ["[]", "{", #"{"registeredModel": {"name": "m"}}"#,
                    #"{"registeredModel": 1, "modelVersion": {}, "modelArtifact": {}}"#,
                    #"{"registeredModel": {"name": "m"}, "modelVersion": {"name": "v"}, "modelArtifact": {"artifactType": "doc-artifact"}}"#] {
            let answer = register(bad)
            XCTAssertEqual(answer.code, 0)
            XCTAssertEqual(answer.status, 400, "\(bad): \(answer.body)")
        }
        XCTAssertEqual(count("/registered_models"), 0)
    }

    func testServersAndBadArgumentsAreMisuse() {
        var remote: OpaquePointer?
        XCTAssertEqual(mr_open("http://127.0.0.1:9", nil, &remote), 0)
        defer { _ = mr_close(remote) }
        XCTAssertEqual(register(body(version: "v1"), on: remote).code, 2)
        XCTAssertTrue(errorMessage(remote).contains("embedded"), errorMessage(remote))

        var status: Int32 = -1
        XCTAssertEqual(mr_register_model(handle, nil, 0, &status, nil, nil), 2)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(mr_register_model(nil, nil, 0, &status, nil, nil), 2)
    }
}
