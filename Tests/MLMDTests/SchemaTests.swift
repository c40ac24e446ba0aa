import Foundation
import MLMD
import Testing

/// SQL text with every whitespace run collapsed to one space and no trailing semicolon.
private func normalised(_ sql: String) -> String {
    var text = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    while text.hasSuffix(";") || text.hasSuffix(" ") { text.removeLast() }
    return text
}

/// `sqlite_master` of a store as `.schema` prints it: every object with SQL, in creation order.
private func schemaObjects(_ connection: Connection) throws -> [(type: String, name: String, sql: String)] {
    try connection.all("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid") {
        ($0.string(0), $0.string(1), normalised($0.string(2)))
    }
}

/// Statements copied by hand from upstream-semantics.md §18 (the `.schema` of a store made by
/// ml-metadata 1.17.1), independent of `MLMDSchema`, so an edit there cannot go unnoticed.
private let documentedStatements = [
    "CREATE TABLE `Type` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `name` VARCHAR(255) NOT NULL,    `version` VARCHAR(255),    `type_kind` TINYINT(1) NOT NULL,    `description` TEXT,    `input_type` TEXT,    `output_type` TEXT,    `external_id` VARCHAR(255) UNIQUE );",
    "CREATE TABLE sqlite_sequence(name,seq);",
    "CREATE TABLE `MLMDEnv` (    `schema_version` INTEGER PRIMARY KEY  );",
    "CREATE TABLE `Context` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `type_id` INT NOT NULL,    `name` VARCHAR(255) NOT NULL,    `external_id` VARCHAR(255) UNIQUE,    `create_time_since_epoch` INT NOT NULL DEFAULT 0,    `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,    UNIQUE(`type_id`, `name`)  );",
    "CREATE TABLE `ArtifactProperty` (    `artifact_id` INT NOT NULL,    `name` VARCHAR(255) NOT NULL,    `is_custom_property` TINYINT(1) NOT NULL,    `int_value` INT,    `double_value` DOUBLE,    `string_value` TEXT,    `byte_value` BLOB,    `proto_value` BLOB,    `bool_value` BOOLEAN,  PRIMARY KEY (`artifact_id`, `name`, `is_custom_property`));",
    "CREATE TABLE `Attribution` (    `id` INTEGER PRIMARY KEY AUTOINCREMENT,    `context_id` INT NOT NULL,    `artifact_id` INT NOT NULL,    UNIQUE(`context_id`, `artifact_id`)  );",
    "CREATE INDEX `idx_parentcontext_parent_context_id`  ON `ParentContext`(`parent_context_id`);",
    "CREATE INDEX `idx_context_property_string`  ON `ContextProperty`(`name`, `is_custom_property`, `string_value`)  WHERE `string_value` IS NOT NULL;",
    "CREATE INDEX `idx_context_external_id`  ON `Context`(`external_id`);",
]

private let documentationPath = "/work/shared/reference/upstream-semantics.md"

/// The `sql` block of §18 of the reference document, one statement per line.
private func statementsFromDocumentation() throws -> [String] {
    let text = try String(contentsOfFile: documentationPath, encoding: .utf8)
    guard let section = text.range(of: "## 18.") else { return [] }
    let rest = text[section.upperBound...]
    guard let open = rest.range(of: "```sql\n"), let close = rest[open.upperBound...].range(of: "```") else { return [] }
    return rest[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init).filter { !$0.isEmpty }
}

@Suite struct SchemaCreationTests {
    @Test func statementsMatchTheDocumentedShape() {
        #expect(MLMDSchema.version == 10)
        #expect(MLMDSchema.statements.filter { $0.hasPrefix("CREATE TABLE") }.count == 15)
        #expect(MLMDSchema.statements.filter { $0.hasPrefix("CREATE INDEX") }.count == 24)
        #expect(MLMDSchema.statements.count == 39)
        #expect(!MLMDSchema.statements.contains { $0.contains("sqlite_sequence") })
    }

    @Test func freshStoreSchemaIsExactlyMLMDs() throws {
        let test = try TestStore()
        let objects = try schemaObjects(test.connection)
        // `.schema` of an ml-metadata store: our statements in order, with sqlite_sequence
        // appearing right after the first AUTOINCREMENT table (`Type`).
        var expected = MLMDSchema.statements.map(normalised)
        expected.insert("CREATE TABLE sqlite_sequence(name,seq)", at: 1)
        #expect(objects.map(\.sql) == expected)
        #expect(objects.filter { $0.type == "table" }.count == 16)
        #expect(objects.filter { $0.type == "index" }.count == 24)
        #expect(Set(objects.filter { $0.type == "table" }.map(\.name))
            == Set(MLMDSchema.tableNames + ["sqlite_sequence"]))
        // No views or triggers.
        #expect(try test.count("sqlite_master", where: "type NOT IN ('table', 'index')") == 0)
    }

    @Test func handCopiedStatementsArePresentVerbatim() throws {
        let test = try TestStore()
        let present = Set(try schemaObjects(test.connection).map(\.sql))
        for statement in documentedStatements {
            #expect(present.contains(normalised(statement)), "\(statement.prefix(60))")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: documentationPath)))
    func schemaEqualsTheReferenceDocument() throws {
        let documented = try statementsFromDocumentation()
        #expect(documented.count == 40)
        let test = try TestStore()
        #expect(try schemaObjects(test.connection).map(\.sql) == documented.map(normalised))
    }

    @Test func schemaVersionIsTen() throws {
        let test = try TestStore()
        #expect(try test.connection.all("SELECT schema_version FROM MLMDEnv") { $0.int64(0) } == [10])
        #expect(try test.store.schemaVersion() == 10)
    }

    @Test func simpleTypesHaveIdsOneToNine() throws {
        let test = try TestStore()
        let rows = try test.connection.all("""
            SELECT id, name, type_kind, version IS NULL AND description IS NULL AND input_type IS NULL
                   AND output_type IS NULL AND external_id IS NULL
            FROM Type ORDER BY id
            """) { ($0.int64(0), $0.string(1), $0.int64(2), $0.int64(3)) }
        let expected: [(Int64, String, Int64)] = [
            (1, "mlmd.Dataset", 1), (2, "mlmd.Model", 1), (3, "mlmd.Metrics", 1), (4, "mlmd.Statistics", 1),
            (5, "mlmd.Train", 0), (6, "mlmd.Transform", 0), (7, "mlmd.Process", 0), (8, "mlmd.Evaluate", 0),
            (9, "mlmd.Deploy", 0),
        ]
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(row.0 == want.0 && row.1 == want.1 && row.2 == want.2, "\(row)")
            #expect(row.3 == 1, "\(row.1) should have only NULL optional columns")
        }
        #expect(try test.count("TypeProperty") == 0)
        #expect(try test.connection.first("SELECT seq FROM sqlite_sequence WHERE name = 'Type'") { $0.int64(0) } == 9)
        #expect(MLMDSchema.simpleTypes.map(\.name) == expected.map(\.1))
    }

    @Test func emptyDatabaseHasNoSchemaVersion() throws {
        let test = try TestStore(createSchema: false)
        #expect(try test.store.schemaVersion() == nil)
    }
}

@Suite struct SchemaVerificationTests {
    @Test func createOrVerifyIsIdempotent() throws {
        let test = try TestStore(createSchema: false)
        #expect(try test.store.createOrVerifySchema() == true)
        let before = try schemaObjects(test.connection).map(\.sql)
        #expect(try test.store.createOrVerifySchema() == false)
        #expect(try test.store.createOrVerifySchema() == false)
        #expect(try schemaObjects(test.connection).map(\.sql) == before)
        #expect(try test.count("Type") == 9)
        #expect(try test.count("MLMDEnv") == 1)
    }

    @Test func reopeningAnExistingStoreVerifiesIt() throws {
        let test = try TestStore()
        let other = try MetadataStore.open(path: test.path, create: false)
        #expect(try other.createOrVerifySchema() == false)
        #expect(try other.typeID(named: "mlmd.Deploy") == 9)
    }

    @Test func newStoresUseSmallPagesAndExistingStoresKeepTheirs() throws {
        let test = try TestStore()
        #expect(try test.connection.scalarInt("PRAGMA page_size") == Int64(MetadataStore.newStorePageSize))

        // A store created elsewhere with SQLite's default page size (ml-metadata's, ours before).
        let directory = try TemporaryDirectory()
        let path = directory.path("default-pages.sqlite")
        do {
            let foreign = try Connection(path: path)
            try foreign.execute("PRAGMA page_size=4096; PRAGMA journal_mode=WAL")
            try MetadataStore(connection: foreign).createOrVerifySchema()
        }
        let reopened = try MetadataStore.open(path: path, create: false)
        #expect(try reopened.connection.scalarInt("PRAGMA page_size") == 4096)
        #expect(try reopened.createOrVerifySchema() == false)
    }

    @Test func missingSimpleTypesAreReinserted() throws {
        let test = try TestStore()
        try test.connection.execute("DELETE FROM Type WHERE name IN ('mlmd.Train', 'mlmd.Deploy')")
        let other = try MetadataStore.open(path: test.path)
        #expect(try other.createOrVerifySchema() == false)
        #expect(Set(try test.connection.all("SELECT name FROM Type") { $0.string(0) })
            == Set(MLMDSchema.simpleTypes.map(\.name)))
    }

    @Test func aDifferentSchemaVersionIsRefused() throws {
        let test = try TestStore()
        try test.connection.execute("UPDATE MLMDEnv SET schema_version = 9")
        let other = try MetadataStore.open(path: test.path)
        do {
            try other.createOrVerifySchema()
            Issue.record("a version 9 store must be refused")
        } catch MetadataStore.StoreError.unsupportedSchemaVersion(let found, let supported) {
            #expect(found == 9)
            #expect(supported == 10)
            let message = "\(MetadataStore.StoreError.unsupportedSchemaVersion(found: found, supported: supported))"
            #expect(message.contains("9") && message.contains("10"))
        }
        // Nothing was changed.
        #expect(try test.connection.all("SELECT schema_version FROM MLMDEnv") { $0.int64(0) } == [9])
    }

    @Test func aNewerSchemaVersionIsRefused() throws {
        let test = try TestStore()
        try test.connection.execute("UPDATE MLMDEnv SET schema_version = 11")
        #expect {
            try MetadataStore.open(path: test.path).createOrVerifySchema()
        } throws: { error in
            if case MetadataStore.StoreError.unsupportedSchemaVersion(found: 11, supported: 10) = error { return true }
            return false
        }
    }

    @Test func aForeignSQLiteFileIsRefusedAndLeftAlone() throws {
        let test = try TestStore(createSchema: false)
        try test.connection.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('x')")
        #expect {
            try test.store.createOrVerifySchema()
        } throws: { error in
            guard case MetadataStore.StoreError.notAnMLMDStore(let detail) = error else { return false }
            return detail.contains("MLMDEnv")
        }
        #expect(try test.connection.all("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.string(0) } == ["notes"])
    }

    @Test func anEmptyMLMDEnvIsRefused() throws {
        let test = try TestStore()
        try test.connection.execute("DELETE FROM MLMDEnv")
        let other = try MetadataStore.open(path: test.path)
        #expect {
            try other.createOrVerifySchema()
        } throws: { error in
            guard case MetadataStore.StoreError.notAnMLMDStore(let detail) = error else { return false }
            return detail.contains("schema_version")
        }
        #expect(try test.count("MLMDEnv") == 0, "the refused store is not repaired behind the user's back")
    }

    @Test func aStoreMissingTablesIsRefused() throws {
        let test = try TestStore()
        try test.connection.execute("DROP TABLE Attribution; DROP TABLE EventPath")
        #expect {
            try MetadataStore.open(path: test.path).createOrVerifySchema()
        } throws: { error in
            guard case MetadataStore.StoreError.notAnMLMDStore(let detail) = error else { return false }
            return detail.contains("Attribution") && detail.contains("EventPath")
        }
    }

    @Test func storeErrorsDescribeThemselves() {
        #expect("\(MetadataStore.StoreError.notAnMLMDStore("x"))" == "not an ML-Metadata store: x")
        #expect("\(MetadataStore.StoreError.missingType("kf.X"))".contains("kf.X"))
        #expect("\(MetadataStore.StoreError.typeConflict("y"))".contains("y"))
    }
}
