import MLMD

/// Compiles a parsed filter into a parameterised SQL boolean expression over the target's
/// entity row, e.g. `FROM Context e WHERE e.type_id = ? AND (<sql>)`. The SQL text holds only
/// fixed fragments, the target's alias and column names, and `?`; every user string, number
/// and property name is a binding.
///
/// Semantics chosen where upstream (§10.3) is loose or database-dependent:
/// - `LIKE` is case-sensitive (SQLite `GLOB` on a translated pattern); `ILIKE` is
///   `LIKE ? ESCAPE '\'`, case-insensitive for ASCII only. On SQLite both would otherwise be
///   case-insensitive and indistinguishable. `\` escapes `%`/`_` in both, as on MySQL/Postgres.
/// - Every property test is an `EXISTS` subquery (upstream JOINs at top-level AND and uses
///   EXISTS inside OR); one form is simpler and the rows matched are the same.
/// - Well-known properties check `is_custom_property` (0 for typed, 1 for the custom-stored
///   `experimentId`/`experimentRunId`) so a custom property named e.g. `state` cannot shadow
///   the typed one. Other names match on name only, as upstream does, so typed properties
///   outside the allow-list (`description`, `license`, …) stay filterable by stored name.
/// - Custom properties without a suffix pick the column from the literal: string →
///   `string_value`, float → `double_value`, bool → `bool_value`, integer → `int_value` or
///   `double_value`. `IN` lists infer the same way from their items (all integers → both
///   columns, all numbers → `double_value`, all bools → `bool_value`, otherwise
///   `string_value`); upstream always used `string_value`, so `x IN (1, 2)` never matched
///   an int property there.
/// - `name` on child entities: `=`, `!=`, `<`…, `IN` compare the name without its
///   `"<parentId>:"` prefix, exactly as GET returns it (upstream's `LIKE '%:v1'` also matched
///   `"1:model:v1"` and ignored case); `LIKE`/`ILIKE` follow upstream: a pattern not starting
///   with `%` and without `:` gets `%:` prepended and is matched against the stored name.
public enum FilterCompiler {
    /// Throws `FilterError` (kind `.typeMismatch`) for comparisons that cannot be made.
    public static func compile(_ filter: FilterExpression, for target: FilterTarget) throws
        -> (sql: String, bindings: [SQLValue]) {
        let fragment = try emit(filter, target)
        return (fragment.sql, fragment.bindings)
    }

    /// Parses and compiles; nil for an empty or blank filter.
    public static func compile(query: String, for target: FilterTarget,
                               limits: FilterLimits = FilterLimits()) throws
        -> (sql: String, bindings: [SQLValue])? {
        guard let filter = try FilterParser.parse(query, limits: limits) else { return nil }
        return try compile(filter, for: target)
    }

    private static func emit(_ expression: FilterExpression, _ target: FilterTarget) throws -> FilterFragment {
        switch expression {
        case .and(let l, let r): return try join(l, "AND", r, target)
        case .or(let l, let r): return try join(l, "OR", r, target)
        case .comparison(let c): return try ComparisonCompiler(comparison: c, target: target).compile()
        }
    }

    private static func join(_ l: FilterExpression, _ op: String, _ r: FilterExpression,
                             _ target: FilterTarget) throws -> FilterFragment {
        let left = try emit(l, target)
        let right = try emit(r, target)
        return FilterFragment("(\(left.sql) \(op) \(right.sql))", left.bindings + right.bindings)
    }
}

struct FilterFragment {
    var sql: String
    var bindings: [SQLValue]

    init(_ sql: String, _ bindings: [SQLValue] = []) {
        self.sql = sql
        self.bindings = bindings
    }
}
