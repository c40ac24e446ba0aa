import Foundation
import MLMD

/// The registry's domain operations on one MLMD store: create, get, update, list and find for
/// every entity kind. Every write is one `BEGIN IMMEDIATE` transaction.
public final class RegistryService {
    public let store: MetadataStore
    /// The most rows one list request returns, whatever `pageSize` asks for.
    public var maxPageSize: Int
    var connection: Connection { store.connection }
    /// SQL texts of unfiltered lists by their shape (`list`); a handful of entries.
    var listSQL: [ListShape: String] = [:]

    public init(store: MetadataStore, maxPageSize: Int = 1000) {
        self.store = store
        self.maxPageSize = maxPageSize
    }

    /// Creates the MLMD schema and the registry's types if needed. Run once before serving
    /// (by the supervisor, before workers start) so that workers never race on DDL.
    public static func prepareStore(at path: String) throws {
        let store = try MetadataStore.open(path: path)
        try store.connection.transaction {
            try store.createOrVerifySchema()
            for kind in EntityKind.all {
                try store.ensureType(kind.typeDefinition)
            }
            // Ours, on top of ml-metadata's schema: see RegistryIndexes.
            for index in RegistryIndexes.all {
                try store.connection.execute(index.sql)
            }
        }
    }

    /// Opens a prepared store for serving.
    public static func open(path: String, maxPageSize: Int = 1000) throws -> RegistryService {
        let store = try MetadataStore.open(path: path, create: false)
        return RegistryService(store: store, maxPageSize: maxPageSize)
    }

    /// Leaves the sync of each write's commit to the caller (`Connection.deferWALSyncs`):
    /// `sync` makes everything committed so far durable, `afterSync` checkpoints now and then;
    /// both from another thread (one at a time). `takeUnsyncedCommits()` tells whether a
    /// request left anything to sync. Nil when the store has nothing to sync (in memory).
    public func deferCommitSyncs() throws -> (sync: @Sendable () throws -> Void, afterSync: @Sendable () -> Void)? {
        guard let syncer = try connection.deferWALSyncs() else { return nil }
        return ({ try syncer.sync() }, { syncer.checkpointIfDue() })
    }

    /// See `deferCommitSyncs()`; resets the answer.
    public func takeUnsyncedCommits() -> Bool {
        connection.takeUnsyncedCommits()
    }

    /// A stamp that changes whenever any read could answer differently: a commit by another
    /// connection or process, or a write through this service (`Connection.changeStamp`).
    /// Lets a caller reuse what it read while the stamp stays equal.
    public func changeStamp() throws -> StoreChangeStamp {
        StoreChangeStamp(stamp: try translatingStorageErrors { try connection.changeStamp() })
    }

    /// Runs `body` as one write transaction, turning storage failures into registry errors.
    func write<T>(_ body: () throws -> T) throws -> T {
        try translatingStorageErrors { try connection.transaction(write: true, body) }
    }

    /// Runs several service calls as one write transaction: they all take effect or, when one
    /// throws, none does (the calls' own transactions join this one).
    public func atomically<T>(_ body: () throws -> T) throws -> T {
        try write(body)
    }

    func read<T>(_ body: () throws -> T) throws -> T {
        try translatingStorageErrors { try connection.transaction(write: false, body) }
    }

    func translatingStorageErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RegistryError {
            throw error
        } catch let error as SQLiteError {
            throw RegistryService.registryError(for: error)
        } catch let error as MetadataStore.StoreError {
            throw RegistryError.internalError("store error: \(error)")
        }
    }

    static func registryError(for error: SQLiteError) -> RegistryError {
        if error.isBusy { return .unavailable("the database is busy, retry later") }
        if error.isReadOnly { return .unavailable("the database is read-only") }
        if error.isFull { return .insufficientStorage("the disk holding the database is full") }
        if error.isCorrupt { return .internalError("the database file is corrupt") }
        return .internalError("database error: \(error.message)")
    }

    /// Milliseconds since the epoch.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    func typeID(_ kind: EntityKind) throws -> Int64 {
        try store.typeID(named: kind.typeName)
    }

    func kind(forTypeID id: Int64, among kinds: [EntityKind]) throws -> EntityKind? {
        for kind in kinds where try typeID(kind) == id { return kind }
        return nil
    }
}

/// See `RegistryService.changeStamp()`.
public struct StoreChangeStamp: Equatable, Sendable {
    let stamp: ChangeStamp
}
