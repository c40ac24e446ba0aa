import MLMD

/// What a column holds, deciding how a literal is bound. Conversions never yield a value
/// SQLite would reject; a literal that cannot be compared at all throws a type mismatch.
enum FilterValueDomain {
    case integer
    case real
    case text
    case boolean
    /// An integer enum column; the filter names values by their enum names.
    case state([String])

    /// nil means "not comparable"; the caller reports the type mismatch with a position.
    func bind(_ literal: FilterLiteral) -> SQLValue? {
        switch (self, literal) {
        case (_, .bool(let b)):
            if case .state = self { return nil }
            return .integer(b ? 1 : 0)
        case (.integer, .int(let v)), (.boolean, .int(let v)), (.state, .int(let v)):
            return .integer(v)
        case (.real, .int(let v)):
            return .double(Double(v))
        case (.integer, .double(let v)), (.real, .double(let v)), (.boolean, .double(let v)),
             (.state, .double(let v)):
            return .double(v)
        case (.text, .int(let v)):
            return .text(String(v))
        case (.text, .double(let v)):
            return .text(String(v))
        case (.text, .string(let s)):
            return .text(s)
        case (.integer, .string(let s)), (.real, .string(let s)):
            // Quoted numbers (`experimentId = "12"`) compare as numbers; anything else as text.
            return Self.number(s) ?? .text(s)
        case (.boolean, .string(let s)):
            switch s.lowercased() {
            case "true": return .integer(1)
            case "false": return .integer(0)
            default: return Int64(s).map { .integer($0) }
            }
        case (.state(let names), .string(let s)):
            // Unknown names become -1 and match nothing, as upstream.
            if let code = names.firstIndex(of: s) { return .integer(Int64(code)) }
            return .integer(Int64(s) ?? -1)
        }
    }

    /// A decimal integer or finite decimal float written as text; no hex, inf or nan.
    static func number(_ text: String) -> SQLValue? {
        if let v = Int64(text) { return .integer(v) }
        let decimal = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ($0 >= "0" && $0 <= "9") || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-"
        }
        guard decimal, let v = Double(text), v.isFinite else { return nil }
        return .double(v)
    }
}
