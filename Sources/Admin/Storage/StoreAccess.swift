import CSQLite
import MLMD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens stores for the admin operations, after checking — without writing a byte — that the
/// file is what it claims to be. Every refusal names the file and says what is wrong with it, so
/// a truncated file, random bytes or someone else's SQLite database is never "repaired" by
/// accident (opening for writing would, for instance, switch its journal mode).
public enum StoreAccess {
    /// What a file holds.
    public enum Content: Equatable, Sendable {
        /// No file, or a file of 0 bytes: a new store can be created there.
        case nothing
        /// An SQLite database without tables.
        case emptyDatabase
        /// An ML-Metadata store with this schema version.
        case mlmd(version: Int64)
    }

    // MARK: File checks

    /// Checks the file looks like a whole SQLite database. With `allowMissing`, a missing or
    /// empty file is fine (`.nothing`); otherwise it is an error.
    static func checkFile(_ path: String, allowMissing: Bool = false) throws -> SQLiteFileHeader? {
        guard let info = Files.status(path) else {
            if allowMissing { return nil }
            throw AdminError.failed("no store at \(path): the file does not exist")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw AdminError.failed("\(path) is not a regular file")
        }
        let size = Int64(info.st_size)
        if size == 0 {
            if allowMissing { return nil }
            throw AdminError.failed("\(path) is empty (0 bytes): not a store")
        }
        let prefix = try Files.readPrefix(path, count: SQLiteFileHeader.length)
        guard prefix.count == SQLiteFileHeader.length else {
            throw AdminError.failed("\(path) is not an SQLite database: only \(size) bytes, shorter than an SQLite header")
        }
        guard let header = SQLiteFileHeader(prefix) else {
            throw AdminError.failed("\(path) is not an SQLite database (no valid SQLite header)")
        }
        // Without a WAL the file must hold every page its header counts; with one, a checkpoint
        // may be extending the file right now, so the sizes are not comparable.
        let walSize = Files.size(StoreFiles(path).wal) ?? 0
        if walSize == 0 {
            let expected = Int64(header.pageCount) * Int64(header.pageSize)
            if header.pageCountIsValid, size < expected {
                throw AdminError.failed(
                    "\(path) is truncated: its header counts \(header.pageCount) pages of \(header.pageSize) bytes (\(expected) bytes) but the file has \(size) bytes")
            }
            if size % Int64(header.pageSize) != 0 {
                throw AdminError.failed(
                    "\(path) is damaged: its size (\(size) bytes) is not a multiple of its page size (\(header.pageSize) bytes)")
            }
        }
        return header
    }

    // MARK: Opening

    /// Opens an existing database read-only. A WAL store whose directory does not allow the
    /// shared-memory file to be created (read-only media) is opened as immutable, which is safe
    /// only because no `-wal` exists, i.e. no writer is active.
    static func openReadOnly(_ path: String, busyTimeout: Int32) throws -> Connection {
        do {
            let connection = try Connection(path: path, options: .init(readOnly: true, create: false,
                                                                       busyTimeoutMilliseconds: busyTimeout))
            _ = try connection.scalarInt("SELECT COUNT(*) FROM sqlite_master")
            return connection
        } catch let error as SQLiteError where error.primaryCode == SQLITE_CANTOPEN || error.primaryCode == SQLITE_READONLY {
            guard !Files.exists(StoreFiles(path).wal) else {
                throw AdminError.from(error, path: path, doing: "cannot open the store")
            }
            do {
                let connection = try Connection(path: immutableURI(path), options: .init(readOnly: true, create: false,
                                                                                         busyTimeoutMilliseconds: busyTimeout))
                _ = try connection.scalarInt("SELECT COUNT(*) FROM sqlite_master")
                return connection
            } catch {
                throw AdminError.from(error, path: path, doing: "cannot open the store")
            }
        } catch {
            throw AdminError.from(error, path: path, doing: "cannot open the store")
        }
    }

    static func immutableURI(_ path: String) -> String {
        var encoded = ""
        for byte in Files.absolute(path).utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                encoded.append(Character(UnicodeScalar(byte)))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return "file://" + encoded + "?immutable=1"
    }

    /// What the database holds, from its table list and `MLMDEnv`.
    public static func content(of connection: Connection, path: String) throws -> Content {
        do {
            let tables = try connection.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.string(0) }
            if tables.isEmpty { return .emptyDatabase }
            guard tables.contains("MLMDEnv") else {
                let shown = tables.prefix(8).joined(separator: ", ") + (tables.count > 8 ? ", …" : "")
                throw AdminError.failed("\(path) is an SQLite database but not an ML-Metadata store (no MLMDEnv table; tables: \(shown))")
            }
            guard let version = try connection.scalarInt("SELECT MAX(schema_version) FROM MLMDEnv") else {
                throw AdminError.failed("\(path) is not a usable ML-Metadata store: MLMDEnv records no schema version")
            }
            return .mlmd(version: version)
        } catch {
            throw AdminError.from(error, path: path, doing: "cannot read the store")
        }
    }

    /// Fails unless the store has this binary's schema version and all of its tables.
    static func requireCurrentSchema(_ content: Content, connection: Connection, path: String) throws {
        switch content {
        case .nothing, .emptyDatabase:
            throw AdminError.failed("\(path) is an empty database, not a registry store (create one with `model-registry migrate --db \(path)`)")
        case .mlmd(let version) where version > MLMDSchema.version:
            throw AdminError.failed(
                "\(path) has ML-Metadata schema version \(version), newer than this binary supports (\(MLMDSchema.version)); use a newer model-registry")
        case .mlmd(let version) where version < MLMDSchema.version:
            throw AdminError.failed(
                "\(path) has ML-Metadata schema version \(version); upgrade it with `model-registry migrate --db \(path)` (this binary needs \(MLMDSchema.version))")
        case .mlmd:
            let present = Set(try connection.all("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.string(0) })
            let missing = MLMDSchema.tableNames.filter { !present.contains($0) }
            guard missing.isEmpty else {
                throw AdminError.failed("\(path) is not a complete ML-Metadata store: missing tables \(missing.joined(separator: ", "))")
            }
        }
    }

    /// Opens an existing, current store read-only (check, stats, export, backup sources).
    public static func openStoreForReading(_ path: String, busyTimeout: Int32) throws -> MetadataStore {
        _ = try checkFile(path)
        let connection = try openReadOnly(path, busyTimeout: busyTimeout)
        let content = try content(of: connection, path: path)
        do {
            try requireCurrentSchema(content, connection: connection, path: path)
            try connection.execute("PRAGMA foreign_keys=OFF")
        } catch {
            throw AdminError.from(error, path: path, doing: "cannot open the store")
        }
        return MetadataStore(connection: connection)
    }

    /// Opens an existing, current store for writing exactly as the server does
    /// (`MetadataStore.open`), after the read-only checks above have passed.
    public static func openStoreForWriting(_ path: String, busyTimeout: Int32) throws -> MetadataStore {
        _ = try openStoreForReading(path, busyTimeout: busyTimeout)
        do {
            return try MetadataStore.open(path: path, create: false, busyTimeoutMilliseconds: busyTimeout)
        } catch {
            throw AdminError.from(error, path: path, doing: "cannot open the store for writing")
        }
    }
}

extension String {
    func leftPadded(to length: Int, with pad: Character = "0") -> String {
        count >= length ? self : String(repeating: pad, count: length - count) + self
    }
}
