@testable import ModelRegistryC
import XCTest

final class LocationAndOptionsTests: XCTestCase {
    func location(_ uri: String) throws -> RegistryLocation { try RegistryLocation.parse(uri) }

    func testEmbeddedForms() throws {
        XCTAssertEqual(try location("sqlite:///var/mr/r.db"), .embedded(path: "/var/mr/r.db"))
        XCTAssertEqual(try location("sqlite://localhost/var/mr/r.db"), .embedded(path: "/var/mr/r.db"))
        XCTAssertEqual(try location("file:///var/mr/my%20registry.db"), .embedded(path: "/var/mr/my registry.db"))
        XCTAssertEqual(try location("SQLITE:rel/r.db"), .embedded(path: "rel/r.db"))
        XCTAssertEqual(try location("file:r.db"), .embedded(path: "r.db"))
        XCTAssertEqual(try location("/abs/r.db"), .embedded(path: "/abs/r.db"))
        XCTAssertEqual(try location("r.db"), .embedded(path: "r.db"))
        XCTAssertEqual(try location("dir/with:colon.db"), .embedded(path: "dir/with:colon.db"))
    }

    func testRemoteForms() throws {
        XCTAssertEqual(try location("http://127.0.0.1:8080"), .remote(baseURL: "http://127.0.0.1:8080"))
        XCTAssertEqual(try location("https://mr.example:443/prefix/"), .remote(baseURL: "https://mr.example:443/prefix"))
    }

    func testRejectedForms() {
        for uri in ["", "s3://bucket/x", "http://", "http://h/x?y=1", "file:x.db?mode=ro", "file:%00x", "sqlite://"] {
            XCTAssertThrowsError(try location(uri), uri)
        }
    }

    func testOptions() throws {
        XCTAssertEqual(try OpenOptions.parse(nil), OpenOptions())
        XCTAssertEqual(try OpenOptions.parse("  "), OpenOptions())
        let parsed = try OpenOptions.parse(
            #"{"token": "t", "ca_file": null, "verify_tls": false, "timeout_ms": 5, "connect_timeout_ms": 0, "max_page_size": 10}"#)
        XCTAssertEqual(parsed.token, "t")
        XCTAssertNil(parsed.caFile, "null means the default")
        XCTAssertEqual(try OpenOptions.parse(#"{"ca_file": "/ca.pem"}"#).caFile, "/ca.pem")
        XCTAssertFalse(parsed.verifyTLS)
        XCTAssertEqual(parsed.timeoutMilliseconds, 5)
        XCTAssertEqual(parsed.connectTimeoutMilliseconds, 0)
        XCTAssertEqual(parsed.maxPageSize, 10)
        XCTAssertTrue(parsed.responseCache)
        XCTAssertFalse(try OpenOptions.parse(#"{"response_cache": false}"#).responseCache)
        XCTAssertThrowsError(try OpenOptions.parse(#"{"response_cache": "no"}"#))
        XCTAssertThrowsError(try OpenOptions.parse(#"{"max_page_size": 0}"#))
        XCTAssertThrowsError(try OpenOptions.parse(#"{"timeout_ms": -1}"#))
        XCTAssertThrowsError(try OpenOptions.parse(#"{"verify_tls": 1}"#))
        XCTAssertThrowsError(try OpenOptions.parse(#"{"unknown": null}"#))
        XCTAssertThrowsError(try OpenOptions.parse(#"{"token": "a", "token": "b"}"#))
    }
}
