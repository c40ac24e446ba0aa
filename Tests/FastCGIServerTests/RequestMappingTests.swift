@testable import FastCGIServer
import XCTest

final class RequestMappingTests: XCTestCase {
    private func params(_ entries: [(String, String)]) -> FastCGIParams {
        FastCGIParams(entries.map { (name: $0.0, value: $0.1) })
    }

    func testPathPrefersDocumentURI() {
        let request = RequestMapping.request(from: params([
            ("REQUEST_METHOD", "GET"),
            ("DOCUMENT_URI", "/api/a b"),
            ("SCRIPT_NAME", "/other"),
            ("REQUEST_URI", "/api/a%20b?x=1"),
            ("QUERY_STRING", "x=1"),
        ]), body: [])

        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/api/a b")
        XCTAssertEqual(request.query, "x=1")
    }

    func testPathFallsBackToScriptNameAndPathInfo() {
        XCTAssertEqual(RequestMapping.path(from: params([("SCRIPT_NAME", "/api"), ("PATH_INFO", "/models/1"), ("REQUEST_URI", "/x")])), "/api/models/1")
    }

    func testPathFallsBackToDecodedRequestURIWithoutQuery() {
        XCTAssertEqual(RequestMapping.path(from: params([("DOCUMENT_URI", ""), ("REQUEST_URI", "/api/caf%C3%A9/%2541+b?q=%20")])), "/api/café/%41+b")
        XCTAssertEqual(RequestMapping.path(from: params([])), "/")
    }

    func testQueryFallsBackToRequestURIOnlyWhenQueryStringIsMissing() {
        XCTAssertEqual(RequestMapping.query(from: params([("REQUEST_URI", "/a?b=1&c")])), "b=1&c")
        XCTAssertEqual(RequestMapping.query(from: params([("QUERY_STRING", ""), ("REQUEST_URI", "/a?b=1")])), "")
        XCTAssertEqual(RequestMapping.query(from: params([("REQUEST_URI", "/a")])), "")
    }

    func testOnlyTheParametersTheMappingReadsAreKept() {
        let environment = ["REQUEST_METHOD=POST", "REMOTE_ADDR=127.0.0.1", "HTTP_AUTHORIZATION=Bearer t=1",
                           "GATEWAY_INTERFACE=CGI/1.1", "DOCUMENT_URI=/api/x", "HTTP_=", "QUERY_STRING=a=b",
                           "PATH_INFO=/p", "CONTENT_LENGTH=2", "SERVER_NAME=_"]
        var pointers: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        let params = pointers.withUnsafeMutableBufferPointer {
            FastCGIParams(environment: $0.baseAddress, keeps: RequestMapping.uses(param:))
        }
        XCTAssertEqual(params.entries.map(\.name), ["REQUEST_METHOD", "HTTP_AUTHORIZATION", "DOCUMENT_URI", "HTTP_",
                                                     "QUERY_STRING", "PATH_INFO", "CONTENT_LENGTH"])
        XCTAssertEqual(params["HTTP_AUTHORIZATION"], "Bearer t=1")
        XCTAssertEqual(params["QUERY_STRING"], "a=b")
        let request = RequestMapping.request(from: params, body: [1, 2])
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.headers, ["authorization": "Bearer t=1", "content-length": "2"])
    }

    func testMethodDefaultsToGet() {
        XCTAssertEqual(RequestMapping.request(from: params([]), body: []).method, "GET")
    }

    func testHeadersComeFromHTTPParamsAndContentParams() {
        let headers = RequestMapping.headers(from: params([
            ("HTTP_X_MODEL_ID", "7"),
            ("HTTP_ACCEPT", "application/json"),
            ("HTTP_CONTENT_TYPE", "text/plain"),
            ("CONTENT_TYPE", "application/json"),
            ("CONTENT_LENGTH", "12"),
            ("HTTP_", "ignored"),
            ("REMOTE_ADDR", "127.0.0.1"),
        ]))

        XCTAssertEqual(headers, [
            "x-model-id": "7",
            "accept": "application/json",
            "content-type": "application/json",
            "content-length": "12",
        ])
    }

    func testEmptyContentParamsAreNotHeaders() {
        let headers = RequestMapping.headers(from: params([("CONTENT_TYPE", ""), ("CONTENT_LENGTH", "")]))
        XCTAssertEqual(headers, [:])
    }

    func testRepeatedHeadersAreJoined() {
        let headers = RequestMapping.headers(from: params([
            ("HTTP_ACCEPT", "a"), ("HTTP_ACCEPT", "b"),
            ("HTTP_COOKIE", "x=1"), ("HTTP_COOKIE", "y=2"),
        ]))

        XCTAssertEqual(headers["accept"], "a, b")
        XCTAssertEqual(headers["cookie"], "x=1; y=2")
    }

    func testParamsAreReadFromLibfcgiEnvironment() {
        let texts = ["REQUEST_METHOD=PUT", "QUERY_STRING=a=b=c", "EMPTY=", "NOEQUALS"]
        let strings = texts.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        var environment: [UnsafeMutablePointer<CChar>?] = strings + [nil]
        let parsed = environment.withUnsafeMutableBufferPointer { FastCGIParams(environment: $0.baseAddress) }

        XCTAssertEqual(parsed.entries.map(\.name), ["REQUEST_METHOD", "QUERY_STRING", "EMPTY"])
        XCTAssertEqual(parsed["QUERY_STRING"], "a=b=c")
        XCTAssertEqual(parsed["EMPTY"], "")
    }
}
