import Foundation
import MLMD
import Registry
import Testing
@testable import Admin

@Suite struct MigrateTests {
    @Test func createsANewStoreAndIsIdempotent() throws {
        let fixture = try AdminFixture(populated: false)
        let path = fixture.file("new.db")
        let first = try MigrateOperation(path: path).run()
        #expect(first.action == .create)
        #expect(first.typesAdded.contains("kf.RegisteredModel"))
        #expect(try StoreChecker(path: path).run().problemsFound == false)

        let second = try MigrateOperation(path: path).run()
        #expect(second.action == .verify)
        #expect(second.changed == false)
        #expect(second.typesAdded.isEmpty && second.propertiesAdded.isEmpty && second.indexesCreated.isEmpty)
    }

    /// A store `migrate` creates is laid out as one the server or the SDK creates: same pages.
    @Test func createsAStoreWithTheServersPageSize() throws {
        let fixture = try AdminFixture(populated: false)
        let path = fixture.file("pages.db")
        _ = try MigrateOperation(path: path).run()
        let connection = try Connection(path: path, options: .init(readOnly: true))
        #expect(try connection.scalarInt("PRAGMA page_size") == Int64(MetadataStore.newStorePageSize))
    }

    @Test func createsInAnEmptyFile() throws {
        let fixture = try AdminFixture(populated: false)
        let path = fixture.file("empty.db")
        FileManager.default.createFile(atPath: path, contents: Data())
        #expect(try MigrateOperation(path: path).run().action == .create)
        #expect(try StoreChecker(path: path).run().problemsFound == false)
    }

    @Test func keepsDataOfACurrentStoreAndAddsMissingDeclarations() throws {
        let fixture = try AdminFixture()
        let models = try fixture.count("Context")
        // A store from an older registry build: one declaration and one index are missing.
        try fixture.connection.execute("""
            DELETE FROM TypeProperty WHERE name = 'license' AND type_id = (SELECT id FROM Type WHERE name = 'kf.RegisteredModel');
            DROP INDEX idx_artifact_uri;
            DROP INDEX IF EXISTS idx_mr_attribution_artifact;
            """)
        fixture.close()
        let report = try MigrateOperation(path: fixture.path).run()
        #expect(report.propertiesAdded == ["kf.RegisteredModel.license"])
        #expect(report.indexesCreated.contains("idx_artifact_uri"))
        #expect(report.indexesCreated.allSatisfy { $0 == "idx_artifact_uri" || RegistryIndexes.names.contains($0) })
        #expect(report.changed)
        #expect(try fixture.count("Context") == models)
        #expect(try StoreChecker(path: fixture.path).run().problemsFound == false)
    }

    /// Builds a schema-version-9 store as ml-metadata 1.13 left it: property tables without
    /// `proto_value` and `bool_value`.
    static func makeVersion9Store(at path: String) throws {
        let connection = try Connection(path: path)
        for statement in MLMDSchema.statements {
            var sql = statement
            if sql.contains("Property` (    `") && !sql.hasPrefix("CREATE TABLE `TypeProperty`") {
                sql = sql.replacingOccurrences(of: "    `proto_value` BLOB,    `bool_value` BOOLEAN,", with: "")
            }
            try connection.execute(sql)
        }
        try connection.execute("""
            INSERT INTO MLMDEnv VALUES (9);
            INSERT INTO Type(name, type_kind) VALUES ('custom.Thing', 2);
            INSERT INTO Type(name, type_kind) VALUES ('custom.File', 1);
            INSERT INTO Context(type_id, name, create_time_since_epoch, last_update_time_since_epoch) VALUES (1, 'one', 5, 6);
            INSERT INTO Context(type_id, name) VALUES (1, 'two');
            DELETE FROM Context WHERE name = 'two';
            INSERT INTO ContextProperty(context_id, name, is_custom_property, string_value) VALUES (1, 'note', 1, 'kept');
            INSERT INTO Artifact(type_id, uri, name) VALUES (2, 's3://x', 'a');
            INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property, int_value) VALUES (1, 'n', 1, 7);
            """)
    }

    @Test func upgradesVersion9InPlaceWithASafetyCopy() throws {
        let fixture = try AdminFixture(populated: false)
        let path = fixture.file("v9.db")
        try Self.makeVersion9Store(at: path)
        let report = try MigrateOperation(path: path).run()
        #expect(report.action == .upgrade)
        #expect(report.fromVersion == 9)
        #expect(Set(report.tablesRebuilt) == ["ArtifactProperty", "ExecutionProperty", "ContextProperty"])
        let backup = try #require(report.backupPath)
        #expect(FileManager.default.fileExists(atPath: backup))

        let connection = try StoreAccess.openReadOnly(path, busyTimeout: 1000)
        #expect(try connection.scalarInt("SELECT schema_version FROM MLMDEnv") == 10)
        #expect(try connection.first("SELECT string_value FROM ContextProperty WHERE name = 'note'") { $0.string(0) } == "kept")
        #expect(try connection.scalarInt("SELECT int_value FROM ArtifactProperty WHERE name = 'n'") == 7)
        #expect(try connection.scalarInt("SELECT last_update_time_since_epoch FROM Context WHERE name = 'one'") == 6)
        // AUTOINCREMENT goes on after the deleted row, as before the upgrade.
        #expect(try connection.scalarInt("SELECT seq FROM sqlite_sequence WHERE name = 'Context'") == 2)
        // The schema is exactly a fresh v10 schema.
        let fresh = fixture.file("fresh.db")
        _ = try MigrateOperation(path: fresh).run()
        func schema(_ file: String) throws -> [String] {
            try StoreAccess.openReadOnly(file, busyTimeout: 1000)
                .all("SELECT type || ' ' || name || ' ' || sql FROM sqlite_master WHERE sql IS NOT NULL AND name <> 'sqlite_sequence' ORDER BY name") { $0.string(0) }
        }
        #expect(try schema(path) == schema(fresh))
        #expect(try StoreChecker(path: path).run().problemsFound == false)
        // And the safety copy is the untouched version-9 store.
        #expect(try StoreAccess.openReadOnly(backup, busyTimeout: 1000).scalarInt("SELECT schema_version FROM MLMDEnv") == 9)
    }

    @Test func refusesANewerSchemaWithoutTouchingIt() throws {
        let fixture = try AdminFixture(populated: false)
        try fixture.connection.execute("UPDATE MLMDEnv SET schema_version = 11")
        fixture.close()
        let before = FileFingerprint(fixture.path)
        let error = expectFailure { _ = try MigrateOperation(path: fixture.path).run() }
        #expect(error?.message.contains("newer than this binary supports") == true)
        #expect(FileFingerprint(fixture.path) == before)
    }

    @Test func refusesDamagedOrForeignFilesWithoutTouchingThem() throws {
        let fixture = try AdminFixture()
        for damage in DamagedFile.allCases where damage != .empty {
            let path = try damage.write(in: fixture)
            let before = FileFingerprint(path)
            let listing = directoryListing(fixture.directory)
            let error = expectFailure { _ = try MigrateOperation(path: path).run() }
            #expect(error?.message.contains(path) == true, "\(damage): \(error?.message ?? "")")
            #expect(FileFingerprint(path) == before, "\(damage)")
            #expect(directoryListing(fixture.directory) == listing, "\(damage)")
        }
    }

    @Test func refusesAMissingDirectory() throws {
        let fixture = try AdminFixture(populated: false)
        let error = expectFailure { _ = try MigrateOperation(path: fixture.file("no/such/dir/x.db")).run() }
        #expect(error?.message.contains("does not exist") == true)
    }

    @Test func dryRunChangesNothing() throws {
        let fixture = try AdminFixture(populated: false)
        let path = fixture.file("v9.db")
        try Self.makeVersion9Store(at: path)
        let before = FileFingerprint(path)
        var operation = MigrateOperation(path: path)
        operation.dryRun = true
        let report = try operation.run()
        #expect(report.action == .upgrade)
        #expect(FileFingerprint(path) == before)
    }
}
