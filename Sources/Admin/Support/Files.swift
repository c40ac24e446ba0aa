import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-system steps the operations build on: status, durable writes (fsync of files and of
/// their directory), atomic replacement and no-clobber publication.
enum Files {
    static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    static func exists(_ path: String) -> Bool { status(path) != nil }

    static func isDirectory(_ path: String) -> Bool {
        guard let info = status(path) else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        guard let info = status(path) else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The size in bytes, or nil when the file does not exist.
    static func size(_ path: String) -> Int64? {
        status(path).map { Int64($0.st_size) }
    }

    /// True when both paths name the same existing file (same device and inode).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        guard let x = status(a), let y = status(b) else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// A hidden, unique name next to `path` for a file that is published by renaming it onto
    /// `path` (same directory, so the rename is atomic).
    static func temporarySibling(of path: String, tag: String) -> String {
        let random = UInt32.random(in: 0...UInt32.max)
        let name = ".\(baseName(of: path)).\(tag)-\(getpid())-\(String(random, radix: 16))"
        return join(directory(of: path), name)
    }

    /// Removes a file if it exists; other errors are reported.
    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw AdminError.failed("cannot remove \(path): \(lastError())")
        }
    }

    static func removeIfPresent(_ path: String) {
        _ = unlink(path)
    }

    /// Flushes a file's data and metadata to stable storage.
    static func fsyncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw AdminError.failed("cannot open \(path) to sync it: \(lastError())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw AdminError.failed("cannot sync \(path): \(lastError())") }
    }

    /// Makes a rename or unlink in `directory` durable.
    static func fsyncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { throw AdminError.failed("cannot open directory \(directory): \(lastError())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw AdminError.failed("cannot sync directory \(directory): \(lastError())") }
    }

    /// Atomically replaces (or creates) `destination` with `source`.
    static func rename(_ source: String, to destination: String) throws {
        guard posixRename(source, destination) == 0 else {
            throw AdminError.failed("cannot rename \(source) to \(destination): \(lastError())")
        }
    }

    /// Publishes `source` as `destination` only if `destination` does not exist (atomically, by
    /// hard-linking), then removes `source`.
    static func publishWithoutOverwriting(_ source: String, as destination: String) throws {
        guard link(source, destination) == 0 else {
            if errno == EEXIST { throw AdminError.failed("\(destination) already exists; pass --force to overwrite it") }
            throw AdminError.failed("cannot create \(destination): \(lastError())")
        }
        try remove(source)
    }

    /// Copies a file's bytes (for files SQLite cannot read, e.g. a corrupt store being replaced).
    static func copyBytes(from source: String, to destination: String) throws {
        guard let input = fopen(source, "rb") else { throw AdminError.failed("cannot read \(source): \(lastError())") }
        defer { fclose(input) }
        guard let output = fopen(destination, "wxb") else { throw AdminError.failed("cannot create \(destination): \(lastError())") }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = fread(&buffer, 1, buffer.count, input)
            if count > 0 && fwrite(buffer, 1, count, output) != count {
                fclose(output)
                throw AdminError.failed("cannot write \(destination): \(lastError())")
            }
            if count < buffer.count { break }
        }
        let failed = ferror(input) != 0
        guard fflush(output) == 0, fsync(fileno(output)) == 0, fclose(output) == 0, !failed else {
            throw AdminError.failed("cannot copy \(source) to \(destination): \(lastError())")
        }
    }

    /// Reads at most `count` bytes from the start of a file.
    static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw AdminError.failed("cannot open \(path): \(lastError())") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let read = bytes.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress! + total, count - total) }
            if read < 0 {
                if errno == EINTR { continue }
                throw AdminError.failed("cannot read \(path): \(lastError())")
            }
            if read == 0 { break }
            total += read
        }
        return Array(bytes[..<total])
    }

    static func lastError() -> String { String(cString: strerror(errno)) }

    /// `YYYYMMDDTHHMMSSZ` in UTC, for file names.
    static func timestampForFileName(_ date: Date = Date()) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// RFC 3339 UTC time with milliseconds, for reports.
    static func iso8601(milliseconds: Int64) -> String {
        var time = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int32(milliseconds % 1000))
    }

    static func nowMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func sleep(milliseconds: Int) {
        guard milliseconds > 0 else { return }
        usleep(useconds_t(milliseconds * 1000))
    }
}

// Free functions so the POSIX calls are reachable from inside `Files`, whose members shadow them.
private func posixRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
