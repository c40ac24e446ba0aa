import MLMD

/// Pass 1 of an import: reads the whole file without writing anything and refuses it unless it
/// is a complete, consistent export — a header first, a footer last whose count matches (so a
/// truncated file is caught), every record decodable, ids unique per kind, every reference to
/// a record earlier in the file. It also lists the name and external-id conflicts with the
/// target store (and within the file), which the `fail` policy turns into a refusal.
final class ImportValidator {
    let path: String
    let probe: ConflictProbe?
    let maxErrors = 20

    struct Result {
        var records = 0
        var counts: [RecordKind: Int] = [:]
        var conflicts: [String] = []
    }

    init(path: String, probe: ConflictProbe?) {
        self.path = path
        self.probe = probe
    }

    func run(_ context: AdminContext) throws -> Result {
        let reader = try LineReader(path: path)
        var result = Result()
        var errors: [String] = []
        var seen: [RecordKind: Set<Int64>] = [:]
        var names: [RecordKind: Set<String>] = [:]
        var externalIDs: [String: Set<String>] = [:]
        var sawHeader = false
        var footer: (line: Int, records: Int64)?
        func problem(_ line: Int, _ message: String) { errors.append("line \(line): \(message)") }

        while errors.count < maxErrors, let bytes = try reader.next() {
            let line = reader.lineNumber
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if let footer {
                problem(line, "data after the Footer (line \(footer.line))")
                break
            }
            let parsed: ImportLine
            do {
                parsed = try ImportLineParser.parse(bytes, line: line)
            } catch let error as RecordProblem {
                problem(line, error.message)
                if !sawHeader { break }
                continue
            }
            switch parsed {
            case .header:
                if sawHeader { problem(line, "a second Header") }
                sawHeader = true
                continue
            case .footer(let records):
                footer = (line, records)
                continue
            case .record(let record):
                guard sawHeader else {
                    problem(line, "the file does not start with a \(ExportFormat.name) Header record")
                    break
                }
                result.records += 1
                result.counts[record.kind, default: 0] += 1
                if seen[record.kind, default: []].contains(record.decoded.id) {
                    problem(line, "\(record.displayName) appears twice")
                }
                for reference in record.allReferences where !(seen[reference.kind]?.contains(reference.id) ?? false) {
                    problem(line, "\(record.displayName) refers to \(reference.kind.rawValue) \(reference.id), which is not earlier in the file")
                }
                seen[record.kind, default: []].insert(record.decoded.id)
                try conflicts(record, names: &names, externalIDs: &externalIDs, into: &result.conflicts)
            }
            if !sawHeader { break }
        }
        if errors.isEmpty {
            if !sawHeader {
                errors.append("the file is empty or has no \(ExportFormat.name) Header record")
            } else if let footer {
                if footer.records != Int64(result.records) {
                    errors.append("line \(footer.line): the Footer counts \(footer.records) records but the file has \(result.records)")
                }
            } else {
                errors.append("the file ends without its Footer record (line \(reader.lineNumber)); it is probably truncated")
            }
        }
        guard errors.isEmpty else {
            throw AdminError.failed("\(path) cannot be imported (\(errors.count)\(errors.count >= maxErrors ? "+" : "") problem(s)); nothing was imported",
                                    details: errors)
        }
        context.log("import: \(path) holds \(result.records) valid records")
        return result
    }

    private func conflicts(_ record: ImportRecord, names: inout [RecordKind: Set<String>],
                           externalIDs: inout [String: Set<String>], into list: inout [String]) throws {
        let entity = record.decoded.entity
        if record.kind.isTopLevel, let name = entity.name {
            if names[record.kind, default: []].contains(name) {
                list.append("line \(record.line): \(record.displayName): the name appears earlier in the file")
            } else if try probe?.nameTaken(record.kind, name) == true {
                list.append("line \(record.line): \(record.displayName): a \(record.kind.entityKind.displayName) with this name exists")
            }
            names[record.kind, default: []].insert(name)
        }
        if let externalID = entity.externalID {
            let table = record.kind.entityKind.node.table
            if externalIDs[table, default: []].contains(externalID) {
                list.append("line \(record.line): \(record.displayName): externalId \"\(externalID)\" appears earlier in the file")
            } else if try probe?.externalIDTaken(record.kind, externalID) == true {
                list.append("line \(record.line): \(record.displayName): externalId \"\(externalID)\" is already used in \(table)")
            }
            externalIDs[table, default: []].insert(externalID)
        }
    }
}
