#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lets the processes serving one store take turns at writing before they ask SQLite, through
/// an advisory `flock` on a file beside the store (`<store>-writer.lock`).
///
/// Without it, a worker that finds SQLite's write lock taken retries `BEGIN IMMEDIATE` from its
/// busy handler; every retry reads the WAL index again and, once the other writer commits, its
/// page cache is dropped and rebuilt. With two workers writing, that doubled the CPU of a write
/// (Docs/performance.md). Waiting here costs one system call per attempt and touches nothing
/// of SQLite's. SQLite's own locking still decides; the gate only orders our writers (other
/// programs, e.g. ml-metadata, never take it and are waited for by the busy handler as before).
/// The file is never removed; a store in a directory we cannot write to simply has no gate.
final class WriteGate {
    private let fd: Int32
    private let timeoutNanoseconds: UInt64

    init?(databasePath: String, timeoutMilliseconds: Int32) {
        guard !databasePath.isEmpty, databasePath != ":memory:", !databasePath.hasPrefix("file:") else { return nil }
        let descriptor = open(databasePath + "-writer.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        fd = descriptor
        timeoutNanoseconds = UInt64(max(timeoutMilliseconds, 0)) * 1_000_000
    }

    deinit {
        close(fd)
    }

    /// Takes the gate, polling as the busy handler does (50 µs at first); false after the
    /// timeout, which the caller reports as a busy database.
    func enter() -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        let started = Connection.BusyWait.now()
        while true {
            let waited = Connection.BusyWait.now() &- started
            guard waited < timeoutNanoseconds else { return false }
            Connection.BusyWait.pause(afterWaiting: waited)
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            if errno != EWOULDBLOCK && errno != EINTR { return true }  // no gate to wait for (e.g. ENOLCK)
        }
    }

    func leave() {
        flock(fd, LOCK_UN)
    }
}
