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

    /// A property equality every entity matching the filter must satisfy (one of the terms
    /// of its top-level AND), if there is one: a list can then walk the property table's
    /// `(name, value, owner)` index in owner-id order instead of testing every entity.
    public static func indexDriver(_ filter: FilterExpression, for target: FilterTarget) -> FilterIndexDriver? {
        switch filter {
        case .and(let l, let r): return indexDriver(l, for: target) ?? indexDriver(r, for: target)
        case .or: return nil
        case .comparison(let c): return ComparisonCompiler(comparison: c, target: target).propertyEquality()
        }
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

/// `<property table>.name = propertyName AND <property table>.<valueColumn> = value`: a
/// necessary condition of a filter, usable as an index range (see `indexDriver`).
public struct FilterIndexDriver: Sendable {
    public var propertyName: String
    /// `int_value`, `double_value` or `string_value`.
    public var valueColumn: String
    public var value: SQLValue
    /// When set, the condition is `valueColumn = value OR alternative.column = alternative.value`
    /// (a bare integer on a custom property): one index range covers it only when the property
    /// has no rows with a value in the other column, which the caller checks.
    public var alternative: (column: String, value: SQLValue)?
}
