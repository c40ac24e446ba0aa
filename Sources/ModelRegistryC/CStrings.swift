#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NUL-terminated copies of strings handed to C callers.
enum CStrings {
    /// A malloc'd copy; nil only when out of memory.
    static func duplicate(_ text: String) -> UnsafeMutablePointer<CChar>? {
        text.withCString { strdup($0) }
    }

    /// A copy that lives for the rest of the process, for the header's "static" strings.
    static func permanent(_ text: String) -> UnsafePointer<CChar> {
        guard let copy = duplicate(text) else { fatalError("out of memory at library start-up") }
        return UnsafePointer(copy)
    }
}
