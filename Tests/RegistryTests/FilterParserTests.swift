import Testing
@testable import Registry

/// Parses and returns the canonical rendering, failing the test on error or nil.
private func canonical(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
        guard let expression = try FilterParser.parse(text) else {
            Issue.record("parsed to nil: \(text)", sourceLocation: sourceLocation)
            return nil
        }
        return expression.description
    } catch {
        Issue.record("\(text) → \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

private func syntaxError(_ text: String, limits: FilterLimits = FilterLimits()) -> FilterError? {
    do {
        let parsed = try FilterParser.parse(text, limits: limits)
        Issue.record("expected an error, got \(String(describing: parsed))")
        return nil
    } catch let error as FilterError {
        #expect(error.kind == .syntax)
        #expect(error.message.hasPrefix("invalid filter query syntax: "))
        return error
    } catch {
        Issue.record("unexpected error type \(error)")
        return nil
    }
}

private func single(_ text: String) throws -> FilterComparison {
    guard case .comparison(let c)? = try FilterParser.parse(text) else {
        throw FilterError(kind: .syntax, position: 0, message: "not a single comparison: \(text)")
    }
    return c
}

@Suite struct FilterParserTests {
    static let upstreamExamples = [
        #"name = "pytorch-model-version""#, #"framework = "tensorflow""#, "epoch_count >= 50",
        "accuracy > 0.9", #"state = "LIVE""#, "state = 'ARCHIVED'",
        #"framework = "pytorch" AND accuracy > 0.9"#,
        #"framework = "pytorch" OR framework = "sklearn""#, #"name ILIKE "%model%""#,
        #"(framework = "pytorch" OR framework = "tensorflow") AND epoch_count > 40"#,
        #"author = "data-scientist-1""#, #"status = "COMPLETED""#, "learning_rate <= 0.01",
        "startTimeSinceEpoch >= '1700010000'", "stage = 'production'", "team = 'research'",
        #"experimentId = "12""#, #"experimentRunId IN ("3", "7")"#, #"experimentId.int_value = "12""#,
        #"experimentId = "1" AND name LIKE "%model%""#, "budget.double_value > 12000",
        "priority.int_value <= 2", "enabled.bool_value = true", #"`mlflow.source.type` = "notebook""#,
        "`custom-metric` > 0.8", "id IN (200, 201)", #"name IN ("model-a", "model-b")"#,
        "experimentRunId IN ('11','14','15')", #"experimentRunId IN ('11') AND name LIKE "%accuracy%""#,
        #"experimentRunId IN ('11') AND name = "learning_rate""#,
        #"name = "my-model""#, "accuracy > 0.95", #"name LIKE "%tensorflow%""#,
        #"(name = "model-a" OR name = "model-b") AND state = "LIVE""#,
        #"framework.string_value = "pytorch""#,
    ]

    @Test(arguments: upstreamExamples)
    func upstreamExampleParses(_ text: String) throws {
        #expect(try FilterParser.parse(text) != nil)
    }

    @Test func upstreamInvalidExample() {
        let error = syntaxError("invalid syntax =")
        #expect(error?.position == 9)
        #expect(error?.message.contains("unexpected word \"syntax\"") == true)
    }

    @Test func emptyAndBlankMeanNoFilter() throws {
        for text in ["", " ", "\n\t  \r"] {
            #expect(try FilterParser.parse(text) == nil)
        }
    }

    @Test func andBindsTighterThanOr() {
        #expect(canonical("a = 1 OR b = 2 AND c = 3") == "(a = 1 OR (b = 2 AND c = 3))")
        #expect(canonical("a = 1 AND b = 2 OR c = 3") == "((a = 1 AND b = 2) OR c = 3)")
        #expect(canonical("a = 1 AND (b = 2 OR c = 3)") == "(a = 1 AND (b = 2 OR c = 3))")
    }

    @Test func chainsAreLeftAssociative() {
        #expect(canonical("a = 1 OR b = 2 OR c = 3") == "((a = 1 OR b = 2) OR c = 3)")
        #expect(canonical("a = 1 AND b = 2 AND c = 3") == "((a = 1 AND b = 2) AND c = 3)")
        #expect(canonical("((a = 1))") == "a = 1")
    }

    @Test func keywordsAreCaseInsensitive() {
        #expect(canonical("a = 1 and b like 'x' Or c iN (TRUE, False)")
                == #"((a = 1 AND b LIKE "x") OR c IN (true, false))"#)
    }

    @Test(arguments: [
        ("=", FilterOperator.equal), ("!=", .notEqual), ("<>", .notEqual), ("<", .less),
        ("<=", .lessOrEqual), (">", .greater), (">=", .greaterOrEqual), ("LIKE", .like),
        ("like", .like), ("ILIKE", .ilike), ("iLike", .ilike),
    ])
    func operators(_ spelling: String, _ op: FilterOperator) throws {
        let c = try single("x \(spelling) 'v'")
        #expect(c.op == op)
        #expect(c.value == .single(.string("v")))
        // No spaces needed around symbolic operators.
        if spelling.first?.isLetter == false {
            #expect(try single("x\(spelling)5").op == op)
        }
    }

    @Test func inLists() throws {
        #expect(try single("id IN ()").value == .list([]))
        #expect(try single("id in (1, -2.5, 'a', \"b\", true)").value
                == .list([.int(1), .double(-2.5), .string("a"), .string("b"), .bool(true)]))
        #expect(syntaxError("id IN (1, 2,)")?.position == 13)
        #expect(syntaxError("id IN (1 2)")?.position == 10)
        #expect(syntaxError("id IN 1")?.position == 7)
        #expect(syntaxError("id = (1, 2)")?.position == 6)
        #expect(syntaxError("id IN (1, 2")?.position == 12)
    }

    @Test func literals() throws {
        #expect(try single("x = 42").value == .single(.int(42)))
        #expect(try single("x = -42").value == .single(.int(-42)))
        #expect(try single("x = +7").value == .single(.int(7)))
        #expect(try single("x = 1.5").value == .single(.double(1.5)))
        #expect(try single("x = .5").value == .single(.double(0.5)))
        #expect(try single("x = -.5e3").value == .single(.double(-500)))
        #expect(try single("x = 1e3").value == .single(.double(1000)))
        #expect(try single("x = 2E-2").value == .single(.double(0.02)))
        #expect(try single("x = TRUE").value == .single(.bool(true)))
        #expect(try single("x = fAlSe").value == .single(.bool(false)))
        #expect(try single("x = 9223372036854775807").value == .single(.int(Int64.max)))
        #expect(syntaxError("x = 9223372036854775808")?.position == 5)
        #expect(syntaxError("x = 1e999")?.position == 5)
        #expect(syntaxError("x = 1.")?.position == 6)  // Int 1, then a stray "."
    }

    @Test func stringEscapes() throws {
        #expect(try single(#"x = "a\"b""#).value == .single(.string(#"a"b"#)))
        #expect(try single(#"x = 'it\'s'"#).value == .single(.string("it's")))
        #expect(try single(#"x = "back\\slash""#).value == .single(.string(#"back\slash"#)))
        #expect(try single(#"x = "mixed 'quotes'""#).value == .single(.string("mixed 'quotes'")))
        // Other escapes keep their backslash (a LIKE pattern needs `\%` intact).
        #expect(try single(#"x = "50\%\n""#).value == .single(.string(#"50\%\n"#)))
        #expect(try single(#"x = """#).value == .single(.string("")))
        #expect(try single("x = 'a -- not a comment'").value == .single(.string("a -- not a comment")))
        // SQL-style doubled quotes are not an escape: '' ends the string.
        #expect(syntaxError("x = 'it''s'")?.position == 9)
    }

    @Test func propertiesAndSuffixes() throws {
        var c = try single("budget.double_value > 12000")
        #expect(c.property == FilterProperty(name: "budget", valueType: .doubleValue))
        c = try single("a.b.c.INT_VALUE = 1")
        #expect(c.property == FilterProperty(name: "a.b.c", valueType: .intValue))
        c = try single("mlflow.source.type = 'x'")
        #expect(c.property == FilterProperty(name: "mlflow.source.type"))
        c = try single("string_value = 'x'")  // a lone suffix word is just a name
        #expect(c.property == FilterProperty(name: "string_value"))
        c = try single("a.string_value.b = 'x'")
        #expect(c.property == FilterProperty(name: "a.string_value.b"))
        c = try single("_x9 = 1")
        #expect(c.property.name == "_x9")
        #expect(syntaxError("a. = 1")?.position == 4)
        #expect(syntaxError("a..b = 1")?.position == 3)
    }

    @Test func backquotedIdentifiers() throws {
        var c = try single(#"`mlflow.source.type` = "notebook""#)
        #expect(c.property == FilterProperty(name: "mlflow.source.type", isQuoted: true))
        c = try single("`custom-metric`.double_value > 0.8")
        #expect(c.property == FilterProperty(name: "custom-metric", valueType: .doubleValue, isQuoted: true))
        c = try single(#"`a\`b\\c\.d` = 1"#)
        #expect(c.property.name == #"a`b\c.d"#)
        c = try single("`a.int_value` = 1")  // backquoted names are never split
        #expect(c.property == FilterProperty(name: "a.int_value", isQuoted: true))
        c = try single("`🚀 launch` = '🔥'")
        #expect(c.property.name == "🚀 launch")
        #expect(syntaxError("`` = 1")?.position == 1)
        #expect(syntaxError("`a`.b = 1")?.position == 5)
        #expect(syntaxError("`unterminated = 1")?.position == 1)
    }

    @Test func comments() {
        #expect(canonical("a = 1 -- the rest is ignored OR b = 2") == "a = 1")
        #expect(canonical("a = 1 -- first line\nAND b = 2") == "(a = 1 AND b = 2)")
        #expect(canonical("-- leading\r\na=1--trailing") == "a = 1")
        #expect(syntaxError("-- only a comment")?.position == 18)
    }

    @Test func positionsAndHints() {
        var e = syntaxError(#"name = foo"#)
        #expect(e?.position == 8)
        #expect(e?.message == #"invalid filter query syntax: unexpected word "foo" at position 8, expected a value. String values must be quoted (e.g. name = "value")"#)
        e = syntaxError("name = ")
        #expect(e?.position == 8)
        #expect(e?.message.contains("unexpected end of input") == true)
        #expect(e?.message.contains("String values must be quoted") == false)
        e = syntaxError(#"name = "abc"#)
        #expect(e?.position == 8)
        #expect(e?.message.contains("unterminated string literal") == true)
        #expect(syntaxError(#"(name = "x""#)?.position == 12)
        #expect(syntaxError(#"name = "x")"#)?.position == 11)
        #expect(syntaxError(#"name = "x" AND"#)?.position == 15)
        #expect(syntaxError(#"name = "x" name = "y""#)?.position == 12)
    }

    @Test func hostileInputs() {
        #expect(syntaxError("'; DROP TABLE Context; --")?.position == 1)
        #expect(syntaxError("\"x\"; DROP TABLE Context; --")?.position == 1)
        #expect(syntaxError(#"name = "x"; DROP TABLE Context; --"#)?.position == 11)
        #expect(syntaxError("1=1 OR 1=1")?.position == 1)
        #expect(syntaxError(#"name = "x" UNION SELECT * FROM Context"#)?.position == 12)
        #expect(syntaxError(#"name = "x" OR 1=1"#)?.position == 15)
        #expect(syntaxError(#"name == "x""#)?.position == 7)
        #expect(syntaxError(#"name ~ "x""#)?.position == 6)
        #expect(syntaxError(#"name NOT LIKE "x""#)?.position == 6)
        #expect(syntaxError("name IS NULL")?.position == 6)
        #expect(syntaxError("a BETWEEN 1 AND 2")?.position == 3)
        #expect(syntaxError("lower(name) = 'x'")?.position == 6)
        #expect(syntaxError("a = 1 + 2")?.position == 7)
        #expect(syntaxError("a = 1; b = 2")?.position == 6)
        #expect(syntaxError("a = 1 /* c */")?.position == 7)
        #expect(syntaxError("a = - 1")?.position == 5)
    }

    @Test func unicodeInput() throws {
        #expect(try single("x = '😀 עברית \u{202E}rtl'").value == .single(.string("😀 עברית \u{202E}rtl")))
        #expect(try single("x = 'nul\u{0}byte'").value == .single(.string("nul\u{0}byte")))
        // Non-ASCII letters are not identifier characters.
        #expect(syntaxError("naïve = 1")?.position == 3)
        // Positions count Unicode scalars: the backquoted emoji is one.
        #expect(syntaxError("`🚀` = foo")?.position == 7)
        // A combining mark cannot merge with the closing quote and hide it.
        #expect(syntaxError("x = \"a\"\u{301}")?.position == 8)
        // Control and bidi characters in messages are escaped, never echoed raw.
        let e = syntaxError("x = 1 \u{0}\u{202E}")
        #expect(e?.position == 7)
        #expect(e?.message.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 } == true)
        #expect(syntaxError("x\u{00A0}= 1")?.position == 2)
    }

    @Test func lengthLimit() {
        let long = "name = '" + String(repeating: "a", count: 100_000) + "'"
        let e = syntaxError(long)
        #expect(e?.position == 4097)
        #expect(e?.message.contains("longer than 4096") == true)
        let limit = "x = '" + String(repeating: "a", count: 4090) + "'"
        #expect(limit.unicodeScalars.count == 4096)
        #expect((try? FilterParser.parse(limit)) != nil)
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "(", count: 10_000) + "a = 1" + String(repeating: ")", count: 10_000)
        #expect(syntaxError(deep)?.position == 4097)  // the length limit comes first
        let relaxed = FilterLimits(maxLength: 100_000)
        let e = syntaxError(deep, limits: relaxed)
        #expect(e?.position == 33)
        #expect(e?.message.contains("nested deeper than 32") == true)
        let ok = String(repeating: "(", count: 32) + "a = 1" + String(repeating: ")", count: 32)
        #expect(try FilterParser.parse(ok) != nil)
        let unbalanced = String(repeating: "(", count: 20_000)
        #expect(syntaxError(unbalanced, limits: relaxed)?.position == 33)
    }

    @Test func comparisonAndListLimits() throws {
        let clauses = (1...64).map { "a\($0) = \($0)" }
        #expect(try FilterParser.parse(clauses.joined(separator: " AND ")) != nil)
        let tooMany = (clauses + ["z = 0"]).joined(separator: " OR ")
        let e = syntaxError(tooMany)
        #expect(e?.message.contains("more than 64 comparisons") == true)
        #expect(e?.position == tooMany.count - 4)
        let thousand = "x IN (" + Array(repeating: "1", count: 1000).joined(separator: ",") + ")"
        #expect(try FilterParser.parse(thousand) != nil)
        let over = "x IN (" + Array(repeating: "1", count: 1001).joined(separator: ",") + ")"
        #expect(syntaxError(over)?.position == over.count - 1)
    }

    @Test func randomInputNeverCrashes() {
        // Deterministic generator over the characters the lexer cares about.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func nextRandom() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let pieces = ["a", "name", " ", "=", "!=", "<>", "<", ">=", "(", ")", ",", ".", "'", "\"", "`", "\\",
                      "-", "--", "+", "1", "2.5", "e", "AND", "OR", "IN", "LIKE", "ILIKE", "true", "\n",
                      "int_value", "😀", "\u{0}", "\u{301}", "%", "_", ":", "é"]
        for _ in 0..<3000 {
            let text = (0..<(nextRandom() % 24)).map { _ in pieces[nextRandom() % pieces.count] }.joined()
            do {
                guard let parsed = try FilterParser.parse(text) else { continue }
                // The canonical rendering parses back to the same tree.
                let reparsed = try FilterParser.parse(parsed.description)
                #expect(reparsed.map(stripPositions) == stripPositions(parsed), "\(text)")
            } catch let error as FilterError {
                #expect(error.position >= 1 && error.position <= text.unicodeScalars.count + 1, "\(text)")
            } catch {
                Issue.record("unexpected error \(error) for \(text)")
            }
        }
    }
}

/// Positions differ between a source text and its canonical rendering.
func stripPositions(_ e: FilterExpression) -> FilterExpression {
    switch e {
    case .and(let l, let r): return .and(stripPositions(l), stripPositions(r))
    case .or(let l, let r): return .or(stripPositions(l), stripPositions(r))
    case .comparison(var c):
        c.position = 0
        return .comparison(c)
    }
}
