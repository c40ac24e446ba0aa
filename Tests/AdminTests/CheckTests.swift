import Foundation
import MLMD
import Testing
@testable import Admin

@Suite struct CheckTests {
    @Test func aStoreWrittenThroughTheAPIPasses() throws {
        let fixture = try AdminFixture()
        let report = try StoreChecker(path: fixture.path).run()
        #expect(report.problems == [])
        #expect(report.completed == StoreChecker.checkNames)
        #expect(report.exitStatus == 0)
        #expect(report.json["ok"] == .bool(true))
    }

    /// Breaks the store with `sql` and expects a problem of `check` mentioning `fragment`.
    func expectProblem(_ sql: String, check: String, mentioning fragment: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fixture = try AdminFixture()
        try fixture.connection.execute(sql)
        let report = try StoreChecker(path: fixture.path).run()
        #expect(report.problemsFound, sourceLocation: sourceLocation)
        #expect(report.exitStatus == 1, sourceLocation: sourceLocation)
        let matching = report.problems.filter { $0.check == check && $0.message.contains(fragment) }
        #expect(!matching.isEmpty, "problems: \(report.problems)", sourceLocation: sourceLocation)
    }

    @Test func findsDanglingLinks() throws {
        try expectProblem("INSERT INTO Attribution(context_id, artifact_id) VALUES (1, 9999)",
                          check: "links", mentioning: "artifact_id 9999")
        try expectProblem("INSERT INTO ParentContext(context_id, parent_context_id) VALUES (8888, 1)",
                          check: "links", mentioning: "context_id 8888")
        try expectProblem("INSERT INTO ContextProperty(context_id, name, is_custom_property, int_value) VALUES (7777, 'x', 1, 1)",
                          check: "links", mentioning: "Context 7777")
        try expectProblem("INSERT INTO Association(context_id, execution_id) VALUES (6666, 1)",
                          check: "links", mentioning: "context_id 6666")
    }

    @Test func findsAVersionWithoutItsParent() throws {
        try expectProblem("""
            DELETE FROM ParentContext WHERE context_id = (SELECT c.id FROM Context c JOIN Type t ON t.id = c.type_id
                                                          WHERE t.name = 'kf.ModelVersion' AND c.name LIKE '%:v2')
            """, check: "hierarchy", mentioning: "has no parent registered model")
    }

    @Test func findsAVersionWithTwoParents() throws {
        try expectProblem("""
            INSERT INTO ParentContext(context_id, parent_context_id)
            SELECT v.id, m.id FROM Context v, Context m WHERE v.name LIKE '%:v2' AND m.name = 'beta'
            """, check: "hierarchy", mentioning: "2 parent registered models")
    }

    @Test func findsAWrongNamePrefixAndParentProperty() throws {
        try expectProblem("UPDATE Context SET name = '999:v2' WHERE name LIKE '%:v2'",
                          check: "hierarchy", mentioning: "does not start with its parent's id")
        try expectProblem("""
            UPDATE ContextProperty SET int_value = 12345 WHERE name = 'registered_model_id'
              AND context_id = (SELECT id FROM Context WHERE name LIKE '%:v2')
            """, check: "hierarchy", mentioning: "registered_model_id is 12345")
    }

    @Test func findsOrphanServeModelsAndHistory() throws {
        try expectProblem("DELETE FROM Association", check: "hierarchy", mentioning: "associated with 0 inference services")
        try expectProblem("""
            DELETE FROM Attribution WHERE artifact_id IN (SELECT a.id FROM Artifact a JOIN Type t ON t.id = a.type_id
                                                          WHERE t.name = 'kf.MetricHistory')
            """, check: "hierarchy", mentioning: "attributed to 0 experiment runs")
    }

    @Test func findsDanglingReferences() throws {
        try expectProblem("""
            UPDATE ContextProperty SET int_value = 4242 WHERE name = 'model_version_id'
            """, check: "references", mentioning: "modelVersionId 4242 is not an existing model version")
    }

    @Test func findsPropertiesStoredAgainstTheirDeclaredType() throws {
        try expectProblem("""
            UPDATE ContextProperty SET string_value = NULL, int_value = 1 WHERE name = 'description' AND is_custom_property = 0
            """, check: "properties", mentioning: "declared STRING but stored in int_value")
        try expectProblem("""
            UPDATE ContextProperty SET int_value = 3 WHERE name = 'owner' AND is_custom_property = 0
            """, check: "properties", mentioning: "sets 2 value columns")
        try expectProblem("""
            INSERT INTO ContextProperty(context_id, name, is_custom_property, string_value) VALUES (1, 'undeclared', 0, 'x')
            """, check: "properties", mentioning: "not declared for its type")
        try expectProblem("""
            UPDATE ContextProperty SET string_value = '["python"]' WHERE name = 'language'
            """, check: "properties", mentioning: "without the mlmd-struct:: prefix")
    }

    @Test func findsTypeDeclarationProblems() throws {
        try expectProblem("""
            UPDATE TypeProperty SET data_type = 5 WHERE name = 'value'
              AND type_id = (SELECT id FROM Type WHERE name = 'kf.Metric')
            """, check: "types", mentioning: "kf.Metric.value is declared PROTO")
        try expectProblem("DELETE FROM Type WHERE name = 'kf.DocArtifact'", check: "types", mentioning: "kf.DocArtifact is not registered")
    }

    @Test func findsMissingIndexes() throws {
        try expectProblem("DROP INDEX idx_context_external_id", check: "schema", mentioning: "idx_context_external_id")
    }

    @Test func capsTheListButCountsEverything() throws {
        let fixture = try AdminFixture()
        try fixture.connection.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
            INSERT INTO Attribution(context_id, artifact_id) SELECT 1, 100000 + i FROM n
            """)
        var checker = StoreChecker(path: fixture.path)
        checker.maxProblemsPerCheck = 5
        let report = try checker.run()
        #expect(report.counts["links"] == 30)
        #expect(report.problems.filter { $0.check == "links" }.count == 5)
        #expect(report.omitted["links"] == 25)
        #expect(report.text.contains("and 25 more"))
    }

    @Test func worksOnAReadOnlyCopy() throws {
        let fixture = try AdminFixture()
        let directory = fixture.file("ro")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let copy = directory + "/copy.db"
        _ = try BackupOperation(path: fixture.path, destination: copy).run()
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory) }
        let before = FileFingerprint(copy)
        #expect(try StoreChecker(path: copy).run().problemsFound == false)
        #expect(try StatsOperation(path: copy).run().totals["RegisteredModel"] == 2)
        #expect(FileFingerprint(copy) == before)
        #expect(directoryListing(URL(fileURLWithPath: directory)) == ["copy.db"])
    }

    @Test func damagedAndForeignFilesFailWithAClearMessage() throws {
        let fixture = try AdminFixture()
        let expected: [DamagedFile: String] = [
            .truncated: "is truncated", .randomBytes: "not an SQLite database", .foreignSQLite: "not an ML-Metadata store",
            .empty: "is empty", .textFile: "not an SQLite database",
        ]
        for damage in DamagedFile.allCases {
            let path = try damage.write(in: fixture)
            let before = FileFingerprint(path)
            let listing = directoryListing(fixture.directory)
            let error = expectFailure { _ = try StoreChecker(path: path).run() }
            #expect(error?.message.contains(path) == true, "\(damage)")
            #expect(error?.message.contains(expected[damage]!) == true, "\(damage): \(error?.message ?? "")")
            #expect(FileFingerprint(path) == before, "\(damage)")
            #expect(directoryListing(fixture.directory) == listing, "\(damage)")
        }
        let missing = expectFailure { _ = try StoreChecker(path: fixture.file("missing.db")).run() }
        #expect(missing?.message.contains("does not exist") == true)
        var checker = StoreChecker(path: fixture.path)
        checker.maxProblemsPerCheck = 0
        _ = expectFailure(.usage) { _ = try checker.run() }
    }

    @Test func aCorruptPageIsReportedNotThrown() throws {
        let fixture = try AdminFixture()
        let copy = fixture.file("corrupt.db")
        _ = try BackupOperation(path: fixture.path, destination: copy).run()
        // Scribble over the root page headers of the tables and indexes (the schema's own pages
        // stay readable, so the store opens and the damage is found by the checks).
        let (pageSize, rootPages): (Int64, [Int64]) = try {
            let connection = try Connection(path: copy, options: .init(readOnly: true))
            return (try connection.scalarInt("PRAGMA page_size") ?? 0,
                    try connection.all("SELECT rootpage FROM sqlite_master WHERE rootpage > 1") { $0.int64(0) })
        }()
        #expect(rootPages.count > 20)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
        for page in rootPages {
            try handle.seek(toOffset: UInt64((page - 1) * pageSize))
            handle.write(Data(repeating: 0xA5, count: 64))
        }
        try handle.close()
        let report = try StoreChecker(path: copy).run()
        #expect(report.problemsFound)
        #expect(report.counts["integrity", default: 0] > 0)
        #expect(!report.completed.contains("hierarchy"))
        #expect(report.text.contains("not run"))
    }
}
