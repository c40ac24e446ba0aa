import Foundation
import ModelRegistryC
import XCTest

let apiPrefix = "/api/model_registry/v1alpha3"

/// A fresh directory per test for registry files.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mr-cabi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// One mr_request call's outcome, with the body copied out and released through mr_free.
struct CallResult {
    var code: Int32
    var status: Int32
    var body: String
    var bodyLength: Int
    var nulTerminated: Bool

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

func call(_ handle: OpaquePointer?, _ method: String, _ path: String, query: String? = nil,
          body: String? = nil) -> CallResult {
    var status: Int32 = -1
    var out: UnsafeMutablePointer<UInt8>?
    var length = -1
    let bytes = body.map { Array($0.utf8) } ?? []
    let code = bytes.withUnsafeBufferPointer { buffer in
        mr_request(handle, method, path, query, buffer.isEmpty ? nil : buffer.baseAddress, buffer.count,
                   &status, &out, &length)
    }
    defer { mr_free(out) }
    guard let out else { return CallResult(code: code, status: status, body: "", bodyLength: length, nulTerminated: false) }
    let text = String(decoding: UnsafeBufferPointer(start: out, count: length), as: UTF8.self)
    return CallResult(code: code, status: status, body: text, bodyLength: length, nulTerminated: out[length] == 0)
}

/// Opens a registry; fails the test with mr_errmsg if it does not open.
func openRegistry(_ uri: String, options: String? = nil, file: StaticString = #filePath,
                  line: UInt = #line) -> OpaquePointer? {
    var handle: OpaquePointer?
    let code = mr_open(uri, options, &handle)
    XCTAssertEqual(code, 0, "mr_open(\(uri)): \(errorMessage(handle))", file: file, line: line)
    return handle
}

func errorMessage(_ handle: OpaquePointer?) -> String {
    String(cString: mr_errmsg(handle))
}

/// A test case with an embedded registry on a fresh file per test, closed afterwards.
class EmbeddedHandleTestCase: XCTestCase {
    var directory: TemporaryDirectory!
    var handle: OpaquePointer?

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        handle = openRegistry("sqlite://" + directory.path("registry.db"))
    }

    override func tearDown() {
        XCTAssertEqual(mr_close(handle), 0)
        directory = nil
    }
}
