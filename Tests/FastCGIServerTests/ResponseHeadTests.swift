import API
@testable import FastCGIServer
import XCTest

final class ResponseHeadTests: XCTestCase {
    private func head(_ response: Response) -> String {
        var buffer: [UInt8] = []
        ResponseHead.encode(response, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    func testStatusHeadersAndLength() {
        let response = Response(status: 200, headers: [("Content-Type", Response.jsonContentType)], body: Array("{}".utf8))
        XCTAssertEqual(head(response), "Status: 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: 2\r\n\r\n")
    }

    func testHandlerContentLengthIsKept() {
        let response = Response(status: 200, headers: [("content-length", "2")], body: Array("{}".utf8))
        XCTAssertEqual(head(response), "Status: 200 OK\r\ncontent-length: 2\r\n\r\n")
    }

    func testNoLengthForBodilessStatuses() {
        XCTAssertEqual(head(Response(status: 204)), "Status: 204 No Content\r\n\r\n")
        XCTAssertEqual(head(Response(status: 304)), "Status: 304 Not Modified\r\n\r\n")
    }

    func testHeaderValuesCannotInjectLines() {
        let response = Response(status: 200, headers: [("X-A", "1\r\nSet-Cookie: evil"), ("Status", "500")])
        XCTAssertEqual(head(response), "Status: 200 OK\r\nX-A: 1  Set-Cookie: evil\r\nContent-Length: 0\r\n\r\n")
    }

    func testUnknownStatusStillHasAReason() {
        XCTAssertEqual(HTTPReasonPhrase.phrase(for: 418), "Status 418")
        XCTAssertEqual(HTTPReasonPhrase.phrase(for: 413), "Request Entity Too Large")
    }

    func testTransportErrorsUseTheAPIErrorShape() {
        let response = TransportErrorResponse.make(status: 400, message: "bad \"x\"\n\u{1}")
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.headers.first?.1, Response.jsonContentType)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"code":"Bad Request","message":"bad \"x\"\n\u0001"}"#)
    }
}
