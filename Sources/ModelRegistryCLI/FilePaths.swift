#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path helpers: nginx runs with its own prefix and the pool in another process, so every
/// path handed to them is made absolute first.
enum FilePaths {
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        let base = currentDirectory()
        if relative.isEmpty || relative == "." { return base }
        return base == "/" ? "/" + relative : base + "/" + relative
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(cString: buffer)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates `path` and any missing parents (mkdir -p). New directories get `mode`.
    static func createDirectory(_ path: String, mode: mode_t) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw FileError("\(path) exists and is not a directory") }
            return
        }
        let parentPath = parent(of: path)
        if parentPath != path { try createDirectory(parentPath, mode: 0o755) }
        guard mkdir(path, mode) == 0 || errno == EEXIST else {
            throw FileError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count { break }
        }
        return ferror(file) == 0 ? String(decoding: bytes, as: UTF8.self) : nil
    }

    static func writeFile(_ path: String, _ text: String) throws {
        guard let file = fopen(path, "wb") else { throw FileError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count, fflush(file) == 0 else {
            throw FileError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

struct FileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
