import ModelRegistryC
import XCTest

/// The embedded registry through the exported C functions.
final class EmbeddedRequestTests: EmbeddedHandleTestCase {
    func testCreateAndReadBackAModel() {
        let created = call(handle, "POST", apiPrefix + "/registered_models", body: #"{"name": "m1", "owner": "c"}"#)
        XCTAssertEqual(created.code, 0)
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.json["name"] as? String, "m1")
        XCTAssertTrue(created.nulTerminated)
        XCTAssertEqual(created.bodyLength, created.body.utf8.count)

        let id = created.json["id"] as? String ?? ""
        let read = call(handle, "GET", apiPrefix + "/registered_models/\(id)")
        XCTAssertEqual(read.status, 200)
        XCTAssertEqual(read.body, created.body, "a read returns the bytes the create returned")
        XCTAssertEqual(errorMessage(handle), "not an error")
    }

    func testQueryStringIsPassedThrough() {
        for name in ["a b", "c"] {
            let body = "{\"name\": \"\(name)\"}"
            XCTAssertEqual(call(handle, "POST", apiPrefix + "/registered_models", body: body).status, 201)
        }
        let found = call(handle, "GET", apiPrefix + "/registered_model", query: "name=a%20b")
        XCTAssertEqual(found.status, 200)
        XCTAssertEqual(found.json["name"] as? String, "a b")
        let page = call(handle, "GET", apiPrefix + "/registered_models", query: "pageSize=1&orderBy=ID&sortOrder=DESC")
        XCTAssertEqual((page.json["items"] as? [[String: Any]])?.first?["name"] as? String, "c")
        XCTAssertEqual(page.json["size"] as? Int, 1)
    }

    func testHTTPErrorsAreStatusesNotFailures() {
        let missing = call(handle, "GET", apiPrefix + "/registered_models/424242")
        XCTAssertEqual(missing.code, 0)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json["code"] as? String, "Not Found")
        XCTAssertNotNil(missing.json["message"] as? String)

        let invalid = call(handle, "POST", apiPrefix + "/registered_models", body: "{not json")
        XCTAssertEqual(invalid.code, 0)
        XCTAssertEqual(invalid.status, 400)
    }

    func testPercentEncodedPathIsDecodedLikeNginxDoes() {
        let created = call(handle, "POST", apiPrefix + "/registered_models", body: #"{"name": "p"}"#)
        let id = created.json["id"] as? String ?? ""
        let read = call(handle, "GET", apiPrefix + "/registered_%6Dodels/\(id)")
        XCTAssertEqual(read.status, 200)
        XCTAssertEqual(read.body, created.body)
    }

    func testHeadHasNoBody() {
        let get = call(handle, "GET", "/readyz/health")
        XCTAssertEqual(get.status, 200)
        XCTAssertGreaterThan(get.bodyLength, 0)
        let head = call(handle, "HEAD", "/readyz/health")
        XCTAssertEqual(head.code, 0)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.bodyLength, 0, "nginx sends no body for HEAD, so neither does the embedded registry")
        XCTAssertTrue(head.nulTerminated)
    }

    func testBodyOutMayBeNull() {
        var status: Int32 = 0
        let code = mr_request(handle, "GET", apiPrefix + "/registered_models", nil, nil, 0, &status, nil, nil)
        XCTAssertEqual(code, 0)
        XCTAssertEqual(status, 200)
    }

    func testTheSameFileOpensAgainWithItsData() {
        _ = call(handle, "POST", apiPrefix + "/registered_models", body: #"{"name": "kept"}"#)
        let second = openRegistry(directory.path("registry.db"))
        defer { _ = mr_close(second) }
        XCTAssertEqual(call(second, "GET", apiPrefix + "/registered_model", query: "name=kept").status, 200)
    }
}
