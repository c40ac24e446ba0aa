#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The last error message of each thread using a handle. Per thread, so that one thread's
/// failure is never reported to, or freed under, another thread reading `mr_errmsg`.
final class ThreadMessages {
    private static let outOfMemory = CStrings.permanent("out of memory")

    private let lock = Lock()
    /// A nil copy records a message that could not be allocated.
    private var messages: [UInt: UnsafeMutablePointer<CChar>?] = [:]

    deinit {
        for message in messages.values { free(message) }
    }

    func set(_ text: String) {
        let copy = CStrings.duplicate(text)
        let key = Self.currentThread
        lock.withLock {
            if let old = messages.removeValue(forKey: key) { free(old) }
            messages[key] = .some(copy)
        }
    }

    func clear() {
        let key = Self.currentThread
        lock.withLock {
            if let old = messages.removeValue(forKey: key) { free(old) }
        }
    }

    /// The calling thread's message, or nil after a success.
    func current() -> UnsafePointer<CChar>? {
        let key = Self.currentThread
        return lock.withLock {
            guard let entry = messages[key] else { return nil }
            return entry.map { UnsafePointer($0) } ?? Self.outOfMemory
        }
    }

    private static var currentThread: UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }
}
