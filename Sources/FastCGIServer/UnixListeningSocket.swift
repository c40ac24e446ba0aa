#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The FastCGI listening socket, opened once by the supervisor and inherited by every worker.
///
/// We bind it ourselves rather than with `FCGX_OpenSocket`, which calls `exit()` when bind
/// fails and cannot set a receive timeout. Workers block in `accept` on it, so the kernel
/// wakes one idle worker per connection; the timeout (`SO_RCVTIMEO`) bounds each wait, and
/// makes Linux fail `accept` with EINTR when a signal arrives even though our handlers use
/// SA_RESTART (signal(7)), so a stop request reaches an idle worker at once. (A unix socket's
/// accepted connections are new sockets: they do not inherit the timeout.)
struct UnixListeningSocket {
    /// The longest an idle worker waits in `accept` before looking whether its supervisor is
    /// still there (a backstop for the parent-death signal).
    static let acceptTimeoutSeconds = 1

    let fd: Int32
    let path: String
    private let device: UInt64
    private let inode: UInt64

    /// Binds `path` (replacing a stale socket file left by a crashed server), makes it
    /// connectable by any local user (nginx may run as another user; the run directory is
    /// private), and listens.
    static func open(path: String, backlog: Int32) throws -> UnixListeningSocket {
        var address = try socketAddress(path)
        try removeStaleSocket(at: path, address: &address)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket") }
        do {
            try FileDescriptorFlags.setCloseOnExec(fd)
            guard withSocketAddress(&address, { bind(fd, $0, $1) }) == 0 else { throw SystemCallError("bind(\(path))") }
            guard chmod(path, 0o666) == 0 else { throw SystemCallError("chmod(\(path))") }
            guard listen(fd, backlog) == 0 else { throw SystemCallError("listen(\(path))") }
            var timeout = timeval(tv_sec: Self.acceptTimeoutSeconds, tv_usec: 0)
            guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
                throw SystemCallError("setsockopt(SO_RCVTIMEO)")
            }
            var info = stat()
            guard stat(path, &info) == 0 else { throw SystemCallError("stat(\(path))") }
            return UnixListeningSocket(fd: fd, path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        } catch {
            closeDescriptor(fd)
            throw error
        }
    }

    /// Closes the socket and removes its file, unless the path now belongs to someone else.
    func close() {
        closeDescriptor(fd)
        var info = stat()
        if stat(path, &info) == 0, UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode {
            unlink(path)
        }
    }

    private static func socketAddress(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < capacity else { throw FastCGIServerError.socketPathTooLong(path, limit: capacity) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// A socket file nobody accepts on is left over from a crashed server and is removed;
    /// one that still accepts connections belongs to a running server and is an error.
    private static func removeStaleSocket(at path: String, address: inout sockaddr_un) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw FastCGIServerError.notASocket(path) }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { throw SystemCallError("socket") }
        let connected = withSocketAddress(&address) { connect(probe, $0, $1) } == 0
        closeDescriptor(probe)
        if connected { throw FastCGIServerError.socketInUse(path) }
        guard unlink(path) == 0 else { throw SystemCallError("unlink(\(path))") }
    }

    private static func withSocketAddress<R>(
        _ address: inout sockaddr_un, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R
    ) -> R {
        withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
