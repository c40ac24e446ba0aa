import JSON
import MLMD
import Registry

/// `stats`: entity counts per kind and state, and the store's storage figures (file sizes,
/// pages, free pages), from a read-only connection in one snapshot.
public struct StatsOperation {
    public var path: String
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds

    public init(path: String) {
        self.path = path
    }

    public func run(_ context: AdminContext = .silent) throws -> StatsReport {
        let store = try StoreAccess.openStoreForReading(path, busyTimeout: busyTimeout)
        let connection = store.connection
        do {
            return try connection.transaction(write: false) {
                let kinds = try EntityCounts.detailed(connection)
                var other: [String: Int64] = [:]
                let registryTypes = EntityKind.all.map { "'\($0.typeName)'" }.joined(separator: ", ")
                for node in [NodeKind.context, .artifact, .execution] {
                    other[node.table] = try connection.scalarInt("""
                        SELECT COUNT(*) FROM \(node.table) n LEFT JOIN Type t ON t.id = n.type_id
                        WHERE t.name IS NULL OR t.name NOT IN (\(registryTypes))
                        """) ?? 0
                }
                other["Event"] = try connection.scalarInt("SELECT COUNT(*) FROM Event") ?? 0
                let files = StoreFiles(path).sizes()
                let storage = StatsReport.Storage(
                    databaseBytes: files.database, walBytes: files.wal, shmBytes: files.shm,
                    pageSize: try connection.scalarInt("PRAGMA page_size") ?? 0,
                    pageCount: try connection.scalarInt("PRAGMA page_count") ?? 0,
                    freelistPages: try connection.scalarInt("PRAGMA freelist_count") ?? 0,
                    journalMode: try connection.first("PRAGMA journal_mode") { $0.string(0) } ?? "unknown",
                    schemaVersion: try connection.scalarInt("SELECT MAX(schema_version) FROM MLMDEnv") ?? 0)
                return StatsReport(path: path, kinds: kinds, otherNodes: other, storage: storage)
            }
        } catch {
            throw AdminError.from(error, path: path, doing: "cannot read statistics")
        }
    }
}

public struct StatsReport: AdminReport {
    public struct Storage: Equatable, Sendable {
        public var databaseBytes: Int64
        public var walBytes: Int64
        public var shmBytes: Int64
        public var pageSize: Int64
        public var pageCount: Int64
        public var freelistPages: Int64
        public var journalMode: String
        public var schemaVersion: Int64

        public var freeBytes: Int64 { freelistPages * pageSize }
    }

    public var path: String
    var kinds: [EntityCounts.KindCount]
    /// MLMD rows that are not registry entities, per table.
    public var otherNodes: [String: Int64]
    public var storage: Storage

    public var problemsFound: Bool { false }

    /// Entity count per kind label (`RegisteredModel`, …, `MetricHistory`).
    public var totals: [String: Int64] {
        Dictionary(uniqueKeysWithValues: kinds.map { (EntityCounts.label($0.kind), $0.total) })
    }

    /// Count per value of a state-like field of a kind, e.g. `("RegisteredModel", "state")`.
    public func breakdown(_ kindLabel: String, _ field: String) -> [String: Int64] {
        kinds.first { EntityCounts.label($0.kind) == kindLabel }?.breakdown[field] ?? [:]
    }

    public var json: JSON {
        var entities: [String: JSON] = [:]
        for count in kinds {
            var object: [String: JSON] = ["total": .int(count.total)]
            for (field, values) in count.breakdown {
                object[field] = .object(values.mapValues(JSON.int))
            }
            entities[EntityCounts.label(count.kind)] = .object(object)
        }
        return .object([
            "ok": .bool(true),
            "command": .string("stats"),
            "database": .string(path),
            "entities": .object(entities),
            "otherMLMDRows": .object(otherNodes.mapValues(JSON.int)),
            "storage": .object([
                "schemaVersion": .int(storage.schemaVersion),
                "journalMode": .string(storage.journalMode),
                "databaseBytes": .int(storage.databaseBytes),
                "walBytes": .int(storage.walBytes),
                "shmBytes": .int(storage.shmBytes),
                "pageSize": .int(storage.pageSize),
                "pageCount": .int(storage.pageCount),
                "freelistPages": .int(storage.freelistPages),
                "freeBytes": .int(storage.freeBytes),
            ]),
        ])
    }

    public var text: String {
        var rows: [[String]] = [["entity", "total", "by state"]]
        for count in kinds {
            let states = EntityCounts.stateFields.compactMap { field -> String? in
                guard let values = count.breakdown[field], !values.isEmpty else { return nil }
                let parts = values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                return "\(field): \(parts)"
            }.joined(separator: "; ")
            rows.append([EntityCounts.label(count.kind), String(count.total), states])
        }
        var lines = ["\(path) (schema version \(storage.schemaVersion), journal mode \(storage.journalMode))"]
        lines += TextFormat.table(rows)
        lines.append("")
        lines += TextFormat.table([
            ["database", TextFormat.bytes(storage.databaseBytes)],
            ["wal", TextFormat.bytes(storage.walBytes)],
            ["shm", TextFormat.bytes(storage.shmBytes)],
            ["pages", "\(storage.pageCount) of \(storage.pageSize) bytes"],
            ["free pages", "\(storage.freelistPages) (\(TextFormat.bytes(storage.freeBytes)))"],
        ])
        let others = otherNodes.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !others.isEmpty {
            lines.append("other ML-Metadata rows: " + others.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
