/// The parsed form of a `filterQuery` (grammar: upstream-semantics §10.1).
/// AND and OR are binary and left-associative, exactly as written: `a OR b OR c` is
/// `.or(.or(a, b), c)`.
public indirect enum FilterExpression: Equatable, Sendable, CustomStringConvertible {
    case or(FilterExpression, FilterExpression)
    case and(FilterExpression, FilterExpression)
    case comparison(FilterComparison)

    /// A canonical, fully parenthesised rendering, e.g. `((a = "x" AND b > 1) OR c IN (1, 2))`.
    public var description: String {
        switch self {
        case .or(let l, let r): return "(\(l) OR \(r))"
        case .and(let l, let r): return "(\(l) AND \(r))"
        case .comparison(let c): return c.description
        }
    }
}

/// `property OP value`. `position` is the 1-based character position of the property.
public struct FilterComparison: Equatable, Sendable, CustomStringConvertible {
    public var property: FilterProperty
    public var op: FilterOperator
    public var value: FilterValue
    public var position: Int

    public init(property: FilterProperty, op: FilterOperator, value: FilterValue, position: Int) {
        self.property = property
        self.op = op
        self.value = value
        self.position = position
    }

    public var description: String { "\(property) \(op.rawValue) \(value)" }
}

/// A property reference. `name` is the full name with any type suffix removed (dots kept:
/// `mlflow.source.type`); `valueType` is the explicit `.int_value`-style suffix if any.
public struct FilterProperty: Equatable, Sendable, CustomStringConvertible {
    public var name: String
    public var valueType: FilterValueType?
    /// Written as a backquoted identifier.
    public var isQuoted: Bool

    public init(name: String, valueType: FilterValueType? = nil, isQuoted: Bool = false) {
        self.name = name
        self.valueType = valueType
        self.isQuoted = isQuoted
    }

    public var description: String {
        var text = name
        if isQuoted {
            var escaped = ""
            for ch in name.unicodeScalars {
                if ch == "`" || ch == "\\" { escaped.append("\\") }
                escaped.unicodeScalars.append(ch)
            }
            text = "`\(escaped)`"
        }
        if let valueType { text += "." + valueType.rawValue }
        return text
    }
}

/// The explicit type suffix of a property; the raw value is the MLMD property column.
public enum FilterValueType: String, Equatable, Sendable, CaseIterable {
    case stringValue = "string_value"
    case intValue = "int_value"
    case doubleValue = "double_value"
    case boolValue = "bool_value"
}

/// Comparison operators. `<>` is parsed as `.notEqual`.
public enum FilterOperator: String, Equatable, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case like = "LIKE"
    case ilike = "ILIKE"
    case `in` = "IN"
}

/// A single literal value.
public enum FilterLiteral: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let s):
            var out = "\""
            for ch in s.unicodeScalars {
                if ch == "\"" || ch == "\\" { out.append("\\") }
                out.unicodeScalars.append(ch)
            }
            return out + "\""
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        }
    }
}

/// The right-hand side: a literal, or the (possibly empty) list of an `IN`.
/// The parser guarantees `.list` exactly when the operator is `IN`.
public enum FilterValue: Equatable, Sendable, CustomStringConvertible {
    case single(FilterLiteral)
    case list([FilterLiteral])

    public var description: String {
        switch self {
        case .single(let v): return v.description
        case .list(let vs): return "(" + vs.map(\.description).joined(separator: ", ") + ")"
        }
    }
}
