import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds other processes using a store, without taking any lock and without opening it with
/// SQLite. Two independent signals:
///
/// 1. SQLite's own POSIX advisory locks. In WAL mode every open connection holds a shared lock
///    on the database file's lock range (bytes 0x40000000…+512) for as long as it is open, and a
///    shared lock on the "dead man switch" byte (offset 128) of the `-shm` file while it maps
///    the WAL index. `F_GETLK` reports whether another process holds any lock there, and its pid.
///    This sees every SQLite user on this host (any language, any container sharing the file),
///    idle or not — a running `model-registry serve`/`up` keeps one connection per worker open.
/// 2. On Linux, `/proc/<pid>/fd`: any process with the database, `-wal` or `-shm` open, even
///    between SQLite connections. Processes of other users may be invisible to a non-root caller,
///    which is why signal 1 comes first.
///
/// Caveat: POSIX locks of *this* process are never reported, and closing any descriptor of a
/// file drops this process's locks on it, so probes run while this process has no SQLite
/// connection to the store.
public struct StoreUsage: Equatable, Sendable {
    public struct Holder: Equatable, Sendable {
        public var pid: Int32
        /// The process name from `/proc/<pid>/comm` when readable.
        public var command: String?
        /// How it was seen: `"lock on <file>"` or `"open <file>"`.
        public var evidence: [String]
    }

    public var holders: [Holder]

    public var inUse: Bool { !holders.isEmpty }

    public var descriptions: [String] {
        holders.map { holder in
            let name = holder.command.map { " (\($0))" } ?? ""
            let pid = holder.pid > 0 ? "process \(holder.pid)\(name)" : "a process on another host or namespace"
            return "\(pid): \(holder.evidence.joined(separator: ", "))"
        }
    }
}

public enum StoreUsageProbe {
    /// SQLite's lock bytes (os_unix.c): PENDING_BYTE, RESERVED_BYTE, then SHARED_SIZE bytes.
    static let lockRangeStart: off_t = 0x4000_0000
    static let lockRangeLength: off_t = 512
    /// The WAL-index "DMS" byte, held shared by every connection that has the WAL index mapped.
    static let shmDeadManSwitch: off_t = 128

    public static func probe(databasePath: String) -> StoreUsage {
        let path = Files.absolute(databasePath)
        let files = StoreFiles(path)
        var evidence: [Int32: [String]] = [:]
        if let pid = lockHolder(path: files.database, start: lockRangeStart, length: lockRangeLength) {
            evidence[pid, default: []].append("lock on \(Files.baseName(of: files.database))")
        }
        if let pid = lockHolder(path: files.shm, start: shmDeadManSwitch, length: 1) {
            evidence[pid, default: []].append("lock on \(Files.baseName(of: files.shm))")
        }
        for (pid, names) in openers(of: [files.database, files.wal, files.shm]) {
            evidence[pid, default: []].append(contentsOf: names.map { "open \($0)" })
        }
        let holders = evidence.keys.sorted().map { pid in
            StoreUsage.Holder(pid: pid, command: command(of: pid), evidence: evidence[pid]!)
        }
        return StoreUsage(holders: holders)
    }

    /// The pid of a process holding a lock that conflicts with a write lock on the range, or nil.
    /// Opens the file read-only and takes no lock itself.
    static func lockHolder(path: String, start: off_t, length: off_t) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return lockHolder(descriptor: fd, start: start, length: length)
    }

    static func lockHolder(descriptor fd: Int32, start: off_t, length: off_t) -> Int32? {
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = start
        lock.l_len = length
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return nil }
        return lock.l_type == Int16(F_UNLCK) ? nil : lock.l_pid
    }

    /// Processes (other than this one) with one of `paths` open, from `/proc/*/fd`.
    static func openers(of paths: [String]) -> [Int32: [String]] {
        var targets: [String: String] = [:]
        for path in paths {
            targets[path] = Files.baseName(of: path)
            if let resolved = realPath(path) { targets[resolved] = Files.baseName(of: path) }
        }
        var result: [Int32: [String]] = [:]
        let me = getpid()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        for entry in entries {
            guard let pid = Int32(entry), pid != me else { continue }
            let fdDirectory = "/proc/\(entry)/fd"
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: fdDirectory) else { continue }
            var names: Set<String> = []
            for descriptor in descriptors {
                guard let target = readLink("\(fdDirectory)/\(descriptor)"), let name = targets[target] else { continue }
                names.insert(name)
            }
            if !names.isEmpty { result[pid] = names.sorted() }
        }
        return result
    }

    static func command(of pid: Int32) -> String? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
