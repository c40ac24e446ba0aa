#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// fcntl helpers for the few descriptor flags the server relies on.
enum FileDescriptorFlags {
    static func setNonBlocking(_ fd: Int32, _ enabled: Bool) throws {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { throw SystemCallError("fcntl(F_GETFL)") }
        let updated = enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if updated != flags, fcntl(fd, F_SETFL, updated) < 0 { throw SystemCallError("fcntl(F_SETFL)") }
    }

    static func setCloseOnExec(_ fd: Int32) throws {
        let flags = fcntl(fd, F_GETFD)
        guard flags >= 0, fcntl(fd, F_SETFD, flags | FD_CLOEXEC) >= 0 else { throw SystemCallError("fcntl(F_SETFD)") }
    }

    /// A pipe whose ends are close-on-exec (helpers we exec must not inherit them) and,
    /// optionally, non-blocking.
    static func makePipe(nonBlockingRead: Bool, nonBlockingWrite: Bool) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemCallError("pipe") }
        try setCloseOnExec(fds[0])
        try setCloseOnExec(fds[1])
        try setNonBlocking(fds[0], nonBlockingRead)
        try setNonBlocking(fds[1], nonBlockingWrite)
        return (fds[0], fds[1])
    }
}
