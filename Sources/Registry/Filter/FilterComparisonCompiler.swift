import MLMD

/// Compiles one `property OP value` for a target (the rules are listed on `FilterCompiler`).
struct ComparisonCompiler {
    let comparison: FilterComparison
    let target: FilterTarget

    private var op: FilterOperator { comparison.op }
    private var isPattern: Bool { op == .like || op == .ilike }
    private var mismatch: FilterError { .typeMismatch(at: comparison.position) }

    private var literals: [FilterLiteral] {
        switch comparison.value {
        case .single(let v): return [v]
        case .list(let vs): return vs
        }
    }

    func compile() throws -> FilterFragment {
        if case .list(let items) = comparison.value, items.isEmpty { return FilterFragment("1 = 0") }
        let property = comparison.property
        switch target.fields[property.name] {
        case .column(let column, let kind)?:
            // A type suffix on an entity column is ignored, as upstream.
            return try columnCondition(column, kind)
        case .property(let name, let kind, let custom)?:
            let valueKind = property.valueType.map(FilterPropertyKind.init) ?? kind
            return exists(name, custom: custom, try propertyCondition(valueKind))
        case nil:
            return exists(property.name, custom: nil, try customCondition())
        }
    }

    // MARK: index driver

    /// For `property = value` tested on a property row: the row's name, value column and bound
    /// value that the compiled condition requires some row of a matching entity to have (for a
    /// bare integer on a custom property, one of two columns). Columns, other operators,
    /// bools (too unselective) and integer strings (compared through CAST) have none.
    func propertyEquality() -> FilterIndexDriver? {
        guard op == .equal, case .single(let literal) = comparison.value else { return nil }
        let property = comparison.property
        switch target.fields[property.name] {
        case .column?:
            return nil
        case .property(let name, let declared, _)?:
            return indexDriver(name, property.valueType.map(FilterPropertyKind.init) ?? declared, literal)
        case nil:
            if let suffix = property.valueType {
                return indexDriver(property.name, FilterPropertyKind(suffix), literal)
            }
            // The column customCondition() picks for a single literal.
            switch literal {
            case .string: return indexDriver(property.name, .string, literal)
            case .double: return indexDriver(property.name, .double, literal)
            case .int:
                // `(int_value = ? OR double_value = ?)`.
                guard var driver = indexDriver(property.name, .int, literal),
                      let alternative = indexDriver(property.name, .double, literal) else { return nil }
                driver.alternative = (alternative.valueColumn, alternative.value)
                return driver
            case .bool: return nil
            }
        }
    }

    /// Binds the literal exactly as `propertyCondition` does, so both test the same rows.
    private func indexDriver(_ name: String, _ kind: FilterPropertyKind, _ literal: FilterLiteral) -> FilterIndexDriver? {
        let domain: FilterValueDomain
        switch kind {
        case .int: domain = .integer
        case .double: domain = .real
        case .string: domain = .text
        case .bool, .integerString: return nil
        }
        guard let value = domain.bind(literal) else { return nil }
        return FilterIndexDriver(propertyName: name, valueColumn: kind.column, value: value)
    }

    // MARK: entity columns

    private func columnCondition(_ column: String, _ kind: FilterColumnKind) throws -> FilterFragment {
        let ref = "\(target.alias).\(column)"
        switch kind {
        case .integer:
            return isPattern ? try pattern(ref) : try compare(ref, .integer)
        case .text:
            return isPattern ? try pattern(ref) : try compare(ref, .text)
        case .name:
            if isPattern { return try pattern(ref, childName: target.prefixedNames) }
            // The stored child name minus everything up to the first ":" (§2.4).
            let name = target.prefixedNames ? "substr(\(ref), instr(\(ref), ':') + 1)" : ref
            return try compare(name, .text)
        case .artifactState, .executionState:
            let names = kind == .artifactState ? FilterStateCodes.artifact : FilterStateCodes.execution
            if isPattern {
                // Patterns apply to the state's name, spelled out by a fixed CASE.
                let cases = names.enumerated().map { "WHEN \($0.offset) THEN '\($0.element)'" }
                return try pattern("(CASE \(ref) \(cases.joined(separator: " ")) END)")
            }
            return try compare(ref, .state(names))
        }
    }

    // MARK: properties

    /// `EXISTS` works unchanged inside OR and never multiplies outer rows.
    private func exists(_ name: String, custom: Bool?, _ condition: FilterFragment) -> FilterFragment {
        var sql = "EXISTS (SELECT 1 FROM \(target.propertyTable) p"
            + " WHERE p.\(target.propertyForeignKey) = \(target.alias).id AND p.name = ?"
        if let custom { sql += " AND p.is_custom_property = \(custom ? 1 : 0)" }
        sql += " AND \(condition.sql))"
        return FilterFragment(sql, [.text(name)] + condition.bindings)
    }

    private func propertyCondition(_ kind: FilterPropertyKind) throws -> FilterFragment {
        let column = "p.\(kind.column)"
        if isPattern {
            guard kind != .bool else { throw mismatch }
            return try pattern(column)
        }
        switch kind {
        case .int: return try compare(column, .integer)
        case .double: return try compare(column, .real)
        case .string: return try compare(column, .text)
        case .bool: return try compare(column, .boolean)
        case .integerString:
            // Numeric values compare numerically (text order breaks for unequal lengths).
            let numeric = literals.allSatisfy {
                if case .string(let s) = $0 { return FilterValueDomain.number(s) != nil }
                if case .bool = $0 { return false }
                return true
            }
            return numeric ? try compare("CAST(\(column) AS REAL)", .integer) : try compare(column, .text)
        }
    }

    private func customCondition() throws -> FilterFragment {
        if let suffix = comparison.property.valueType {
            return try propertyCondition(FilterPropertyKind(suffix))
        }
        if isPattern { return try pattern("p.string_value") }
        let values = literals
        if values.allSatisfy({ if case .int = $0 { return true }; return false }) {
            // An integer may be stored as either number type.
            let asInt = try compare("p.int_value", .integer)
            let asDouble = try compare("p.double_value", .real)
            return FilterFragment("(\(asInt.sql) OR \(asDouble.sql))", asInt.bindings + asDouble.bindings)
        }
        if values.allSatisfy({ if case .string = $0 { return false }; if case .bool = $0 { return false }; return true }) {
            return try propertyCondition(.double)
        }
        if values.allSatisfy({ if case .bool = $0 { return true }; return false }) {
            return try propertyCondition(.bool)
        }
        return try propertyCondition(.string)
    }

    // MARK: operators

    private func compare(_ expression: String, _ domain: FilterValueDomain) throws -> FilterFragment {
        let bindings = try literals.map { literal -> SQLValue in
            guard let value = domain.bind(literal) else { throw mismatch }
            return value
        }
        if op == .in {
            let marks = Array(repeating: "?", count: bindings.count).joined(separator: ", ")
            return FilterFragment("\(expression) IN (\(marks))", bindings)
        }
        let symbol: String
        switch op {
        case .equal: symbol = "="
        case .notEqual: symbol = "<>"
        case .less: symbol = "<"
        case .lessOrEqual: symbol = "<="
        case .greater: symbol = ">"
        case .greaterOrEqual: symbol = ">="
        case .like, .ilike, .in: throw mismatch  // routed elsewhere
        }
        return FilterFragment("\(expression) \(symbol) ?", bindings)
    }

    private func pattern(_ expression: String, childName: Bool = false) throws -> FilterFragment {
        let raw: String
        switch literals.first {
        case .string(let s)?: raw = s
        case .int(let v)?: raw = String(v)
        case .double(let v)?: raw = String(v)
        case .bool?, nil: throw mismatch
        }
        var pattern = FilterPattern(raw)
        if childName && !raw.hasPrefix("%") && !raw.contains(":") {
            pattern = pattern.afterAnyPrefix()
        }
        if op == .like {
            return FilterFragment("\(expression) GLOB ?", [.text(pattern.glob)])
        }
        return FilterFragment("\(expression) LIKE ? ESCAPE '\\'", [.text(pattern.like)])
    }
}
