import ModelRegistryC
import XCTest

/// Result codes, mr_errmsg and handle lifetime.
final class MisuseAndErrorTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory = nil
    }

    /// Opens expecting `code`; returns the message of the failed handle (which is then closed).
    func failedOpen(_ uri: String?, options: String? = nil, code: Int32, file: StaticString = #filePath,
                    line: UInt = #line) -> String {
        var handle: OpaquePointer?
        XCTAssertEqual(mr_open(uri, options, &handle), code, file: file, line: line)
        XCTAssertNotNil(handle, "a failed open still returns a handle for mr_errmsg", file: file, line: line)
        let message = errorMessage(handle)
        XCTAssertEqual(mr_close(handle), 0, file: file, line: line)
        return message
    }

    func testOpenFailures() {
        XCTAssertEqual(mr_open("x.db", nil, nil), 2, "NULL out")
        XCTAssertTrue(failedOpen(nil, code: 2).contains("NULL"))
        XCTAssertTrue(failedOpen("", code: 2).contains("empty"))
        XCTAssertTrue(failedOpen("ftp://127.0.0.1/x", code: 4).contains("unsupported"))
        XCTAssertTrue(failedOpen(directory.path("missing-dir/registry.db"), code: 4).contains("missing-dir"))
        XCTAssertTrue(failedOpen("sqlite://otherhost/x.db", code: 4).contains("local file"))
        XCTAssertTrue(failedOpen("x.db", options: "{", code: 2).contains("not valid JSON"))
        XCTAssertTrue(failedOpen("x.db", options: "[1]", code: 2).contains("JSON object"))
        XCTAssertTrue(failedOpen("x.db", options: #"{"verify_ssl": false}"#, code: 2).contains("verify_ssl"))
        XCTAssertTrue(failedOpen("x.db", options: #"{"timeout_ms": "5"}"#, code: 2).contains("timeout_ms"))
        XCTAssertTrue(failedOpen("http://127.0.0.1:1", options: #"{"token": "a\nb"}"#, code: 2).contains("line breaks"))
    }

    func testAFailedHandleRefusesRequests() {
        var handle: OpaquePointer?
        XCTAssertEqual(mr_open("gopher://127.0.0.1", nil, &handle), 4)
        var status: Int32 = 7
        XCTAssertEqual(mr_request(handle, "GET", "/", nil, nil, 0, &status, nil, nil), 2)
        XCTAssertEqual(status, 0)
        XCTAssertTrue(errorMessage(handle).contains("did not open"))
        XCTAssertEqual(mr_close(handle), 0)
    }

    func testRequestMisuse() {
        let handle = openRegistry(directory.path("r.db"))
        defer { _ = mr_close(handle) }
        XCTAssertEqual(call(handle, "BREW", apiPrefix + "/registered_models").code, 2)
        XCTAssertTrue(errorMessage(handle).contains("BREW"))
        XCTAssertEqual(call(handle, "GET", "no-slash").code, 2)
        XCTAssertEqual(call(handle, "GET", "/a b").code, 2)
        XCTAssertEqual(call(handle, "GET", "/x", query: "a=b#c").code, 2)
        for path in ["/a?b", "/a#b", "/a\tb", "/a\u{7F}b", "/é\u{1}"] {
            XCTAssertEqual(call(handle, "GET", path).code, 2, path)
        }
        XCTAssertEqual(call(handle, "GET", "/x", query: "a=\r").code, 2)
        // Non-ASCII text and a `?` inside the query are not forbidden: they reach the router.
        XCTAssertEqual(call(handle, "GET", apiPrefix + "/registered_model", query: "name=é?").code, 0)
        XCTAssertEqual(call(handle, "GET", "/é").code, 0)
        var status: Int32 = 0
        XCTAssertEqual(mr_request(handle, "POST", "/x", nil, nil, 5, &status, nil, nil), 2, "NULL body with a length")
        XCTAssertEqual(mr_request(handle, "GET", "/x", nil, nil, 0, nil, nil, nil), 2, "NULL status_out")
        XCTAssertEqual(mr_request(handle, nil, "/x", nil, nil, 0, &status, nil, nil), 2)
        // A success resets the message.
        XCTAssertEqual(call(handle, "GET", apiPrefix + "/registered_models").code, 0)
        XCTAssertEqual(errorMessage(handle), "not an error")
    }

    func testCloseRules() {
        XCTAssertEqual(mr_close(nil), 0)
        let handle = openRegistry(directory.path("r.db"))
        XCTAssertEqual(mr_close(handle), 0)
        XCTAssertEqual(mr_close(handle), 2, "closing twice is misuse, not a crash")
        XCTAssertEqual(call(handle, "GET", apiPrefix + "/registered_models").code, 2, "a closed handle is refused")
    }

    func testStaticStrings() {
        XCTAssertEqual(String(cString: mr_version()), "0.1.0")
        XCTAssertEqual(String(cString: mr_errstr(0)), "not an error")
        XCTAssertEqual(String(cString: mr_errstr(5)), "cannot reach the registry server")
        XCTAssertEqual(String(cString: mr_errstr(99)), "unknown result code")
        XCTAssertEqual(String(cString: mr_errmsg(nil)), "out of memory")
        mr_free(nil)
    }
}
