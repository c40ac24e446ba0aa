import Foundation
import ModelRegistryC
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The remote transport against a loopback stub: what goes on the wire, keep-alive, errors.
final class RemoteTransportTests: XCTestCase {
    func testRequestLineHeadersAndBody() throws {
        let server = try StubHTTPServer()
        let handle = openRegistry(server.baseURL + "/", options: #"{"token": "secret-token"}"#)
        defer { _ = mr_close(handle) }

        let posted = call(handle, "POST", apiPrefix + "/registered_models", query: "a=1&b=%20", body: #"{"name":"x"}"#)
        XCTAssertEqual(posted.code, 0, errorMessage(handle))
        XCTAssertEqual(posted.status, 200)
        XCTAssertEqual(posted.body, #"{"ok":true}"#)
        XCTAssertTrue(posted.nulTerminated)
        let get = call(handle, "GET", apiPrefix + "/registered_models")
        XCTAssertEqual(get.code, 0)
        let patch = call(handle, "PATCH", apiPrefix + "/registered_models/1", body: "{}")
        XCTAssertEqual(patch.code, 0)

        let seen = server.requests
        XCTAssertEqual(seen.map(\.requestLine), [
            "POST \(apiPrefix)/registered_models?a=1&b=%20 HTTP/1.1",
            "GET \(apiPrefix)/registered_models HTTP/1.1",
            "PATCH \(apiPrefix)/registered_models/1 HTTP/1.1",
        ])
        XCTAssertEqual(seen[0].headers["authorization"], "Bearer secret-token")
        XCTAssertEqual(seen[0].headers["content-type"], "application/json")
        XCTAssertEqual(seen[0].headers["accept"], "application/json")
        XCTAssertNil(seen[0].headers["expect"])
        XCTAssertEqual(seen[0].body, #"{"name":"x"}"#)
        XCTAssertNil(seen[1].headers["content-type"], "no body, no content type")
        XCTAssertEqual(seen[2].body, "{}")
    }

    func testSequentialRequestsReuseOneConnection() throws {
        let server = try StubHTTPServer()
        let handle = openRegistry(server.baseURL)
        defer { _ = mr_close(handle) }
        for _ in 0..<10 {
            XCTAssertEqual(call(handle, "GET", "/x").code, 0)
        }
        XCTAssertEqual(server.requests.count, 10)
        XCTAssertEqual(server.connections, 1)
    }

    func testThreadsShareOneHandle() throws {
        let server = try StubHTTPServer()
        let handle = openRegistry(server.baseURL)
        defer { _ = mr_close(handle) }
        let failures = NSLock()
        var failed = 0
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<20 {
                let result = call(handle, "POST", "/t\(thread)", body: "{\"i\":\(i)}")
                if result.code != 0 || result.status != 200 { failures.withLock { failed += 1 } }
            }
        }
        XCTAssertEqual(failed, 0)
        XCTAssertEqual(server.requests.count, 160)
        XCTAssertLessThanOrEqual(server.connections, 8, "at most one connection per concurrent request")
    }

    func testConnectionRefused() throws {
        let (fd, port) = try StubHTTPServer.listen()
        close(fd)  // nothing listens on the port any more
        let handle = openRegistry("http://127.0.0.1:\(port)")
        defer { _ = mr_close(handle) }
        let result = call(handle, "GET", apiPrefix + "/registered_models")
        XCTAssertEqual(result.code, 5)
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(errorMessage(handle).contains("127.0.0.1:\(port)"), errorMessage(handle))
    }

    func testTimeout() throws {
        let (fd, port) = try StubHTTPServer.listen()
        defer { close(fd) }
        let handle = openRegistry("http://127.0.0.1:\(port)", options: #"{"timeout_ms": 300}"#)
        defer { _ = mr_close(handle) }
        XCTAssertEqual(call(handle, "GET", "/slow").code, 6)
        XCTAssertTrue(errorMessage(handle).lowercased().contains("timed out"), errorMessage(handle))
    }

    func testMissingCAFileIsAnError() throws {
        let server = try StubHTTPServer()
        let handle = openRegistry("https://127.0.0.1:\(server.port)", options: #"{"ca_file": "/nonexistent/ca.pem"}"#)
        defer { _ = mr_close(handle) }
        XCTAssertEqual(call(handle, "GET", "/x").code, 5)
        XCTAssertFalse(errorMessage(handle).isEmpty)
    }

    func testErrorMessagesArePerThread() throws {
        let (fd, port) = try StubHTTPServer.listen()
        close(fd)
        let handle = openRegistry("http://127.0.0.1:\(port)")
        defer { _ = mr_close(handle) }
        XCTAssertEqual(call(handle, "GET", "/x").code, 5)
        let mine = errorMessage(handle)
        nonisolated(unsafe) let shared = handle
        let other = Thread {
            _ = call(shared, "BREW", "/x")  // fails differently on another thread
        }
        other.start()
        while !other.isFinished { usleep(1000) }
        XCTAssertEqual(errorMessage(handle), mine, "another thread's failure does not replace this thread's message")
    }
}
