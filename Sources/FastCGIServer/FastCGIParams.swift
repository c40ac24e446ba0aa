#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parameters (CGI-style environment) of one FastCGI request, in the order the web
/// server sent them. Names may repeat: nginx 1.22 sends a repeated HTTP header once per value.
struct FastCGIParams {
    var entries: [(name: String, value: String)]

    init(_ entries: [(name: String, value: String)]) {
        self.entries = entries
    }

    /// Reads libfcgi's NULL-terminated array of `NAME=value` C strings, making `String`s only
    /// for the parameters whose name `keeps` accepts (nginx sends about twenty-five per
    /// request; the worker reads a handful and the HTTP_* headers).
    init(environment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
         keeps: (UnsafeRawBufferPointer) -> Bool = { _ in true }) {
        entries = []
        guard var cursor = environment else { return }
        entries.reserveCapacity(16)
        while let entry = cursor.pointee {
            let length = strlen(entry)
            let bytes = UnsafeRawBufferPointer(start: entry, count: length)
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")),
               keeps(UnsafeRawBufferPointer(rebasing: bytes[..<equals])) {
                entries.append((
                    name: String(decoding: bytes[..<equals], as: UTF8.self),
                    value: String(decoding: bytes[(equals + 1)...], as: UTF8.self)
                ))
            }
            cursor += 1
        }
    }

    /// The first value sent for `name`.
    subscript(name: String) -> String? {
        entries.first { $0.name == name }?.value
    }
}
