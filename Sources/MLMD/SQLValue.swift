/// A value bound to, or read from, an SQLite statement. Every piece of user input reaches SQL
/// only as one of these, never spliced into SQL text.
public enum SQLValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .double(let v): return String(v)
        case .text(let v): return "'\(v)'"
        case .blob(let v): return "<blob \(v.count) bytes>"
        }
    }
}
