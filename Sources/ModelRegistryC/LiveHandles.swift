/// Addresses of open handles, so a closed or foreign pointer is refused with MR_MISUSE
/// instead of being dereferenced.
enum LiveHandles {
    private static let lock = Lock()
    nonisolated(unsafe) private static var open: Set<UnsafeMutableRawPointer> = []

    static func insert(_ handle: Handle) -> OpaquePointer {
        let pointer = Unmanaged.passRetained(handle).toOpaque()
        lock.withLock { _ = open.insert(pointer) }
        return OpaquePointer(pointer)
    }

    static func lookup(_ pointer: OpaquePointer?) -> Handle? {
        guard let pointer else { return nil }
        let raw = UnsafeMutableRawPointer(pointer)
        return lock.withLock {
            open.contains(raw) ? Unmanaged<Handle>.fromOpaque(raw).takeUnretainedValue() : nil
        }
    }

    /// Removes the handle and returns it for the caller to release; nil if it was not open.
    static func remove(_ pointer: OpaquePointer) -> Handle? {
        let raw = UnsafeMutableRawPointer(pointer)
        return lock.withLock {
            open.remove(raw) != nil ? Unmanaged<Handle>.fromOpaque(raw).takeRetainedValue() : nil
        }
    }
}
