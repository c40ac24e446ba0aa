#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Response bodies handed to C: malloc'd (so `mr_free` is `free`) with a NUL after the bytes.
enum ResponseBuffer {
    static func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
        guard let raw = malloc(bytes.count + 1) else { return nil }
        let buffer = raw.bindMemory(to: UInt8.self, capacity: bytes.count + 1)
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { buffer.update(from: base, count: bytes.count) }
        }
        buffer[bytes.count] = 0
        return buffer
    }
}
