import JSON
import Registry

/// A reference from a record to another record of the file: `(kind, id in the file)`.
struct RecordReference: Hashable {
    var kind: RecordKind
    var id: Int64
}

/// One entity record of an import file, decoded and with its references to other records.
struct ImportRecord {
    var line: Int
    var kind: RecordKind
    var decoded: DecodedEntity
    /// Contexts it is attributed to (artifacts) or associated with (serve models).
    var parents: [RecordReference]
    /// The parent whose id prefixes the stored name.
    var owner: RecordReference?
    /// For metric history: the stored name after the run prefix (`<metric>__<ms>`).
    var historyName: String?
    /// Id fields naming other records: field name → reference.
    var fieldReferences: [(field: String, reference: RecordReference)]

    var allReferences: [RecordReference] {
        fieldReferences.map(\.reference) + parents + (owner.map { [$0] } ?? [])
    }

    var displayName: String {
        let name = kind == .metricHistory ? (historyName ?? decoded.entity.name) : decoded.entity.name
        return "\(kind.rawValue) \(decoded.id)" + (name.map { " \"\($0)\"" } ?? "")
    }
}

/// What a line of an import file is.
enum ImportLine {
    case header
    case footer(records: Int64)
    case record(ImportRecord)
}

enum ImportLineParser {
    static func parse(_ bytes: [UInt8], line: Int) throws -> ImportLine {
        let json: JSON
        do {
            json = try JSON.parse(bytes)
        } catch {
            throw RecordProblem("not valid JSON: \(error.message)")
        }
        guard case .object(let object) = json else { throw RecordProblem("a record must be a JSON object") }
        guard let kindName = object["kind"]?.stringValue else { throw RecordProblem("the record has no \"kind\"") }
        switch kindName {
        case ExportFormat.headerKind:
            guard object["format"]?.stringValue == ExportFormat.name else {
                throw RecordProblem("not a \(ExportFormat.name) file (the header's format is not \"\(ExportFormat.name)\")")
            }
            guard case .int(let version)? = object["formatVersion"], version == ExportFormat.version else {
                throw RecordProblem("unsupported formatVersion (this binary reads version \(ExportFormat.version))")
            }
            return .header
        case ExportFormat.footerKind:
            guard case .int(let records)? = object["records"], records >= 0 else {
                throw RecordProblem("the Footer has no valid \"records\" count")
            }
            return .footer(records: records)
        default:
            guard let kind = RecordKind(rawValue: kindName) else { throw RecordProblem("unknown kind \"\(kindName)\"") }
            return .record(try record(object, kind: kind, line: line))
        }
    }

    private static func record(_ object: [String: JSON], kind: RecordKind, line: Int) throws -> ImportRecord {
        var allowed: Set<String> = ["kind", "entity"]
        let node = kind.entityKind.node
        if node != .context { allowed.formUnion(["parents", "owner"]) }
        if kind == .metricHistory { allowed.insert("historyName") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw RecordProblem("unknown member \"\(unknown)\" in a \(kind.rawValue) record")
        }
        guard let entityJSON = object["entity"] else { throw RecordProblem("the record has no \"entity\"") }
        let decoded = try EntityJSONDecoder.decode(entityJSON, as: kind.entityKind)
        var parents: [RecordReference] = []
        if let list = object["parents"] {
            guard case .array(let items) = list else { throw RecordProblem("\"parents\" must be an array") }
            parents = try items.map(reference)
        }
        let owner = try object["owner"].map(reference)
        if let owner, !parents.contains(owner) { throw RecordProblem("\"owner\" must be one of \"parents\"") }
        for parent in parents where parent.kind.entityKind.node != .context {
            throw RecordProblem("parents must be contexts, not \(parent.kind.rawValue)")
        }
        var historyName: String?
        if kind == .metricHistory {
            guard let name = object["historyName"]?.stringValue, !name.isEmpty else {
                throw RecordProblem("a MetricHistory record needs \"historyName\"")
            }
            historyName = name
        }
        var references: [(String, RecordReference)] = []
        for field in kind.entityKind.fields {
            guard let target = ReferenceChecks.referencedKind(of: field).flatMap(RecordKind.init),
                  case .int(let id)? = decoded.entity.fields[field.json] else { continue }
            references.append((field.json, RecordReference(kind: target, id: id)))
        }
        return ImportRecord(line: line, kind: kind, decoded: decoded, parents: parents, owner: owner,
                            historyName: historyName, fieldReferences: references)
    }

    private static func reference(_ json: JSON) throws -> RecordReference {
        guard let kindName = json["kind"]?.stringValue, let kind = RecordKind(rawValue: kindName),
              let idText = json["id"]?.stringValue, let id = Int64(idText) else {
            throw RecordProblem("a reference must be {\"kind\": <kind>, \"id\": \"<id>\"}")
        }
        return RecordReference(kind: kind, id: id)
    }
}
