/// The files of one SQLite store: the database and, in WAL mode, its `-wal` and `-shm`
/// companions (plus `-journal`, a rollback journal, which a WAL store never has at rest).
public struct StoreFiles: Sendable {
    public let database: String

    public init(_ database: String) {
        self.database = database
    }

    public var wal: String { database + "-wal" }
    public var shm: String { database + "-shm" }
    public var journal: String { database + "-journal" }

    /// Current sizes; a missing file counts as 0 bytes.
    public func sizes() -> (database: Int64, wal: Int64, shm: Int64) {
        (Files.size(database) ?? 0, Files.size(wal) ?? 0, Files.size(shm) ?? 0)
    }
}

/// The fields of the 100-byte SQLite file header the admin checks use
/// (https://www.sqlite.org/fileformat.html#the_database_header).
struct SQLiteFileHeader {
    static let magic: [UInt8] = Array("SQLite format 3\u{0}".utf8)
    static let length = 100

    var pageSize: Int
    var writeVersion: UInt8
    var readVersion: UInt8
    var changeCounter: UInt32
    var pageCount: UInt32
    var versionValidFor: UInt32

    /// File format 2 is WAL mode.
    var isWAL: Bool { writeVersion == 2 || readVersion == 2 }

    /// The page count in the header is only meaningful when written by SQLite 3.7.0 or later
    /// in the same transaction as the change counter.
    var pageCountIsValid: Bool { pageCount > 0 && versionValidFor == changeCounter }

    /// Parses a header; nil when the bytes are not an SQLite header.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.length, Array(bytes[0..<16]) == Self.magic else { return nil }
        func u16(_ offset: Int) -> Int { Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) }
        func u32(_ offset: Int) -> UInt32 {
            UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        }
        let rawPageSize = u16(16)
        pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else { return nil }
        writeVersion = bytes[18]
        readVersion = bytes[19]
        guard (1...2).contains(writeVersion), (1...2).contains(readVersion) else { return nil }
        changeCounter = u32(24)
        pageCount = u32(28)
        versionValidFor = u32(92)
    }
}
