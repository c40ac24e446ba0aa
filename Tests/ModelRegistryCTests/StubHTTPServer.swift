import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 server for the remote transport's tests: records every request and
/// answers each with the same JSON, keeping connections open (one thread per connection).
final class StubHTTPServer: @unchecked Sendable {
    struct Recorded {
        var connection: Int
        var requestLine: String
        var headers: [String: String]
        var body: String
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [Recorded] = []
    private var connectionCount = 0
    private let responseBody: String

    init(responseBody: String = #"{"ok":true}"#) throws {
        self.responseBody = responseBody
        (listener, port) = try Self.listen()
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { close(listener) }

    var requests: [Recorded] { lock.withLock { recorded } }
    var connections: Int { lock.withLock { connectionCount } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A bound, listening socket on 127.0.0.1 that nobody accepts from: connects succeed, answers never come.
    static func listen() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && Glibc.listen(fd, 64) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let number = lock.withLock { () -> Int in connectionCount += 1; return connectionCount }
            Thread.detachNewThread { [self] in serve(client, number) }
        }
    }

    private func serve(_ client: Int32, _ number: Int) {
        defer { close(client) }
        var buffer: [UInt8] = []
        while let (head, body) = readRequest(client, &buffer) {
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst()
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            lock.withLock { recorded.append(Recorded(connection: number, requestLine: requestLine, headers: headers, body: body)) }
            let head = requestLine.hasPrefix("HEAD ") ? "" : responseBody
            let reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(responseBody.utf8.count)\r\n\r\n\(head)"
            _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        }
    }

    /// One request (head text, body text) from the connection, or nil at end of stream.
    private func readRequest(_ client: Int32, _ buffer: inout [UInt8]) -> (String, String)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.firstRange(of: separator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                let length = head.components(separatedBy: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if buffer.count >= end.upperBound + length {
                    let body = String(decoding: buffer[end.upperBound..<end.upperBound + length], as: UTF8.self)
                    buffer.removeFirst(end.upperBound + length)
                    return (head, body)
                }
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
