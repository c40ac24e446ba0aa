#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes lines to stdout or to a file that appears only when complete: the data goes to a
/// hidden temporary file next to the destination, which `commit()` flushes, fsyncs and renames
/// into place (or hard-links, refusing to overwrite). `abandon()` removes it.
final class LineWriter {
    private let file: UnsafeMutablePointer<FILE>
    private let temporary: String?
    let destination: String?
    private var closed = false
    private(set) var bytes: Int64 = 0

    /// Writes to standard output.
    init() {
        file = stdout
        temporary = nil
        destination = nil
    }

    /// Writes to `destination` through a temporary sibling.
    init(destination: String) throws {
        let temporary = Files.temporarySibling(of: destination, tag: "export")
        guard let file = fopen(temporary, "wxb") else {
            throw AdminError.failed("cannot create \(temporary): \(Files.lastError())")
        }
        setvbuf(file, nil, _IOFBF, 1 << 20)
        self.file = file
        self.temporary = temporary
        self.destination = destination
    }

    deinit {
        if !closed { abandon() }
    }

    func write(_ line: [UInt8]) throws {
        var count = line.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        count += fwrite("\n", 1, 1, file)
        guard count == line.count + 1 else {
            throw AdminError.failed("cannot write \(temporary ?? "standard output"): \(Files.lastError())")
        }
        bytes += Int64(count)
    }

    /// Flushes and publishes the file.
    func commit(overwrite: Bool) throws {
        guard fflush(file) == 0 else { throw AdminError.failed("cannot write \(temporary ?? "standard output"): \(Files.lastError())") }
        guard let temporary, let destination else { return }
        guard fsync(fileno(file)) == 0 else { throw AdminError.failed("cannot sync \(temporary): \(Files.lastError())") }
        closed = true
        guard fclose(file) == 0 else {
            Files.removeIfPresent(temporary)
            throw AdminError.failed("cannot write \(temporary): \(Files.lastError())")
        }
        do {
            if overwrite {
                try Files.rename(temporary, to: destination)
            } else {
                try Files.publishWithoutOverwriting(temporary, as: destination)
            }
            try Files.fsyncDirectory(Files.directory(of: destination))
        } catch {
            Files.removeIfPresent(temporary)
            throw error
        }
    }

    /// Drops a file that was not committed.
    func abandon() {
        guard !closed else { return }
        closed = true
        if let temporary {
            fclose(file)
            Files.removeIfPresent(temporary)
        } else {
            fflush(file)
        }
    }
}

/// Reads a file line by line without holding more than one line in memory.
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    let path: String
    private(set) var lineNumber = 0

    init(path: String) throws {
        guard let file = fopen(path, "rb") else {
            throw AdminError.failed("cannot read \(path): \(Files.lastError())")
        }
        self.file = file
        self.path = path
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next line without its line break, or nil at the end of the file.
    func next() throws -> [UInt8]? {
        let count = getline(&buffer, &capacity, file)
        if count < 0 {
            if ferror(file) != 0 { throw AdminError.failed("cannot read \(path): \(Files.lastError())") }
            return nil
        }
        lineNumber += 1
        var length = count
        guard let buffer else { return [] }
        let bytes = UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
        while length > 0 && (bytes[length - 1] == UInt8(ascii: "\n") || bytes[length - 1] == UInt8(ascii: "\r")) {
            length -= 1
        }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}
