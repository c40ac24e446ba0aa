@testable import API
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class AuthenticationTests: XCTestCase {
    func testTokenFileSyntax() throws {
        let text = "# clients\n\n  alpha-1  \r\nbeta.2/+=\n   # indented comment\n"
        XCTAssertEqual(try BearerTokenAuthenticator.parse(Array(text.utf8)), [Array("alpha-1".utf8), Array("beta.2/+=".utf8)])
        XCTAssertEqual(try BearerTokenAuthenticator.parse([]), [])
        XCTAssertThrowsError(try BearerTokenAuthenticator.parse(Array("ok\nhas space\n".utf8))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("line 2"), message)
            XCTAssertFalse(message.contains("has space"), "the error must not quote the file")
        }
        XCTAssertThrowsError(try BearerTokenAuthenticator.parse(Array("caf\u{e9}\n".utf8)))
    }

    func testBearerHeaderParsing() {
        XCTAssertEqual(BearerTokenAuthenticator.bearerToken(in: "Bearer abc"), Array("abc".utf8))
        XCTAssertEqual(BearerTokenAuthenticator.bearerToken(in: "bEaReR    abc  "), Array("abc".utf8))
        for header in ["Bearer", "Bearer ", "Bearerabc", "Basic abc", "Bearer a b", "abc", "", "Bearer \u{e9}"] {
            XCTAssertNil(BearerTokenAuthenticator.bearerToken(in: header), header)
        }
    }

    func testConstantTimeComparison() {
        let token = Array("secret-token".utf8)
        XCTAssertTrue(BearerTokenAuthenticator.constantTimeEquals(token, token))
        XCTAssertFalse(BearerTokenAuthenticator.constantTimeEquals(Array("secret-tokeN".utf8), token))
        XCTAssertFalse(BearerTokenAuthenticator.constantTimeEquals(Array("secret-token-".utf8), token))
        XCTAssertFalse(BearerTokenAuthenticator.constantTimeEquals(Array("secret".utf8), token))
        XCTAssertFalse(BearerTokenAuthenticator.constantTimeEquals([], token))
        XCTAssertFalse(BearerTokenAuthenticator.constantTimeEquals(token, []))
        // a repetition of the token is not the token
        XCTAssertFalse(BearerTokenAuthenticator.constantTimeEquals(token + token, token))
    }

    func testChecksRequestsAndRereadsTheFile() throws {
        let path = temporaryDirectory() + "/auth-tokens-\(getpid())"
        defer { unlink(path) }
        try write("one\n", to: path)
        let authenticator = try BearerTokenAuthenticator(tokenFile: path)
        func status(_ header: String?) -> Int? {
            authenticator.check(Request(method: "GET", path: "/", headers: header.map { ["authorization": $0] } ?? [:]))?.status
        }
        XCTAssertNil(status("Bearer one"))
        XCTAssertEqual(status(nil), 401)
        XCTAssertEqual(status("Bearer two"), 401)
        try write("two\nthree\n", to: path)
        XCTAssertNil(status("Bearer two"))
        XCTAssertEqual(status("Bearer one"), 401)
        unlink(path)
        XCTAssertEqual(status("Bearer two"), 503)
        try write("three\n", to: path)
        XCTAssertNil(status("Bearer three"))
        XCTAssertThrowsError(try BearerTokenAuthenticator(tokenFile: path + ".missing"))
    }

    private struct WriteError: Error {}

    private func temporaryDirectory() -> String {
        getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    }

    private func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "w") else { throw WriteError() }
        fputs(text, file)
        fclose(file)
    }
}
