import API
@testable import FastCGIServer
import Logging
import XCTest

/// Drives the real libfcgi request path over a socketpair: the bytes nginx would send in,
/// the bytes nginx would read back out.
final class FastCGIConnectionTests: XCTestCase {
    private final class RecordingHandler: RequestHandler {
        var requests: [Request] = []
        var response = Response(status: 201, headers: [("Content-Type", Response.jsonContentType), ("X-Id", "7")], body: Array("{\"id\":\"7\"}".utf8))

        func handle(_ request: Request) -> Response {
            requests.append(request)
            return response
        }
    }

    private let handler = RecordingHandler()

    override func setUp() {
        super.setUp()
        signal(SIGPIPE, SIG_IGN)
        XCTAssertTrue(FastCGIConnection.initializeLibrary())
    }

    private func exchange(_ request: [UInt8], maxBodyBytes: Int = 1 << 20) -> (head: String, body: String, ended: Bool) {
        let pair = SocketPair()
        pair.sendRequest(request)
        let connection = FastCGIConnection(handler: handler, maxBodyBytes: maxBodyBytes, logger: Logger(label: "test"))
        connection.serve(connection: pair.server)
        let (stdout, ended) = FastCGIRecords.decodeResponse(pair.readAll())
        let text = String(decoding: stdout, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"), ended)
    }

    private let nginxParams: [(String, String)] = [
        ("REQUEST_METHOD", "POST"),
        ("QUERY_STRING", "pageSize=2&filterQuery=name%3D%22a%22"),
        ("DOCUMENT_URI", "/api/model_registry/v1alpha3/registered_models"),
        ("REQUEST_URI", "/api/model_registry/v1alpha3/registered_models?pageSize=2&filterQuery=name%3D%22a%22"),
        ("CONTENT_TYPE", "application/json"),
        ("HTTP_X_REQUEST_ID", "abc"),
        ("HTTP_AUTHORIZATION", "Bearer t"),
    ]

    func testRequestReachesTheHandlerAndTheResponseComesBack() {
        let body = Array("{\"name\":\"m\"}".utf8)
        let result = exchange(FastCGIRecords.request(params: nginxParams + [("CONTENT_LENGTH", "\(body.count)")], body: body))

        XCTAssertEqual(handler.requests.count, 1)
        let request = handler.requests[0]
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/api/model_registry/v1alpha3/registered_models")
        XCTAssertEqual(request.query, "pageSize=2&filterQuery=name%3D%22a%22")
        XCTAssertEqual(request.headers["x-request-id"], "abc")
        XCTAssertEqual(request.headers["authorization"], "Bearer t")
        XCTAssertEqual(request.headers["content-type"], "application/json")
        XCTAssertEqual(request.body, body)

        XCTAssertTrue(result.ended)
        XCTAssertEqual(result.head, "Status: 201 Created\r\nContent-Type: application/json; charset=UTF-8\r\nX-Id: 7\r\nContent-Length: 10")
        XCTAssertEqual(result.body, "{\"id\":\"7\"}")
    }

    func testBodySpreadOverManyRecordsArrivesWhole() {
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let pair = SocketPair()
        // Larger than a socket buffer: feed it from another thread while the worker reads.
        let request = FastCGIRecords.request(params: nginxParams + [("CONTENT_LENGTH", "\(body.count)")], body: body, chunk: 4000)
        let writer = Thread { pair.sendRequest(request) }
        writer.start()
        FastCGIConnection(handler: handler, maxBodyBytes: 1 << 20, logger: Logger(label: "test")).serve(connection: pair.server)
        let (stdout, ended) = FastCGIRecords.decodeResponse(pair.readAll())

        XCTAssertTrue(ended)
        XCTAssertTrue(String(decoding: stdout, as: UTF8.self).hasPrefix("Status: 201 Created\r\n"))
        XCTAssertEqual(handler.requests.first?.body, body)
    }

    func testBodyOverTheLimitIsRejectedWithoutCallingTheHandler() {
        let body = [UInt8](repeating: 65, count: 100)
        let result = exchange(FastCGIRecords.request(params: nginxParams + [("CONTENT_LENGTH", "100")], body: body), maxBodyBytes: 99)

        XCTAssertTrue(handler.requests.isEmpty)
        XCTAssertTrue(result.head.hasPrefix("Status: 413 Request Entity Too Large\r\nContent-Type: application/json; charset=UTF-8\r\n"))
        XCTAssertEqual(result.body, #"{"code":"Request Entity Too Large","message":"request body is larger than the limit of 99 bytes"}"#)
    }

    func testBodyShorterThanContentLengthIsABadRequest() {
        let result = exchange(FastCGIRecords.request(params: nginxParams + [("CONTENT_LENGTH", "50")], body: [1, 2, 3]))

        XCTAssertTrue(handler.requests.isEmpty)
        XCTAssertTrue(result.head.hasPrefix("Status: 400 Bad Request\r\n"))
        XCTAssertEqual(result.body, #"{"code":"Bad Request","message":"request body ended after 3 of 50 bytes"}"#)
    }

    func testMalformedContentLengthIsABadRequest() {
        let result = exchange(FastCGIRecords.request(params: nginxParams + [("CONTENT_LENGTH", "12x")], body: []))

        XCTAssertTrue(handler.requests.isEmpty)
        XCTAssertTrue(result.head.hasPrefix("Status: 400 Bad Request\r\n"))
    }

    func testKeptConnectionIsClosedAfterTheResponse() {
        let result = exchange(FastCGIRecords.request(params: nginxParams + [("CONTENT_LENGTH", "0")], keepConnection: true))

        // readAll() returning at all means the worker closed its end.
        XCTAssertTrue(result.ended)
        XCTAssertEqual(handler.requests.count, 1)
    }

    func testGarbageIsDroppedWithoutReachingTheHandler() {
        let pair = SocketPair()
        pair.sendRequest(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        FastCGIConnection(handler: handler, maxBodyBytes: 1024, logger: Logger(label: "test")).serve(connection: pair.server)

        XCTAssertEqual(pair.readAll(), [])
        XCTAssertTrue(handler.requests.isEmpty)
    }
}
