import Foundation
import JSON
import MLMD
import Registry
import Testing
@testable import Admin

/// Reads an export file into a form without ids: every id (own, parent, reference, link) is
/// replaced by a path of names, so two exports of the same content compare equal.
func canonicalRecords(_ path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var keys: [String: String] = [:]  // "Kind/id" -> path
    var result: [String] = []
    let idFields = ["registeredModelId", "modelVersionId", "servingEnvironmentId", "experimentId", "experimentRunId"]
    let fieldKinds = ["registeredModelId": "RegisteredModel", "modelVersionId": "ModelVersion",
                      "servingEnvironmentId": "ServingEnvironment", "experimentId": "Experiment", "experimentRunId": "ExperimentRun"]
    for line in text.split(separator: "\n") {
        let record = try JSON.parse(String(line))
        guard case .object(var object) = record, let kind = object["kind"]?.stringValue else { throw FixtureError("bad line") }
        if kind == "Header" || kind == "Footer" { continue }
        guard case .object(var entity)? = object["entity"], let id = entity["id"]?.stringValue else { throw FixtureError("no entity") }
        func key(_ reference: JSON) -> JSON {
            .string(keys["\(reference["kind"]?.stringValue ?? "")/\(reference["id"]?.stringValue ?? "")"] ?? "UNRESOLVED")
        }
        for field in idFields {
            if let value = entity[field]?.stringValue { entity[field] = .string(keys["\(fieldKinds[field]!)/\(value)"] ?? "UNRESOLVED") }
        }
        entity["id"] = nil
        var owner = "-"
        if case .array(let parents)? = object["parents"] {
            object["parents"] = .array(parents.map(key).sorted { $0.stringValue! < $1.stringValue! })
        }
        if let reference = object["owner"] {
            object["owner"] = key(reference)
            owner = object["owner"]?.stringValue ?? "-"
        }
        let parentKey = ["registeredModelId", "servingEnvironmentId", "experimentId"].compactMap { entity[$0]?.stringValue }.first
        let name = object["historyName"]?.stringValue ?? entity["name"]?.stringValue ?? "?"
        let path = [parentKey ?? owner, kind, name].joined(separator: "/")
        keys["\(kind)/\(id)"] = path
        object["entity"] = .object(entity)
        result.append(String(decoding: JSON.object(object).serialized(), as: UTF8.self))
    }
    return result.sorted()
}

@Suite struct ExportImportTests {
    @Test func exportImportExportRoundTrips() throws {
        let fixture = try AdminFixture()
        let first = fixture.file("first.jsonl")
        let exported = try ExportOperation(path: fixture.path, destination: first).run()
        #expect(exported.counts["RegisteredModel"] == 2)
        #expect(exported.counts["MetricHistory"] == 2)
        #expect(exported.counts["ServeModel"] == 1)
        #expect(exported.counts["DataSet"] == 2)
        #expect(exported.droppedLinks == 0)

        let target = fixture.file("copy.db")
        let imported = try ImportOperation(path: target, source: first).run()
        #expect(imported.createdStore)
        #expect(imported.createdCounts.values.reduce(0, +) == exported.records)
        #expect(imported.skipped.isEmpty && imported.renamed.isEmpty)
        #expect(try StoreChecker(path: target).run().problems == [])

        let second = fixture.file("second.jsonl")
        _ = try ExportOperation(path: target, destination: second).run()
        let a = try canonicalRecords(first)
        let b = try canonicalRecords(second)
        #expect(a.count == exported.records)
        #expect(!a.contains { $0.contains("UNRESOLVED") })
        #expect(a == b)
        if a != b {
            for (x, y) in zip(a, b) where x != y { Issue.record("first:  \(x)\nsecond: \(y)"); break }
        }
    }

    @Test func theExportIsTheAPIsJSON() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try JSON.parse(String($0)) }
        #expect(lines.first?["kind"] == .string("Header"))
        #expect(lines.first?["format"] == .string("model-registry-export"))
        #expect(lines.last?["kind"] == .string("Footer"))
        #expect(lines.last?["records"] == .int(Int64(lines.count - 2)))
        let alpha = try #require(lines.first { $0["kind"] == .string("RegisteredModel") && $0["entity"]?["name"] == .string("alpha") })
        let id = try #require(alpha["entity"]?["id"]?.stringValue)
        #expect(alpha["entity"] == fixture.call("GET", "/registered_models/\(id)").json)
        let weights = try #require(lines.first { $0["entity"]?["name"] == .string("weights") })
        if case .array(let parents)? = weights["parents"] { #expect(parents.count == 2) } else { Issue.record("no parents") }
        #expect(weights["owner"]?["kind"] == .string("ModelVersion"))
        let history = lines.filter { $0["kind"] == .string("MetricHistory") }
        #expect(history.count == 2)
        #expect(history.allSatisfy { $0["historyName"]?.stringValue?.hasPrefix("loss__") == true })
    }

    @Test func exportRefusesToOverwriteAndLeavesNoPartialFile() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        try Data("old".utf8).write(to: URL(fileURLWithPath: file))
        let error = expectFailure { _ = try ExportOperation(path: fixture.path, destination: file).run() }
        #expect(error?.message.contains("--force") == true)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "old")
        var forced = ExportOperation(path: fixture.path, destination: file)
        forced.force = true
        _ = try forced.run()
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("{"))
        for damage in DamagedFile.allCases {
            let source = try damage.write(in: fixture)
            let out = fixture.file("out-\(damage.rawValue).jsonl")
            _ = expectFailure { _ = try ExportOperation(path: source, destination: out).run() }
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        #expect(directoryListing(fixture.directory).filter { $0.hasPrefix(".") }.isEmpty)
        _ = expectFailure(.usage) { _ = try ExportOperation(path: fixture.path, destination: "").run() }
    }

    /// Row counts of every table an import writes.
    func rowCounts(_ path: String) throws -> [String: Int64] {
        let connection = try StoreAccess.openReadOnly(path, busyTimeout: 1000)
        var counts: [String: Int64] = [:]
        for table in ["Context", "ContextProperty", "Artifact", "ArtifactProperty", "Execution", "ExecutionProperty",
                      "ParentContext", "Attribution", "Association"] {
            counts[table] = try connection.scalarInt("SELECT COUNT(*) FROM \(table)")
        }
        return counts
    }

    @Test func conflictsFailByDefaultAndNothingIsWritten() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        let before = try rowCounts(fixture.path)
        let error = expectFailure { _ = try ImportOperation(path: fixture.path, source: file).run() }
        #expect(error?.message.contains("nothing was imported") == true)
        #expect(error?.details.contains { $0.contains("\"alpha\"") && $0.contains("exists") } == true)
        #expect(error?.details.contains { $0.contains("ext-alpha") } == true)
        #expect(try rowCounts(fixture.path) == before)

        var dryRun = ImportOperation(path: fixture.path, source: file)
        dryRun.dryRun = true
        dryRun.policy = .rename
        let report = try dryRun.run()
        #expect(report.conflicts.count == 5)
        #expect(try rowCounts(fixture.path) == before)
    }

    @Test func skipLeavesOutTheClashingSubtree() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        let target = try AdminFixture(populated: false)
        try target.post("/registered_models", ["name": .string("alpha")])
        target.close()
        var operation = ImportOperation(path: target.path, source: file)
        operation.policy = .skip
        let report = try operation.run()
        let skippedNames = report.skipped.map(\.record)
        #expect(skippedNames.contains { $0.contains("\"alpha\"") })
        #expect(skippedNames.contains { $0.contains("\"v1\"") })
        #expect(skippedNames.contains { $0.contains("\"svc\"") })
        #expect(skippedNames.contains { $0.contains("\"serve-1\"") })
        #expect(report.createdCounts["RegisteredModel"] == 1)
        #expect(report.createdCounts["Experiment"] == 1)
        #expect(report.createdCounts["MetricHistory"] == 2)
        #expect(try StoreChecker(path: target.path).run().problems == [])
    }

    @Test func renameImportsUnderNewNames() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        fixture.close()
        var operation = ImportOperation(path: fixture.path, source: file)
        operation.policy = .rename
        operation.batchSize = 3
        let report = try operation.run()
        #expect(report.renamed.contains { $0.from == "alpha" && $0.to == "alpha-imported" })
        #expect(report.renamed.contains { $0.field == "externalId" && $0.to == "ext-alpha-imported" })
        #expect(report.batches > 5)
        #expect(try StatsOperation(path: fixture.path).run().totals["RegisteredModel"] == 4)
        #expect(try StoreChecker(path: fixture.path).run().problems == [])
        // Again: the renamed names are taken too now.
        let again = try operation.run()
        #expect(again.renamed.contains { $0.from == "alpha" && $0.to == "alpha-imported-2" })
    }

    @Test func damagedFilesAreRefusedBeforeAnyWrite() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        let target = fixture.file("target.db")
        func refuse(_ content: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let damaged = fixture.file("damaged.jsonl")
            try Data(content.utf8).write(to: URL(fileURLWithPath: damaged))
            let error = expectFailure(.failed, { _ = try ImportOperation(path: target, source: damaged).run() }, sourceLocation: sourceLocation)
            let text = ([error?.message ?? ""] + (error?.details ?? [])).joined(separator: "\n")
            #expect(text.contains(fragment), "\(text)", sourceLocation: sourceLocation)
            #expect(!FileManager.default.fileExists(atPath: target), sourceLocation: sourceLocation)
        }
        // Truncated: no footer.
        try refuse(lines.dropLast().joined(separator: "\n") + "\n", "without its Footer")
        // Cut in the middle of a line.
        let whole = lines.joined(separator: "\n")
        try refuse(String(whole.prefix(whole.count / 2)), "not valid JSON")
        try refuse("", "empty")
        try refuse("hello\n", "line 1")
        try refuse(lines[1] + "\n", "Header")
        // A record referring to a parent that is not in the file.
        let versionLine = try #require(lines.firstIndex { $0.contains("\"kind\":\"ModelVersion\"") })
        var orphaned = lines
        orphaned.remove(at: 1)  // the first registered model
        try refuse(orphaned.joined(separator: "\n"), "not earlier in the file")
        // Unknown field, invalid enum, wrong count.
        var edited = lines
        edited[versionLine] = edited[versionLine].replacingOccurrences(of: "\"author\"", with: "\"writer\"")
        try refuse(edited.joined(separator: "\n"), "unknown field \"writer\"")
        edited = lines
        edited[1] = edited[1].replacingOccurrences(of: "\"LIVE\"", with: "\"ALIVE\"")
        try refuse(edited.joined(separator: "\n"), "not a valid RegisteredModelState")
        edited = lines
        edited.insert(edited[1], at: 2)
        try refuse(edited.joined(separator: "\n"), "appears twice")
        // A damaged target store.
        let badStore = try DamagedFile.randomBytes.write(in: fixture)
        let before = FileFingerprint(badStore)
        _ = expectFailure { _ = try ImportOperation(path: badStore, source: file).run() }
        #expect(FileFingerprint(badStore) == before)
        _ = expectFailure { _ = try ImportOperation(path: target, source: fixture.file("missing.jsonl")).run() }
        var bad = ImportOperation(path: target, source: file)
        bad.batchSize = 0
        _ = expectFailure(.usage) { _ = try bad.run() }
        _ = expectFailure(.usage) { _ = try ConflictPolicy(argument: "merge") }
    }

    @Test func aFailureMidwayIsUndone() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        let target = try AdminFixture(populated: false)
        target.close()
        let before = try rowCounts(target.path)
        let validation = try ImportValidator(path: file, probe: nil).run(.silent)
        // The store changes after the check: the experiment's name is taken now.
        let store = try StoreAccess.openStoreForWriting(target.path, busyTimeout: 1000)
        let service = RegistryService(store: store)
        _ = try service.create(Entity(kind: .experiment, name: "exp"))
        let withExperiment = try rowCounts(target.path)
        let writer = ImportWriter(path: file, service: service, policy: .fail, batchSize: 2,
                                  totalRecords: validation.records, context: .silent)
        let error = expectFailure { try writer.run() }
        #expect(error?.message.contains("\"exp\"") == true)
        #expect(writer.committed.count > 5)
        let undo = try ImportUndo(connection: store.connection, batchSize: 3).run(writer.committed)
        #expect(undo.stopped == nil)
        #expect(undo.removed == writer.committed.count)
        #expect(try rowCounts(target.path) == withExperiment)
        #expect(withExperiment != before)
        #expect(try StoreChecker(path: target.path).run().problems == [])
    }

    @Test func aRecordTheRegistryRejectsUndoesTheWholeImport() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        // A record that decodes but that the registry refuses (a name longer than MLMD's column).
        let longName = String(repeating: "n", count: 300)
        lines.insert(#"{"kind":"Experiment","entity":{"id":"99999","name":"\#(longName)","customProperties":{}}}"#,
                     at: lines.count - 1)
        lines[lines.count - 1] = lines[lines.count - 1].replacingOccurrences(
            of: #""records":\#(lines.count - 3)"#, with: #""records":\#(lines.count - 2)"#)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))

        let target = fixture.file("new.db")
        var operation = ImportOperation(path: target, source: file)
        operation.batchSize = 1
        let error = expectFailure { _ = try operation.run() }
        #expect(error?.message.contains("too long") == true)
        #expect(error?.details.contains { $0.contains("removed again") } == true)
        #expect(!FileManager.default.fileExists(atPath: target))

        // Into an existing store: the store is left as it was.
        let existing = try AdminFixture(populated: false)
        existing.close()
        let before = try rowCounts(existing.path)
        var again = ImportOperation(path: existing.path, source: file)
        again.batchSize = 4
        _ = expectFailure { _ = try again.run() }
        #expect(try rowCounts(existing.path) == before)
        #expect(FileManager.default.fileExists(atPath: existing.path))
    }

    @Test func undoStopsWhenOthersLinkedToImportedRows() throws {
        let fixture = try AdminFixture()
        let file = fixture.file("export.jsonl")
        _ = try ExportOperation(path: fixture.path, destination: file).run()
        let target = try AdminFixture(populated: false)
        let validation = try ImportValidator(path: file, probe: nil).run(.silent)
        let store = try StoreAccess.openStoreForWriting(target.path, busyTimeout: 1000)
        let writer = ImportWriter(path: file, service: RegistryService(store: store), policy: .fail, batchSize: 100,
                                  totalRecords: validation.records, context: .silent)
        try writer.run()
        // Someone adds a version under an imported model before the undo.
        let alpha = try #require(try target.contextID(type: "kf.RegisteredModel", name: "alpha"))
        try target.post("/model_versions", ["name": .string("client-version"), "registeredModelId": .string(String(alpha))])
        let undo = try ImportUndo(connection: store.connection).run(writer.committed)
        #expect(undo.stopped?.contains("imported parent") == true)
        #expect(undo.removed == 0)
        #expect(try StoreChecker(path: target.path).run().problems == [])
    }
}
