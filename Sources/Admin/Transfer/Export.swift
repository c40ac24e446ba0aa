import API
import JSON
import MLMD
import Registry

/// `export`: every registry entity as JSON Lines, streamed page by page from one read snapshot.
///
/// Line 1 is a `Header`, the last line a `Footer` with the record count (an import refuses a
/// file without it, i.e. a truncated one). Each record in between is
/// `{"kind": "<Kind>", "entity": <the entity exactly as GET returns it>, ...}`, plus for
/// artifacts and serve models `parents` (the contexts they are attributed to / associated with)
/// and `owner` (the parent their stored name is prefixed with), and for metric history
/// `historyName` (the stored name after the run prefix, `<metric>__<ms>`). Parents come before
/// children: models, versions, serving environments, inference services, serve models,
/// experiments, runs, artifacts, metric history.
public struct ExportOperation {
    public var path: String
    /// A file, or `-` for standard output.
    public var destination: String
    public var force = false
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds
    public var pageSize = 500

    public init(path: String, destination: String) {
        self.path = path
        self.destination = destination
    }

    public var toStandardOutput: Bool { destination == "-" }

    public func run(_ context: AdminContext = .silent) throws -> ExportReport {
        guard !destination.isEmpty else { throw AdminError.usage("--to must name a file, or - for standard output") }
        guard (1...1000).contains(pageSize) else { throw AdminError.usage("--page-size must be between 1 and 1000") }
        let store = try StoreAccess.openStoreForReading(path, busyTimeout: busyTimeout)
        var target: String?
        if !toStandardOutput {
            let file = Files.absolute(destination)
            guard Files.isDirectory(Files.directory(of: file)) else {
                throw AdminError.failed("cannot write \(file): the directory \(Files.directory(of: file)) does not exist")
            }
            if Files.exists(file) {
                guard force else { throw AdminError.failed("\(file) already exists; pass --force to overwrite it") }
                guard Files.isRegularFile(file), !Files.sameFile(file, path) else {
                    throw AdminError.failed("\(file) cannot be overwritten")
                }
            }
            target = file
        }
        let writer = try target.map { try LineWriter(destination: $0) } ?? LineWriter()
        let started = Files.monotonicSeconds()
        do {
            let exporter = Exporter(store: store, writer: writer, pageSize: pageSize, context: context)
            let summary = try store.connection.transaction(write: false) { try exporter.run() }
            try writer.commit(overwrite: force)
            context.log("export: wrote \(summary.records) records to \(target ?? "standard output")")
            return ExportReport(path: path, destination: target ?? "-", records: summary.records, counts: summary.counts,
                                droppedLinks: summary.droppedLinks, bytes: writer.bytes,
                                seconds: Files.monotonicSeconds() - started)
        } catch {
            writer.abandon()
            throw AdminError.from(error, path: path, doing: "export failed")
        }
    }
}

/// Writes the records; runs inside the caller's read transaction.
private final class Exporter {
    let store: MetadataStore
    let writer: LineWriter
    let reader: RouterReader
    let context: AdminContext
    var counts: [RecordKind: Int] = [:]
    var records = 0
    var droppedLinks = 0

    init(store: MetadataStore, writer: LineWriter, pageSize: Int, context: AdminContext) {
        self.store = store
        self.writer = writer
        self.context = context
        let service = RegistryService(store: store, maxPageSize: 1000)
        self.reader = RouterReader(router: Router(service: service), pageSize: pageSize)
    }

    var connection: Connection { store.connection }

    struct Summary {
        var records: Int
        var counts: [String: Int]
        var droppedLinks: Int
    }

    func run() throws -> Summary {
        let totals = try EntityCounts.totals(connection)
        context.startProgress("export", total: totals.values.reduce(0, +))
        defer { context.finishProgress() }
        try emit(.object([
            "kind": .string(ExportFormat.headerKind),
            "format": .string(ExportFormat.name),
            "formatVersion": .int(ExportFormat.version),
            "api": .string(ExportFormat.apiVersion),
            "schemaVersion": .int(MLMDSchema.version),
            "exportedAt": .string(Files.iso8601(milliseconds: Files.nowMilliseconds())),
            "entities": .object(totals.mapValues(JSON.int)),
        ]), counted: false)

        try plain(.registeredModel, "/registered_models")
        try plain(.modelVersion, "/model_versions")
        try plain(.servingEnvironment, "/serving_environments")
        try plain(.inferenceService, "/inference_services")
        try serveModels()
        try plain(.experiment, "/experiments")
        try plain(.experimentRun, "/experiment_runs")
        try artifacts()
        try metricHistory()

        let countJSON = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, JSON.int(Int64($0.value))) })
        try emit(.object([
            "kind": .string(ExportFormat.footerKind),
            "records": .int(Int64(records)),
            "counts": .object(countJSON),
        ]), counted: false)
        return Summary(records: records, counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                       droppedLinks: droppedLinks)
    }

    private func emit(_ record: JSON, counted: Bool = true) throws {
        try writer.write(record.serialized())
        if counted {
            records += 1
            context.advanceProgress(to: Int64(records))
        }
    }

    private func record(_ kind: RecordKind, _ entity: JSON, extra: [String: JSON] = [:]) throws {
        var object = extra
        object["kind"] = .string(kind.rawValue)
        object["entity"] = entity
        counts[kind, default: 0] += 1
        try emit(.object(object))
    }

    private func plain(_ kind: RecordKind, _ path: String) throws {
        try reader.forEachPage(path) { items in
            for item in items { try record(kind, item) }
        }
    }

    private static func id(of item: JSON) throws -> Int64 {
        guard let text = item["id"]?.stringValue, let id = Int64(text) else {
            throw AdminError.failed("an entity without an id came back from the API: \(String(decoding: item.serialized().prefix(200), as: UTF8.self))")
        }
        return id
    }

    private static func idList(_ ids: [Int64]) -> SQLValue {
        .text("[" + ids.map(String.init).joined(separator: ",") + "]")
    }

    /// The registry contexts each node is linked to, in link order; links to other contexts are counted as dropped.
    private func links(table: String, column: String, ids: [Int64]) throws -> [Int64: [(RecordKind, Int64)]] {
        var result: [Int64: [(RecordKind, Int64)]] = [:]
        try connection.query("""
            SELECT l.\(column), l.context_id, t.name FROM \(table) l
            JOIN Context c ON c.id = l.context_id JOIN Type t ON t.id = c.type_id
            WHERE l.\(column) IN (SELECT value FROM json_each(?)) ORDER BY l.\(column), l.id
            """, [Self.idList(ids)]) { row in
            guard let kind = EntityKind.named(row.string(2)).flatMap(RecordKind.init), kind.entityKind.node == .context else {
                droppedLinks += 1
                return
            }
            result[row.int64(0), default: []].append((kind, row.int64(1)))
        }
        return result
    }

    private func storedNames(table: String, ids: [Int64]) throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        try connection.query("SELECT id, name FROM \(table) WHERE id IN (SELECT value FROM json_each(?))", [Self.idList(ids)]) { row in
            if let name = row.optionalString(1) { names[row.int64(0)] = name }
        }
        return names
    }

    private static func reference(_ link: (RecordKind, Int64)) -> JSON {
        .object(["kind": .string(link.0.rawValue), "id": .string(String(link.1))])
    }

    /// Parents, and the owner when the stored name is prefixed with one of the parents' ids.
    private static func linkFields(parents: [(RecordKind, Int64)], storedName: String?) -> [String: JSON] {
        var fields: [String: JSON] = ["parents": .array(parents.map(reference))]
        if let storedName, let colon = storedName.firstIndex(of: ":"), let prefix = Int64(storedName[..<colon]),
           let owner = parents.first(where: { $0.1 == prefix }) {
            fields["owner"] = reference(owner)
        }
        return fields
    }

    private func serveModels() throws {
        guard let serviceType = try EntityCounts.typeID(connection, .inferenceService) else { return }
        let services = try connection.all("SELECT id FROM Context WHERE type_id = ? ORDER BY id", [.integer(serviceType)]) { $0.int64(0) }
        for service in services {
            try reader.forEachPage("/inference_services/\(service)/serves") { items in
                let ids = try items.map(Self.id)
                let parents = try links(table: "Association", column: "execution_id", ids: ids)
                let names = try storedNames(table: "Execution", ids: ids)
                for (item, id) in zip(items, ids) {
                    let linked = parents[id] ?? []
                    // Listed under every service it is associated with; written once, under the first.
                    guard linked.first?.1 == service else { continue }
                    try record(.serveModel, item, extra: Self.linkFields(parents: linked, storedName: names[id]))
                }
            }
        }
    }

    private func artifacts() throws {
        try reader.forEachPage("/artifacts") { items in
            let ids = try items.map(Self.id)
            let parents = try links(table: "Attribution", column: "artifact_id", ids: ids)
            let names = try storedNames(table: "Artifact", ids: ids)
            for (item, id) in zip(items, ids) {
                guard let type = item["artifactType"]?.stringValue, let kind = EntityKind.artifactKind(forType: type).flatMap(RecordKind.init) else {
                    throw AdminError.failed("artifact \(id) has an unknown artifactType")
                }
                try record(kind, item, extra: Self.linkFields(parents: parents[id] ?? [], storedName: names[id]))
            }
        }
    }

    private func metricHistory() throws {
        try reader.forEachPage("/experiment_runs/metric_history") { items in
            let ids = try items.map(Self.id)
            let parents = try links(table: "Attribution", column: "artifact_id", ids: ids)
            let names = try storedNames(table: "Artifact", ids: ids)
            for (item, id) in zip(items, ids) {
                var extra = Self.linkFields(parents: parents[id] ?? [], storedName: names[id])
                if let stored = names[id], let colon = stored.firstIndex(of: ":") {
                    extra["historyName"] = .string(String(stored[stored.index(after: colon)...]))
                } else if let stored = names[id] {
                    extra["historyName"] = .string(stored)
                }
                try record(.metricHistory, item, extra: extra)
            }
        }
    }
}

public struct ExportReport: AdminReport {
    public var path: String
    public var destination: String
    public var records: Int
    public var counts: [String: Int]
    /// Links to contexts that are not registry entities, which the format cannot carry.
    public var droppedLinks: Int
    public var bytes: Int64
    public var seconds: Double

    public var problemsFound: Bool { false }

    public var json: JSON {
        .object([
            "ok": .bool(true),
            "command": .string("export"),
            "database": .string(path),
            "to": .string(destination),
            "records": .int(Int64(records)),
            "counts": ReportJSON.counts(counts),
            "droppedLinks": .int(Int64(droppedLinks)),
            "bytes": .int(bytes),
            "seconds": .double((seconds * 1000).rounded() / 1000),
        ])
    }

    public var text: String {
        var lines = ["\(path): exported \(records) records to \(destination == "-" ? "standard output" : destination)"]
        let parts = RecordKind.allCases.compactMap { kind in counts[kind.rawValue].map { "\(kind.rawValue) \($0)" } }
        if !parts.isEmpty { lines.append("  " + parts.joined(separator: ", ")) }
        if droppedLinks > 0 {
            lines.append("  note: \(droppedLinks) link(s) to non-registry contexts were not exported")
        }
        return lines.joined(separator: "\n")
    }
}
