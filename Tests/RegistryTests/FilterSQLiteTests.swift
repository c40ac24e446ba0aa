import CSQLite
import MLMD
import Testing
@testable import Registry

/// A throwaway in-memory MLMD-shaped database (the §18 DDL for the tables filters touch),
/// driven through the raw sqlite3 API.
private final class FilterTestDatabase {
    private var db: OpaquePointer?

    init() throws {
        guard sqlite3_open(":memory:", &db) == SQLITE_OK else { throw DatabaseFailure(message: "open") }
        for kind in ["Context", "Artifact", "Execution"] {
            let fk = kind.lowercased() + "_id"
            try exec("""
                CREATE TABLE `\(kind)Property` (`\(fk)` INT NOT NULL, `name` VARCHAR(255) NOT NULL,
                  `is_custom_property` TINYINT(1) NOT NULL, `int_value` INT, `double_value` DOUBLE,
                  `string_value` TEXT, `byte_value` BLOB, `proto_value` BLOB, `bool_value` BOOLEAN,
                  PRIMARY KEY (`\(fk)`, `name`, `is_custom_property`));
                """)
        }
        try exec("""
            CREATE TABLE `Context` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, `type_id` INT NOT NULL,
              `name` VARCHAR(255) NOT NULL, `external_id` VARCHAR(255) UNIQUE,
              `create_time_since_epoch` INT NOT NULL DEFAULT 0,
              `last_update_time_since_epoch` INT NOT NULL DEFAULT 0, UNIQUE(`type_id`, `name`));
            CREATE TABLE `Artifact` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, `type_id` INT NOT NULL,
              `uri` TEXT, `state` INT, `name` VARCHAR(255), `external_id` VARCHAR(255) UNIQUE,
              `create_time_since_epoch` INT NOT NULL DEFAULT 0,
              `last_update_time_since_epoch` INT NOT NULL DEFAULT 0, UNIQUE(`type_id`, `name`));
            CREATE TABLE `Execution` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, `type_id` INT NOT NULL,
              `last_known_state` INT, `name` VARCHAR(255), `external_id` VARCHAR(255) UNIQUE,
              `create_time_since_epoch` INT NOT NULL DEFAULT 0,
              `last_update_time_since_epoch` INT NOT NULL DEFAULT 0, UNIQUE(`type_id`, `name`));
            """)
    }

    deinit { sqlite3_close(db) }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw DatabaseFailure(message: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// Ids of `table` rows (optionally of one type) that satisfy the compiled filter.
    func ids(_ table: String, typeId: Int? = nil, where filter: (sql: String, bindings: [SQLValue])) throws -> [Int64] {
        var sql = "SELECT e.id FROM \(table) e WHERE (\(filter.sql))"
        if let typeId { sql += " AND e.type_id = \(typeId)" }
        sql += " ORDER BY e.id"
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw DatabaseFailure(message: "\(String(cString: sqlite3_errmsg(db))) in \(sql)")
        }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, value) in filter.bindings.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, index)
            case .integer(let v): sqlite3_bind_int64(statement, index, v)
            case .double(let v): sqlite3_bind_double(statement, index, v)
            case .text(let v):
                let bytes = Array(v.utf8)
                bytes.withUnsafeBufferPointer { buffer in
                    buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(bytes.count, 1)) {
                        _ = sqlite3_bind_text(statement, index, $0, Int32(bytes.count), transient)
                    }
                }
            case .blob(let v):
                _ = sqlite3_bind_blob(statement, index, v, Int32(v.count), transient)
            }
        }
        var result: [Int64] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return result }
            guard rc == SQLITE_ROW else { throw DatabaseFailure(message: String(cString: sqlite3_errmsg(db))) }
            result.append(sqlite3_column_int64(statement, 0))
        }
    }
}

private struct DatabaseFailure: Error {
    let message: String
}

/// Type ids used below (any distinct numbers do).
private let registeredModelType = 10, modelVersionType = 11, modelArtifactType = 13, metricType = 21

private func fixture() throws -> FilterTestDatabase {
    let db = try FilterTestDatabase()
    try db.exec("""
        INSERT INTO Context (id, type_id, name, external_id, create_time_since_epoch) VALUES
          (1, 10, 'model-a', 'ext-a', 100), (2, 10, 'Model-B', NULL, 200), (3, 10, 'model_c%', NULL, 300),
          (4, 11, '1:v1', NULL, 400), (5, 11, '1:V1', NULL, 500), (6, 11, '3:model:v1', NULL, 600),
          (7, 11, '3:v2', NULL, 700);
        INSERT INTO ContextProperty (context_id, name, is_custom_property, int_value, double_value, string_value, bool_value) VALUES
          (1, 'state', 0, NULL, NULL, 'LIVE', NULL),
          (1, 'owner', 0, NULL, NULL, 'alice', NULL),
          (1, 'state', 1, NULL, NULL, 'ARCHIVED', NULL),
          (1, 'framework', 1, NULL, NULL, 'pytorch', NULL),
          (1, 'epoch_count', 1, 60, NULL, NULL, NULL),
          (1, 'accuracy', 1, NULL, 0.95, NULL, NULL),
          (1, 'enabled', 1, NULL, NULL, NULL, 1),
          (1, 'mlflow.source.type', 1, NULL, NULL, 'notebook', NULL),
          (2, 'state', 0, NULL, NULL, 'ARCHIVED', NULL),
          (2, 'owner', 0, NULL, NULL, 'bob', NULL),
          (2, 'framework', 1, NULL, NULL, 'tensorflow', NULL),
          (2, 'epoch_count', 1, NULL, 45.0, NULL, NULL),
          (2, 'accuracy', 1, NULL, 0.85, NULL, NULL),
          (2, 'enabled', 1, NULL, NULL, NULL, 0),
          (2, 'team', 1, NULL, NULL, 'research', NULL),
          (3, 'state', 0, NULL, NULL, 'LIVE', NULL),
          (3, 'framework', 1, NULL, NULL, 'sklearn', NULL),
          (3, 'epoch_count', 1, NULL, NULL, '50', NULL),
          (3, 'priority', 1, 2, NULL, NULL, NULL),
          (3, 'budget', 1, NULL, 15000.0, NULL, NULL),
          (4, 'registered_model_id', 0, 1, NULL, NULL, NULL),
          (4, 'state', 0, NULL, NULL, 'LIVE', NULL),
          (4, 'author', 0, NULL, NULL, 'data-scientist-1', NULL),
          (5, 'registered_model_id', 0, 1, NULL, NULL, NULL),
          (6, 'registered_model_id', 0, 3, NULL, NULL, NULL),
          (7, 'registered_model_id', 0, 3, NULL, NULL, NULL),
          (7, 'description', 0, NULL, NULL, 'A nice version', NULL);
        INSERT INTO Artifact (id, type_id, uri, state, name) VALUES
          (1, 13, 's3://bucket/model.onnx', 2, '4:model.onnx'),
          (2, 13, 'file:///weights', 1, '4:weights'),
          (3, 13, NULL, 6, '0a1b-uuid:Readme'),
          (4, 21, NULL, NULL, '9:accuracy'),
          (5, 21, NULL, NULL, '9:loss');
        INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, int_value, double_value, string_value) VALUES
          (1, 'model_format_name', 0, NULL, NULL, 'onnx'),
          (1, 'experiment_id', 1, 12, NULL, NULL),
          (1, 'experiment_run_id', 1, 3, NULL, NULL),
          (2, 'model_format_name', 0, NULL, NULL, 'pytorch'),
          (2, 'experiment_id', 1, 12, NULL, NULL),
          (2, 'experiment_run_id', 1, 7, NULL, NULL),
          (3, 'experiment_run_id', 1, 11, NULL, NULL),
          (3, 'experiment_id', 0, 99, NULL, NULL),
          (4, 'value', 0, NULL, 0.93, NULL),
          (4, 'timestamp', 0, NULL, NULL, '1700010000000'),
          (4, 'step', 0, 3, NULL, NULL),
          (5, 'value', 0, NULL, 0.2, NULL),
          (5, 'timestamp', 0, NULL, NULL, '999'),
          (5, 'step', 0, 10, NULL, NULL);
        INSERT INTO Execution (id, type_id, last_known_state, name) VALUES
          (1, 16, 2, '5:serve-a'), (2, 16, 3, '5:serve-b');
        INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, int_value) VALUES
          (1, 'model_version_id', 0, 4), (2, 'model_version_id', 0, 7);
        """)
    return db
}

private func matches(_ db: FilterTestDatabase, _ text: String, _ target: FilterTarget, typeId: Int? = nil) throws -> [Int64] {
    let filter = try #require(try FilterCompiler.compile(query: text, for: target))
    return try db.ids(target.table, typeId: typeId, where: filter)
}

@Suite struct FilterSQLiteTests {
    @Test(arguments: [
        (#"name = "model-a""#, [1]),
        (#"name = "MODEL-A""#, []),
        (#"name LIKE "model%""#, [1, 3]),
        (#"name ILIKE "model%""#, [1, 2, 3]),
        (#"name LIKE "model\_c\%""#, [3]),
        (#"name ILIKE "MODEL\_C%""#, [3]),
        (#"name LIKE "model_%""#, [1, 3]),
        (#"state = "LIVE""#, [1, 3]),  // the custom `state` of 1 does not shadow
        (#"state = "ARCHIVED""#, [2]),
        (#"state != "LIVE""#, [2]),
        (#"framework = "pytorch" OR framework = "sklearn""#, [1, 3]),
        (#"(framework = "pytorch" OR framework = "tensorflow") AND epoch_count > 40"#, [1, 2]),
        ("epoch_count > 40", [1, 2]),  // int 60 and double 45.0; the string "50" is not a number
        ("epoch_count = 45", [2]),
        ("epoch_count.int_value > 40", [1]),
        ("epoch_count.string_value = '50'", [3]),
        ("epoch_count IN (60, 45)", [1, 2]),
        ("accuracy > 0.9", [1]),
        ("enabled.bool_value = true", [1]),
        ("enabled = false", [2]),
        (#"`mlflow.source.type` = "notebook""#, [1]),
        ("priority.int_value <= 2", [3]),
        ("budget.double_value > 12000", [3]),
        ("budget > 12000", [3]),
        ("id IN (1, 3)", [1, 3]),
        ("id IN ()", []),
        ("id = '2'", [2]),
        ("id != 1", [2, 3]),
        (#"name IN ("model-a", "Model-B")"#, [1, 2]),
        (#"owner = "alice" OR team = "research""#, [1, 2]),
        (#"framework IN ("pytorch", "sklearn")"#, [1, 3]),
        (#"externalId = "ext-a""#, [1]),
        ("createTimeSinceEpoch >= 200", [2, 3]),
        (#"name = "x'; DROP TABLE Context; --""#, []),
    ])
    func registeredModels(_ filter: String, _ expected: [Int64]) throws {
        let db = try fixture()
        #expect(try matches(db, filter, .registeredModel, typeId: registeredModelType) == expected)
    }

    @Test(arguments: [
        (#"name = "v1""#, [4]),
        (#"name = "model:v1""#, [6]),
        (#"name != "v1""#, [5, 6, 7]),
        (#"name IN ("v1", "v2")"#, [4, 7]),
        (#"name LIKE "v%""#, [4, 6, 7]),
        (#"name ILIKE "v%""#, [4, 5, 6, 7]),
        (#"name LIKE "3:%""#, [6, 7]),
        (#"name LIKE "%1""#, [4, 5, 6]),
        ("registeredModelId = 1", [4, 5]),
        (#"registeredModelId = "3""#, [6, 7]),
        ("registeredModelId IN ('1', 3)", [4, 5, 6, 7]),
        (#"description ILIKE "%NICE%""#, [7]),
        (#"author = "data-scientist-1" OR name = "v2""#, [4, 7]),
        (#"state = "LIVE" AND registeredModelId = 1"#, [4]),
    ])
    func modelVersions(_ filter: String, _ expected: [Int64]) throws {
        let db = try fixture()
        #expect(try matches(db, filter, .modelVersion, typeId: modelVersionType) == expected)
    }

    @Test(arguments: [
        (#"experimentId = "12""#, [1, 2]),
        (#"experimentId.int_value = "12""#, [1, 2]),
        ("experimentId = 99", []),  // a typed row of that name is not the run link
        (#"experimentRunId IN ("3", "7")"#, [1, 2]),
        (#"experimentId = "1" AND name LIKE "%model%""#, []),
        (#"experimentId = 12 AND name LIKE "%model%""#, [1]),
        (#"state = "LIVE""#, [1]),
        (#"state = "PENDING" OR state = "REFERENCE""#, [2, 3]),
        (#"state = "BOGUS""#, []),
        (#"state IN ("LIVE", "PENDING")"#, [1, 2]),
        (#"state LIKE "%ENC%""#, [3]),
        (#"state ILIKE "live""#, [1]),
        (#"name = "model.onnx""#, [1]),
        (#"name ILIKE "readme""#, [3]),
        (#"name LIKE "readme""#, []),
        (#"uri LIKE "s3://%""#, [1]),
        (#"modelFormatName = "onnx" OR modelFormatName = "pytorch""#, [1, 2]),
    ])
    func artifacts(_ filter: String, _ expected: [Int64]) throws {
        let db = try fixture()
        #expect(try matches(db, filter, .allArtifacts, typeId: modelArtifactType) == expected)
    }

    @Test(arguments: [
        ("value > 0.5", [4]),
        ("value > 0", [4, 5]),
        ("step >= 3", [4, 5]),
        ("step = '10'", [5]),
        ("timestamp > 1000", [4]),  // numeric, although stored as text ("999" > "1000" as text)
        ("timestamp > '1000'", [4]),
        ("timestamp < 1000", [5]),
        ("timestamp LIKE '17%'", [4]),
        (#"name = "accuracy""#, [4]),
        (#"name = "accuracy" OR step = 10"#, [4, 5]),
    ])
    func metrics(_ filter: String, _ expected: [Int64]) throws {
        let db = try fixture()
        #expect(try matches(db, filter, .metric, typeId: metricType) == expected)
    }

    @Test(arguments: [
        (#"lastKnownState = "RUNNING""#, [1]),
        (#"lastKnownState IN ("COMPLETE", "FAILED")"#, [2]),
        ("modelVersionId = 4", [1]),
        (#"name = "serve-b""#, [2]),
        (#"name LIKE "serve-%""#, [1, 2]),
    ])
    func serveModels(_ filter: String, _ expected: [Int64]) throws {
        let db = try fixture()
        #expect(try matches(db, filter, .serveModel) == expected)
    }

    /// GLOB's own wildcards in a LIKE pattern are literals; LIKE's are escaped for ILIKE.
    @Test func patternSpecialCharacters() throws {
        let db = try FilterTestDatabase()
        try db.exec(#"""
            INSERT INTO Context (id, type_id, name) VALUES (1, 30, 'a*b[c]?'), (2, 30, 'axb[c]!'),
              (3, 30, '50%_off'), (4, 30, '50x_off'), (5, 30, 'back\slash'), (6, 30, 'ÉTÉ');
            """#)
        func run(_ text: String) throws -> [Int64] { try matches(db, text, .registeredModel, typeId: 30) }
        #expect(try run(#"name LIKE "a*b[c]?""#) == [1])
        #expect(try run(#"name LIKE "a_b[c]_""#) == [1, 2])
        #expect(try run(#"name LIKE "50\%\_off""#) == [3])
        #expect(try run(#"name ILIKE "50\%\_OFF""#) == [3])
        #expect(try run(#"name LIKE "50%""#) == [3, 4])
        #expect(try run(#"name LIKE "back\\\\slash""#) == [5])
        #expect(try run(#"name ILIKE "BACK\\\\SLASH""#) == [5])
        #expect(try run(#"name = "back\\slash""#) == [5])
        #expect(try run(#"name LIKE "ÉT_""#) == [6])
        #expect(try run(#"name ILIKE "été""#) == [])  // ILIKE folds ASCII only
    }

    /// Random well-formed filters compile to SQL SQLite accepts, or to a type mismatch.
    @Test func randomFiltersExecute() throws {
        let db = try fixture()
        var seed: UInt64 = 42
        func pick<T>(_ items: [T]) -> T {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return items[Int(truncatingIfNeeded: seed >> 33) % items.count]
        }
        let properties = ["id", "name", "externalId", "state", "uri", "experimentId", "value", "timestamp",
                          "lastKnownState", "startTimeSinceEpoch", "registeredModelId", "x", "x.int_value",
                          "x.bool_value", "x.double_value", "`a.b-c`", "`'; --`.string_value"]
        let literals = ["'it\\'s'", "\"%_\\\\\"", "'LIVE'", "'12'", "12", "-0.5", "1e3", "TRUE", "'😀\u{202E}'",
                        "'?'", "''"]
        let ops = ["=", "!=", "<>", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN"]
        func comparison() -> String {
            let op = pick(ops)
            if op == "IN" {
                let count = pick([0, 1, 3])
                return "\(pick(properties)) IN (\((0..<count).map { _ in pick(literals) }.joined(separator: ", ")))"
            }
            return "\(pick(properties)) \(op) \(pick(literals))"
        }
        func expression(_ depth: Int) -> String {
            if depth == 0 || pick([true, false]) { return comparison() }
            let joined = "\(expression(depth - 1)) \(pick(["AND", "OR", "and"])) \(expression(depth - 1))"
            return pick([true, false]) ? "(\(joined))" : joined
        }
        let targets: [FilterTarget] = [.registeredModel, .modelVersion, .experimentRun, .serveModel,
                                       .modelArtifact, .metric]
        for _ in 0..<500 {
            let text = expression(3)
            for target in targets {
                do {
                    let filter = try #require(try FilterCompiler.compile(query: text, for: target))
                    _ = try db.ids(target.table, where: filter)
                } catch let error as FilterError {
                    #expect(error.kind == .typeMismatch, "\(text): \(error)")
                }
            }
        }
    }

    /// Every compiled form must be valid SQL for every target, whatever the literal types.
    @Test func everyOperatorAndLiteralRunsOnEveryTarget() throws {
        let db = try fixture()
        let targets: [FilterTarget] = [.registeredModel, .modelVersion, .servingEnvironment, .inferenceService,
                                       .experiment, .experimentRun, .serveModel, .modelArtifact, .docArtifact,
                                       .dataSet, .metric, .parameter]
        let literals = ["'x'", "'12'", "7", "-2.5", "true"]
        let ops = ["=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE"]
        var runs = 0
        for target in targets {
            var properties = Array(target.fields.keys) + ["custom", "custom.int_value", "custom.string_value",
                                                         "custom.double_value", "custom.bool_value"]
            properties.sort()
            for property in properties {
                var filters = ["\(property) IN ('x', 7, -2.5, true)", "\(property) IN ()"]
                for op in ops {
                    for literal in literals { filters.append("\(property) \(op) \(literal)") }
                }
                for text in filters {
                    let compiled: (sql: String, bindings: [SQLValue])?
                    do {
                        compiled = try FilterCompiler.compile(query: text, for: target)
                    } catch let error as FilterError {
                        #expect(error.kind == .typeMismatch, "\(text)")
                        continue
                    }
                    let filter = try #require(compiled)
                    _ = try db.ids(target.table, where: filter)
                    runs += 1
                }
            }
        }
        #expect(runs > 1000)
        // The hostile literal above did not touch the schema.
        #expect(try matches(db, "id > 0", .registeredModel, typeId: registeredModelType) == [1, 2, 3])
    }
}
