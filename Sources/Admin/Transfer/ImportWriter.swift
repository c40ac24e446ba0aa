import MLMD
import Registry

/// A record `import` left out, and why.
public struct SkippedRecord: Equatable, Sendable {
    public var line: Int
    public var record: String
    public var reason: String
}

/// A name or external id `import` changed to avoid a clash.
public struct RenamedRecord: Equatable, Sendable {
    public var line: Int
    public var record: String
    public var field: String
    public var from: String
    public var to: String
}

/// Pass 2 of an import: streams the (validated) file again and creates the entities through
/// the registry's own `create`, so every rule that holds for API writes holds here. Records
/// are committed in batches, one short `BEGIN IMMEDIATE` transaction each, with a savepoint
/// around every record. Ids are remapped as records are created; creation and update times are
/// restored from the file; fields the file did not have (and `create` would default) are
/// removed again, so the imported entity reads back as it was exported.
final class ImportWriter {
    let path: String
    let service: RegistryService
    let policy: ConflictPolicy
    let batchSize: Int
    let context: AdminContext
    let totalRecords: Int
    let probe: ConflictProbe

    private var idMap: [RecordReference: Int64] = [:]
    private var skippedReferences: Set<RecordReference> = []
    /// Nodes created by committed batches, in creation order (what an undo removes).
    private(set) var committed: [(node: NodeKind, id: Int64)] = []
    private(set) var createdCounts: [RecordKind: Int] = [:]
    private(set) var skipped: [SkippedRecord] = []
    private(set) var renamed: [RenamedRecord] = []
    private(set) var batches = 0

    var connection: Connection { service.store.connection }

    init(path: String, service: RegistryService, policy: ConflictPolicy, batchSize: Int, totalRecords: Int, context: AdminContext) {
        self.path = path
        self.service = service
        self.policy = policy
        self.batchSize = batchSize
        self.totalRecords = totalRecords
        self.context = context
        self.probe = ConflictProbe(connection: service.store.connection)
    }

    func run() throws {
        let reader = try LineReader(path: path)
        var processed = 0
        var finished = false
        context.startProgress("import", total: Int64(totalRecords))
        defer { context.finishProgress() }
        while !finished {
            var created: [(node: NodeKind, id: Int64)] = []
            try connection.transaction(write: true) {
                var inBatch = 0
                while inBatch < batchSize {
                    guard let bytes = try reader.next() else {
                        finished = true
                        return
                    }
                    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                    let parsed: ImportLine
                    do {
                        parsed = try ImportLineParser.parse(bytes, line: reader.lineNumber)
                    } catch let error as RecordProblem {
                        throw AdminError.failed("line \(reader.lineNumber) changed since it was checked: \(error.message)")
                    }
                    switch parsed {
                    case .header:
                        continue
                    case .footer:
                        finished = true
                        return
                    case .record(let record):
                        if let node = try process(record) { created.append(node) }
                        inBatch += 1
                        processed += 1
                        context.advanceProgress(to: Int64(processed))
                    }
                }
            }
            committed += created
            batches += 1
        }
    }

    private func skip(_ record: ImportRecord, _ reason: String) {
        skippedReferences.insert(RecordReference(kind: record.kind, id: record.decoded.id))
        skipped.append(SkippedRecord(line: record.line, record: record.displayName, reason: reason))
    }

    /// Creates one record's entity; nil when it was skipped.
    private func process(_ record: ImportRecord) throws -> (node: NodeKind, id: Int64)? {
        let kind = record.kind
        let node = kind.entityKind.node
        var entity = record.decoded.entity
        for (field, reference) in record.fieldReferences {
            if skippedReferences.contains(reference) {
                skip(record, "\(field) names \(reference.kind.rawValue) \(reference.id), which was not imported")
                return nil
            }
            guard let newID = idMap[reference] else {
                throw AdminError.failed("line \(record.line): \(reference.kind.rawValue) \(reference.id) was not imported before \(record.displayName)")
            }
            entity.fields[field] = .int(newID)
        }
        var parents: [(reference: RecordReference, id: Int64)] = []
        for parent in record.parents where !skippedReferences.contains(parent) {
            guard let newID = idMap[parent] else {
                throw AdminError.failed("line \(record.line): \(parent.kind.rawValue) \(parent.id) was not imported before \(record.displayName)")
            }
            parents.append((parent, newID))
        }
        if !record.parents.isEmpty && parents.isEmpty {
            skip(record, "none of its parents was imported")
            return nil
        }
        let owner = record.owner.flatMap { owner in parents.first { $0.reference == owner } }

        if kind.isTopLevel, let name = entity.name, try probe.nameTaken(kind, name) {
            guard let replacement = try resolve(record, field: "name", value: name, taken: { try self.probe.nameTaken(kind, $0) }) else {
                return nil
            }
            entity.name = replacement
        }
        if let externalID = entity.externalID, try probe.externalIDTaken(kind, externalID) {
            guard let replacement = try resolve(record, field: "externalId", value: externalID,
                                                taken: { try self.probe.externalIDTaken(kind, $0) }) else {
                return nil
            }
            entity.externalID = replacement
        }
        if kind == .metricHistory { entity.name = record.historyName }
        entity.id = nil
        entity.createTime = nil
        entity.updateTime = nil
        let ownerLink = owner.map {
            Owner(kind: $0.reference.kind.entityKind, id: $0.id, link: node == .execution ? .association : .attribution)
        }

        try connection.execute("SAVEPOINT admin_import_record")
        do {
            let created = try service.create(entity, owner: ownerLink)
            guard let id = created.id else { throw AdminError.failed("the registry returned no id") }
            try restore(record, id: id, node: node, parents: parents.map(\.id).filter { $0 != owner?.id })
            try connection.execute("RELEASE admin_import_record")
            idMap[RecordReference(kind: kind, id: record.decoded.id)] = id
            createdCounts[kind, default: 0] += 1
            return (node, id)
        } catch {
            try? connection.execute("ROLLBACK TO admin_import_record")
            try? connection.execute("RELEASE admin_import_record")
            if case RegistryError.conflict(let message)? = error as? RegistryError, policy == .skip {
                skip(record, message)
                return nil
            }
            let message = (error as? RegistryError)?.message ?? "\(error)"
            throw AdminError.failed("line \(record.line): cannot import \(record.displayName): \(message)")
        }
    }

    /// Applies the policy to a taken name or external id: the value to use, or nil to skip.
    private func resolve(_ record: ImportRecord, field: String, value: String, taken: (String) throws -> Bool) throws -> String? {
        switch policy {
        case .fail:
            throw AdminError.failed("line \(record.line): \(record.displayName): \(field) \"\(value)\" is already taken in the store (--on-conflict fail); the store changed since the file was checked")
        case .skip:
            skip(record, "\(field) \"\(value)\" is already taken")
            return nil
        case .rename:
            for attempt in 1...1000 {
                let candidate = ConflictPolicy.renamed(value, attempt: attempt)
                if try !taken(candidate) {
                    renamed.append(RenamedRecord(line: record.line, record: record.displayName, field: field, from: value, to: candidate))
                    return candidate
                }
            }
            throw AdminError.failed("line \(record.line): no free alternative for \(field) \"\(value)\"")
        }
    }

    /// Puts back what `create` does not take from a client: times, absent defaulted fields,
    /// further parents.
    private func restore(_ record: ImportRecord, id: Int64, node: NodeKind, parents: [Int64]) throws {
        let table = node.table
        if let time = record.decoded.createTime {
            try connection.run("UPDATE \(table) SET create_time_since_epoch = ? WHERE id = ?", [.integer(time), .integer(id)])
        }
        if let time = record.decoded.updateTime {
            try connection.run("UPDATE \(table) SET last_update_time_since_epoch = ? WHERE id = ?", [.integer(time), .integer(id)])
        }
        for field in record.kind.entityKind.fields where field.defaultValue != nil && record.decoded.entity.fields[field.json] == nil {
            switch field.storage {
            case .property(let name, _):
                try service.store.deleteProperty(node, owner: id, name: name, isCustom: false)
            case .stateColumn:
                let column = node == .execution ? "last_known_state" : "state"
                try connection.run("UPDATE \(table) SET \(column) = NULL WHERE id = ?", [.integer(id)])
            case .customProperty, .uriColumn:
                break
            }
        }
        for parent in parents {
            if node == .execution {
                try service.store.addAssociation(context: parent, execution: id)
            } else {
                try service.store.addAttribution(context: parent, artifact: id)
            }
        }
    }
}
