#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal FastCGI client side for tests: encodes a request the way nginx does and
/// decodes the records that come back.
enum FastCGIRecords {
    static let beginRequest: UInt8 = 1
    static let endRequest: UInt8 = 3
    static let params: UInt8 = 4
    static let stdin: UInt8 = 5
    static let stdout: UInt8 = 6
    static let stderr: UInt8 = 7

    static func record(type: UInt8, requestId: UInt16 = 1, content: [UInt8]) -> [UInt8] {
        precondition(content.count <= 0xffff)
        let padding = (8 - content.count % 8) % 8
        return [1, type, UInt8(requestId >> 8), UInt8(requestId & 0xff),
                UInt8(content.count >> 8), UInt8(content.count & 0xff), UInt8(padding), 0]
            + content + [UInt8](repeating: 0, count: padding)
    }

    static func nameValuePair(_ name: String, _ value: String) -> [UInt8] {
        func length(_ count: Int) -> [UInt8] {
            count < 128 ? [UInt8(count)]
                : [UInt8((count >> 24) & 0x7f) | 0x80, UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
        }
        return length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
    }

    /// A complete responder request; the body goes out in records of at most `chunk` bytes.
    static func request(params: [(String, String)], body: [UInt8] = [], keepConnection: Bool = false, chunk: Int = 8192) -> [UInt8] {
        var bytes = record(type: beginRequest, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
        let encoded = params.flatMap { nameValuePair($0.0, $0.1) }
        bytes += record(type: Self.params, content: encoded) + record(type: Self.params, content: [])
        var offset = 0
        while offset < body.count {
            let end = min(offset + chunk, body.count)
            bytes += record(type: stdin, content: Array(body[offset..<end]))
            offset = end
        }
        return bytes + record(type: stdin, content: [])
    }

    /// The concatenated FCGI_STDOUT content and whether FCGI_END_REQUEST arrived.
    static func decodeResponse(_ bytes: [UInt8]) -> (stdout: [UInt8], ended: Bool) {
        var stdoutBytes: [UInt8] = []
        var ended = false
        var offset = 0
        while offset + 8 <= bytes.count {
            let type = bytes[offset + 1]
            let length = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
            let padding = Int(bytes[offset + 6])
            let content = Array(bytes[(offset + 8)..<min(bytes.count, offset + 8 + length)])
            if type == stdout { stdoutBytes += content }
            if type == endRequest { ended = true }
            offset += 8 + length + padding
        }
        return (stdoutBytes, ended)
    }
}

/// A connected pair of unix stream sockets: `client` plays nginx, `server` the worker's end.
struct SocketPair {
    let client: Int32
    let server: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        client = fds[0]
        server = fds[1]
    }

    /// Sends everything, then half-closes, as nginx's request is complete.
    func sendRequest(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            precondition(count > 0)
            offset += count
        }
        shutdown(client, Int32(SHUT_WR))
    }

    func readAll() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            result += buffer[0..<count]
        }
        close(client)
        return result
    }
}
