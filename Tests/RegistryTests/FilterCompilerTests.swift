import MLMD
import Testing
@testable import Registry

private func compiled(_ text: String, _ target: FilterTarget,
                      sourceLocation: SourceLocation = #_sourceLocation) -> (sql: String, bindings: [SQLValue])? {
    do {
        guard let result = try FilterCompiler.compile(query: text, for: target) else {
            Issue.record("no filter for \(text)", sourceLocation: sourceLocation)
            return nil
        }
        let marks = result.sql.filter { $0 == "?" }.count
        #expect(marks == result.bindings.count, "placeholders vs bindings", sourceLocation: sourceLocation)
        return result
    } catch {
        Issue.record("\(text) → \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

private func mismatch(_ text: String, _ target: FilterTarget) -> FilterError? {
    do {
        _ = try FilterCompiler.compile(query: text, for: target)
        Issue.record("expected a type mismatch for \(text)")
        return nil
    } catch let error as FilterError {
        #expect(error.kind == .typeMismatch)
        #expect(error.message == "invalid filter query, type mismatch or invalid value in comparison")
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

private let contextProperty =
    "EXISTS (SELECT 1 FROM ContextProperty p WHERE p.context_id = e.id AND p.name = ?"

@Suite struct FilterCompilerTests {
    @Test func entityColumns() {
        var r = compiled(#"name = "my-model""#, .registeredModel)
        #expect(r?.sql == "e.name = ?")
        #expect(r?.bindings == [.text("my-model")])
        r = compiled("id IN (200, 201)", .registeredModel)
        #expect(r?.sql == "e.id IN (?, ?)")
        #expect(r?.bindings == [.integer(200), .integer(201)])
        r = compiled(#"id = "7""#, .experiment)
        #expect(r?.bindings == [.integer(7)])
        r = compiled(#"externalId != "x""#, .servingEnvironment)
        #expect(r?.sql == "e.external_id <> ?")
        r = compiled("createTimeSinceEpoch >= 1700000000000 AND lastUpdateTimeSinceEpoch < 5", .modelVersion)
        #expect(r?.sql == "(e.create_time_since_epoch >= ? AND e.last_update_time_since_epoch < ?)")
        r = compiled("externalId = 12", .registeredModel)
        #expect(r?.bindings == [.text("12")])
    }

    @Test func childNames() {
        var r = compiled(#"name = "v1""#, .modelVersion)
        #expect(r?.sql == "substr(e.name, instr(e.name, ':') + 1) = ?")
        #expect(r?.bindings == [.text("v1")])
        r = compiled(#"name != "v1""#, .inferenceService)
        #expect(r?.sql == "substr(e.name, instr(e.name, ':') + 1) <> ?")
        r = compiled(#"name IN ("a", "b")"#, .experimentRun)
        #expect(r?.sql == "substr(e.name, instr(e.name, ':') + 1) IN (?, ?)")
        r = compiled(#"name LIKE "v%""#, .modelVersion)
        #expect(r?.sql == "e.name GLOB ?")
        #expect(r?.bindings == [.text("*:v*")])
        r = compiled(#"name LIKE "%model%""#, .modelArtifact)
        #expect(r?.bindings == [.text("*model*")])
        r = compiled(#"name LIKE "3:%""#, .modelVersion)
        #expect(r?.bindings == [.text("3:*")])
        r = compiled(#"name ILIKE "V_1""#, .serveModel)
        #expect(r?.sql == #"e.name LIKE ? ESCAPE '\'"#)
        #expect(r?.bindings == [.text("%:V_1")])
        r = compiled(#"name LIKE "v%""#, .registeredModel)  // top-level: unchanged
        #expect(r?.bindings == [.text("v*")])
    }

    @Test func likePatterns() {
        var r = compiled(#"name LIKE "a*b?c[d]_%""#, .registeredModel)
        #expect(r?.bindings == [.text("a[*]b[?]c[[]d]?*")])
        // The string literal turns `\\\\` into `\\`, which the pattern reads as one literal `\`.
        r = compiled(#"name LIKE "50\%\_x\\\\y""#, .registeredModel)
        #expect(r?.bindings == [.text(#"50%_x\y"#)])
        r = compiled(#"name ILIKE "50\%\_x\\\\y%""#, .registeredModel)
        #expect(r?.bindings == [.text(#"50\%\_x\\y%"#)])
        r = compiled(#"name LIKE "a\\y""#, .registeredModel)  // `\y` is just `y`
        #expect(r?.bindings == [.text("ay")])
        r = compiled(#"name ILIKE "trailing\\""#, .registeredModel)  // a trailing `\` is literal
        #expect(r?.bindings == [.text(#"trailing\\"#)])
    }

    @Test func typedProperties() {
        var r = compiled(#"state = "LIVE""#, .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.is_custom_property = 0 AND p.string_value = ?)")
        #expect(r?.bindings == [.text("state"), .text("LIVE")])
        r = compiled(#"registeredModelId = "3""#, .modelVersion)
        #expect(r?.sql == contextProperty + " AND p.is_custom_property = 0 AND p.int_value = ?)")
        #expect(r?.bindings == [.text("registered_model_id"), .integer(3)])
        r = compiled(#"registeredModelId = "abc""#, .modelVersion)
        #expect(r?.bindings == [.text("registered_model_id"), .text("abc")])
        r = compiled("state = 5", .experiment)  // still a valid query
        #expect(r?.bindings == [.text("state"), .text("5")])
        r = compiled("startTimeSinceEpoch >= '1700010000'", .experimentRun)
        // Run times are stored as int_value here (upstream wrote them as text).
        #expect(r?.sql == contextProperty + " AND p.is_custom_property = 0 AND p.int_value >= ?)")
        #expect(r?.bindings == [.text("start_time_since_epoch"), .integer(1_700_010_000)])
        r = compiled("endTimeSinceEpoch LIKE '17%'", .experimentRun)
        #expect(r?.sql == contextProperty + " AND p.is_custom_property = 0 AND p.int_value GLOB ?)")
        r = compiled("endTimeSinceEpoch = 'soon'", .experimentRun)  // no match, but no SQL error
        #expect(r?.sql == contextProperty + " AND p.is_custom_property = 0 AND p.int_value = ?)")
        r = compiled("value > 0.5", .metric)
        #expect(r?.sql == "EXISTS (SELECT 1 FROM ArtifactProperty p WHERE p.artifact_id = e.id AND p.name = ?"
                + " AND p.is_custom_property = 0 AND p.double_value > ?)")
        r = compiled("value = 1", .parameter)
        #expect(r?.bindings == [.text("value"), .text("1")])
        r = compiled(#"experimentId.int_value = "12""#, .experimentRun)
        #expect(r?.bindings == [.text("experiment_id"), .integer(12)])
        r = compiled("modelVersionId = 4", .serveModel)
        #expect(r?.sql == "EXISTS (SELECT 1 FROM ExecutionProperty p WHERE p.execution_id = e.id AND p.name = ?"
                + " AND p.is_custom_property = 0 AND p.int_value = ?)")
    }

    @Test func artifactRunLinksAreCustomInts() {
        var r = compiled(#"experimentId = "12""#, .dataSet)
        #expect(r?.sql == "EXISTS (SELECT 1 FROM ArtifactProperty p WHERE p.artifact_id = e.id AND p.name = ?"
                + " AND p.is_custom_property = 1 AND p.int_value = ?)")
        #expect(r?.bindings == [.text("experiment_id"), .integer(12)])
        r = compiled(#"experimentRunId IN ("3", "7")"#, .allArtifacts)
        #expect(r?.bindings == [.text("experiment_run_id"), .integer(3), .integer(7)])
    }

    @Test func customProperties() {
        var r = compiled(#"framework = "pytorch""#, .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.string_value = ?)")
        r = compiled("epoch_count >= 50", .modelVersion)
        #expect(r?.sql == contextProperty + " AND (p.int_value >= ? OR p.double_value >= ?))")
        #expect(r?.bindings == [.text("epoch_count"), .integer(50), .double(50)])
        r = compiled("accuracy > 0.9", .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.double_value > ?)")
        r = compiled("enabled = TRUE", .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.bool_value = ?)")
        #expect(r?.bindings == [.text("enabled"), .integer(1)])
        r = compiled("priority.int_value <= 2", .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.int_value <= ?)")
        r = compiled("budget.double_value > 12000", .registeredModel)
        #expect(r?.bindings == [.text("budget"), .double(12000)])
        r = compiled("tag.string_value = 5", .registeredModel)
        #expect(r?.bindings == [.text("tag"), .text("5")])
        r = compiled(#"`mlflow.source.type` = "notebook""#, .experimentRun)
        #expect(r?.bindings == [.text("mlflow.source.type"), .text("notebook")])
        // Every declared field is well-known (upstream allow-listed only a few).
        r = compiled("description ILIKE '%x%'", .modelVersion)
        #expect(r?.sql == contextProperty + #" AND p.is_custom_property = 0 AND p.string_value LIKE ? ESCAPE '\')"#)
        r = compiled("licenseLink = 'x'", .registeredModel)
        #expect(r?.bindings.first == .text("license_link"))
        r = compiled("n LIKE 5", .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.string_value GLOB ?)")
    }

    @Test func customInLists() {
        var r = compiled("x IN (1, 2)", .registeredModel)
        #expect(r?.sql == contextProperty + " AND (p.int_value IN (?, ?) OR p.double_value IN (?, ?)))")
        r = compiled("x IN (1, 2.5)", .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.double_value IN (?, ?))")
        r = compiled("x IN ('a', 'b')", .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.string_value IN (?, ?))")
        r = compiled("x IN (true)", .registeredModel)
        #expect(r?.sql == contextProperty + " AND p.bool_value IN (?))")
        r = compiled("x IN ('a', 1)", .registeredModel)
        #expect(r?.bindings == [.text("x"), .text("a"), .text("1")])
        r = compiled("x.int_value IN ('1', '2')", .registeredModel)
        #expect(r?.bindings == [.text("x"), .integer(1), .integer(2)])
    }

    @Test func emptyInMatchesNothing() {
        for (text, target) in [("id IN ()", FilterTarget.registeredModel), ("x IN ()", .modelVersion),
                               ("state IN ()", .modelArtifact), ("name IN ()", .modelVersion)] {
            let r = compiled(text, target)
            #expect(r?.sql == "1 = 0")
            #expect(r?.bindings == [])
        }
    }

    @Test func states() {
        var r = compiled(#"state = "LIVE""#, .modelArtifact)
        #expect(r?.sql == "e.state = ?")
        #expect(r?.bindings == [.integer(2)])
        r = compiled(#"state IN ("UNKNOWN", "REFERENCE", "nope", "3")"#, .docArtifact)
        #expect(r?.bindings == [.integer(0), .integer(6), .integer(-1), .integer(3)])
        r = compiled(#"lastKnownState != "CANCELED""#, .serveModel)
        #expect(r?.sql == "e.last_known_state <> ?")
        #expect(r?.bindings == [.integer(6)])
        r = compiled(#"state LIKE "%ENC%""#, .metric)
        #expect(r?.sql == "(CASE e.state WHEN 0 THEN 'UNKNOWN' WHEN 1 THEN 'PENDING' WHEN 2 THEN 'LIVE'"
                + " WHEN 3 THEN 'MARKED_FOR_DELETION' WHEN 4 THEN 'DELETED' WHEN 5 THEN 'ABANDONED'"
                + " WHEN 6 THEN 'REFERENCE' END) GLOB ?")
        // Context states are plain string properties.
        r = compiled(#"state = "ARCHIVED""#, .modelVersion)
        #expect(r?.bindings == [.text("state"), .text("ARCHIVED")])
    }

    @Test func typeMismatches() {
        #expect(mismatch(#"enabled.bool_value = "yes""#, .registeredModel)?.position == 1)
        #expect(mismatch(#"a = 1 AND name LIKE true"#, .registeredModel)?.position == 11)
        #expect(mismatch("state = true", .modelArtifact) != nil)
        #expect(mismatch("lastKnownState IN (1, false)", .serveModel) != nil)
        #expect(mismatch("flag.bool_value LIKE 't%'", .registeredModel) != nil)
        // Comparable after conversion: no error.
        #expect(compiled(#"flag.bool_value = "TRUE""#, .registeredModel)?.bindings == [.text("flag"), .integer(1)])
        #expect(compiled("flag.bool_value = 0", .registeredModel)?.bindings == [.text("flag"), .integer(0)])
    }

    @Test func combinations() {
        let r = compiled(#"(name = "a" OR owner = "b") AND id > 1"#, .experiment)
        #expect(r?.sql == "((e.name = ? OR " + contextProperty
                + " AND p.is_custom_property = 0 AND p.string_value = ?)) AND e.id > ?)")
        #expect(r?.bindings == [.text("a"), .text("owner"), .text("b"), .integer(1)])
    }

    @Test func aliasesAndTargets() {
        let r = compiled("id = 1 AND x = 'y'", FilterTarget.modelVersion.aliased("ctx"))
        #expect(r?.sql == "(ctx.id = ? AND EXISTS (SELECT 1 FROM ContextProperty p"
                + " WHERE p.context_id = ctx.id AND p.name = ? AND p.string_value = ?))")
        #expect(FilterTarget.forArtifactType(nil)?.restName == "ModelArtifact")
        #expect(FilterTarget.forArtifactType("")?.restName == "ModelArtifact")
        #expect(FilterTarget.forArtifactType("metric")?.restName == "Metric")
        #expect(FilterTarget.forArtifactType("dataset-artifact")?.restName == "DataSet")
        #expect(FilterTarget.forArtifactType("doc-artifact")?.restName == "DocArtifact")
        #expect(FilterTarget.forArtifactType("parameter")?.restName == "Parameter")
        #expect(FilterTarget.forArtifactType("model-artifact")?.restName == "ModelArtifact")
        #expect(FilterTarget.forArtifactType("bogus") == nil)
        #expect(FilterTarget.metricHistory.restName == "Metric")
        let top = [FilterTarget.registeredModel, .servingEnvironment, .experiment]
        #expect(top.allSatisfy { !$0.prefixedNames && $0.entity == .context })
        let children = [FilterTarget.modelVersion, .inferenceService, .experimentRun, .serveModel,
                        .modelArtifact, .docArtifact, .dataSet, .metric, .parameter]
        #expect(children.allSatisfy { $0.prefixedNames })
        #expect(FilterTarget.serveModel.propertyTable == "ExecutionProperty")
        #expect(FilterTarget.dataSet.propertyForeignKey == "artifact_id")
    }

    /// Hostile or odd text that compiles must reach SQL only through bindings.
    @Test(arguments: [
        #"name = "x'; DROP TABLE Context; --""#,
        #"name = "x\" OR 1=1 --""#,
        #"`p.name = p.name) OR (1` = 1"#,
        #"`e.id; DELETE FROM Context` IN ('a', "b\"c")"#,
        #"name LIKE "%'; SELECT sqlite_version(); --%""#,
        "description = 'UNION SELECT * FROM Artifact'",
        "`😀\u{202E}evil` = '\u{0}NUL'",
        "`?` = '?'",
        #"state ILIKE "%) OR (1=1""#,
        "`sql` = 'END) GLOB'",
    ])
    func userTextOnlyInBindings(_ text: String) throws {
        let parsed = try #require(try FilterParser.parse(text))
        let userTexts = userStrings(parsed).filter { $0.count >= 3 }
        for target in [FilterTarget.registeredModel, .modelVersion, .modelArtifact, .serveModel] {
            let r = try FilterCompiler.compile(parsed, for: target)
            for user in userTexts {
                #expect(!r.sql.contains(user), "\(user) leaked into \(r.sql)")
            }
            #expect(!r.sql.contains("DROP") && !r.sql.contains("UNION") && !r.sql.contains("DELETE FROM"))
            #expect(r.sql.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 })
            // Placeholders are the only "?" in the SQL text.
            #expect(r.sql.filter { $0 == "?" }.count == r.bindings.count)
        }
    }
}

private func userStrings(_ e: FilterExpression) -> [String] {
    switch e {
    case .and(let l, let r), .or(let l, let r): return userStrings(l) + userStrings(r)
    case .comparison(let c):
        var texts = c.property.isQuoted ? [c.property.name] : []
        let literals: [FilterLiteral]
        switch c.value {
        case .single(let v): literals = [v]
        case .list(let vs): literals = vs
        }
        for case .string(let s) in literals { texts.append(s) }
        return texts
    }
}
