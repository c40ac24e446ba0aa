#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Optional bearer-token authentication (`--auth-tokens FILE`, off by default).
///
/// The file holds one token per line; blank lines and lines starting with `#` are ignored. A
/// token is visible ASCII without spaces (what an `Authorization: Bearer` header can carry).
/// The file is checked before every request (one `stat`): when its inode, size, modification
/// or change time differ from the loaded copy, it is read again, so rotating tokens needs no
/// restart. A file that can no longer be read (or no longer parses) fails closed: every API
/// request gets 503 until it is readable again.
///
/// Tokens are compared in constant time (for a given presented length) and never appear in
/// messages or logs; neither does the file's content.
public final class BearerTokenAuthenticator {
    public let path: String
    private var tokens: [[UInt8]] = []
    private var loadedStamp: FileStamp?
    private var loadFailure: String?

    /// Loads `path`; throws when it cannot be read or has an invalid line, so a server fails at
    /// start-up instead of refusing every request.
    public init(tokenFile path: String) throws {
        self.path = path
        let stamp = try FileStamp.of(path)
        tokens = try Self.parse(try Self.readFile(path))
        loadedStamp = stamp
    }

    /// How many tokens the current file holds.
    public var tokenCount: Int { tokens.count }

    /// nil when the request may proceed; else the 401 (or 503) response to send.
    func check(_ request: Request) -> Response? {
        reloadIfChanged()
        if let loadFailure {
            return ErrorResponse.make(status: 503, message: "authentication is unavailable: \(loadFailure)")
        }
        guard let header = request.headers["authorization"] else {
            return Self.unauthorized("missing bearer token: send the header 'Authorization: Bearer <token>'", challenge: "Bearer realm=\"model-registry\"")
        }
        guard let presented = Self.bearerToken(in: header) else {
            return Self.unauthorized("the Authorization header is not of the form 'Bearer <token>'",
                                     challenge: "Bearer realm=\"model-registry\", error=\"invalid_request\"")
        }
        var matched: UInt8 = 0
        for token in tokens {
            matched |= Self.constantTimeEquals(presented, token) ? 1 : 0
        }
        if matched == 0 {
            return Self.unauthorized("invalid bearer token", challenge: "Bearer realm=\"model-registry\", error=\"invalid_token\"")
        }
        return nil
    }

    private static func unauthorized(_ message: String, challenge: String) -> Response {
        var response = ErrorResponse.make(status: 401, message: message)
        response.headers.append(("WWW-Authenticate", challenge))
        return response
    }

    // MARK: The token file

    private func reloadIfChanged() {
        let stamp: FileStamp
        do {
            stamp = try FileStamp.of(path)
        } catch {
            loadFailure = "\(error)"
            loadedStamp = nil
            return
        }
        guard stamp != loadedStamp else { return }
        do {
            tokens = try Self.parse(try Self.readFile(path))
            loadedStamp = stamp
            loadFailure = nil
        } catch {
            tokens = []
            loadedStamp = nil // try again on the next request
            loadFailure = "\(error)"
        }
    }

    public struct TokenFileError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The tokens in a file's text. Errors name the line, never its content.
    static func parse(_ text: [UInt8]) throws -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        for (index, rawLine) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = trimmed(rawLine)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            guard line.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw TokenFileError(description: "line \(index + 1) of the token file is not a token (visible ASCII characters without spaces)")
            }
            tokens.append(Array(line))
        }
        return tokens
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, surrounding spaces allowed).
    static func bearerToken(in header: String) -> [UInt8]? {
        let value = trimmed(ArraySlice(header.utf8))
        let scheme = Array("bearer".utf8)
        guard value.count > scheme.count + 1 else { return nil }
        for (offset, expected) in scheme.enumerated() where value[value.startIndex + offset] | 0x20 != expected {
            return nil
        }
        let rest = value.dropFirst(scheme.count)
        guard rest.first == 0x20 else { return nil }
        let token = trimmed(rest)
        guard !token.isEmpty, token.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return Array(token)
    }

    /// Compares without an early exit: the time depends on the presented token's length only.
    static func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        guard !expected.isEmpty else { return false }
        var difference = UInt(bitPattern: presented.count ^ expected.count)
        for index in 0..<presented.count {
            difference |= UInt(presented[index] ^ expected[index % expected.count])
        }
        return difference == 0
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TokenFileError(description: "cannot open the token file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TokenFileError(description: "cannot read the token file \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { return content }
            content.append(contentsOf: chunk[0..<count])
            if content.count > 1 << 20 { throw TokenFileError(description: "the token file \(path) is larger than 1 MiB") }
        }
    }
}

/// Identifies one version of a file: a replaced file (new inode) or one written in place (new
/// size or times) differs.
private struct FileStamp: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: Int64
    let changed: Int64

    static func of(_ path: String) throws -> FileStamp {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw BearerTokenAuthenticator.TokenFileError(description: "cannot read the token file \(path): \(String(cString: strerror(errno)))")
        }
        #if os(Linux)
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        let changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        #else
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        let changed = Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec)
        #endif
        return FileStamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                         modified: modified, changed: changed)
    }
}
