/// Recursive-descent parser for `filterQuery` (§10.1):
///
///     or         := and ( OR and )*
///     and        := term ( AND term )*
///     term       := "(" or ")" | comparison
///     comparison := property OP value
///
/// Recursion only happens at "(", which is bounded by `FilterLimits.maxDepth`, so hostile
/// input cannot overflow the stack.
public struct FilterParser {
    private let source: [Unicode.Scalar]
    private let limits: FilterLimits
    private var lexer: FilterLexer
    private var current: FilterToken
    private var depth = 0
    private var comparisons = 0

    /// Parses a filter. Returns nil for an empty or blank filter (no filtering); a filter
    /// holding only a `--` comment is a syntax error, as upstream.
    /// Throws `FilterError` (kind `.syntax`) with a 1-based position.
    public static func parse(_ text: String, limits: FilterLimits = FilterLimits()) throws -> FilterExpression? {
        var source: [Unicode.Scalar] = []
        source.reserveCapacity(min(text.utf8.count, limits.maxLength + 1))
        for scalar in text.unicodeScalars {
            if source.count == limits.maxLength {
                throw FilterError.syntax("filter is longer than \(limits.maxLength) characters",
                                         at: limits.maxLength + 1)
            }
            source.append(scalar)
        }
        if source.allSatisfy(FilterLexer.isSpace) { return nil }

        var parser = try FilterParser(source: source, limits: limits)
        let expression = try parser.parseOr()
        if parser.current.kind != .end {
            throw parser.unexpected(expecting: "AND, OR or end of input")
        }
        return expression
    }

    /// Tokens are read on demand, so the first error in reading order is the one reported.
    private init(source: [Unicode.Scalar], limits: FilterLimits) throws {
        self.source = source
        self.limits = limits
        lexer = FilterLexer(source)
        current = try lexer.next()
    }

    @discardableResult
    private mutating func advance() throws -> FilterToken {
        let token = current
        if token.kind != .end { current = try lexer.next() }
        return token
    }

    private func isKeyword(_ keyword: String) -> Bool {
        if case .word(let w) = current.kind { return w.uppercased() == keyword }
        return false
    }

    // MARK: expressions

    private mutating func parseOr() throws -> FilterExpression {
        var left = try parseAnd()
        while isKeyword("OR") {
            try advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws -> FilterExpression {
        var left = try parseTerm()
        while isKeyword("AND") {
            try advance()
            left = .and(left, try parseTerm())
        }
        return left
    }

    private mutating func parseTerm() throws -> FilterExpression {
        guard current.kind == .leftParen else { return try parseComparison() }
        depth += 1
        if depth > limits.maxDepth {
            throw FilterError.syntax("parentheses nested deeper than \(limits.maxDepth) levels",
                                     at: current.position)
        }
        try advance()
        let inner = try parseOr()
        guard current.kind == .rightParen else { throw unexpected(expecting: "\")\"") }
        try advance()
        depth -= 1
        return inner
    }

    private mutating func parseComparison() throws -> FilterExpression {
        let position = current.position
        comparisons += 1
        if comparisons > limits.maxComparisons {
            throw FilterError.syntax("more than \(limits.maxComparisons) comparisons", at: position)
        }
        let property = try parseProperty()
        let op = try parseOperator()
        let value: FilterValue = op == .in ? .list(try parseList()) : .single(try parseLiteral())
        return .comparison(FilterComparison(property: property, op: op, value: value, position: position))
    }

    // MARK: comparison parts

    /// `Ident ("." Ident)*` with an optional trailing type suffix, or a backquoted name
    /// (taken literally, never split on dots) with an optional suffix.
    private mutating func parseProperty() throws -> FilterProperty {
        switch current.kind {
        case .quotedIdentifier(let name):
            let token = try advance()
            guard !name.isEmpty else { throw FilterError.syntax("empty quoted identifier", at: token.position) }
            var valueType: FilterValueType?
            if current.kind == .dot {
                try advance()
                guard case .word(let w) = current.kind, let suffix = Self.valueType(w) else {
                    throw unexpected(expecting: "a type suffix (string_value, int_value, double_value, bool_value)")
                }
                try advance()
                valueType = suffix
            }
            return FilterProperty(name: name, valueType: valueType, isQuoted: true)
        case .word(let first):
            try advance()
            var parts = [first]
            while current.kind == .dot {
                try advance()
                guard case .word(let w) = current.kind else { throw unexpected(expecting: "an identifier after \".\"") }
                try advance()
                parts.append(w)
            }
            var valueType: FilterValueType?
            if parts.count > 1, let suffix = Self.valueType(parts[parts.count - 1]) {
                parts.removeLast()
                valueType = suffix
            }
            return FilterProperty(name: parts.joined(separator: "."), valueType: valueType)
        default:
            throw unexpected(expecting: "a property name")
        }
    }

    private static func valueType(_ word: String) -> FilterValueType? {
        FilterValueType(rawValue: word.lowercased())
    }

    private mutating func parseOperator() throws -> FilterOperator {
        let op: FilterOperator?
        switch current.kind {
        case .op(let symbol): op = symbol == "<>" ? .notEqual : FilterOperator(rawValue: symbol)
        case .word(let w): op = ["LIKE": .like, "ILIKE": .ilike, "IN": .in][w.uppercased()]
        default: op = nil
        }
        guard let op else {
            throw unexpected(expecting: "a comparison operator (=, !=, <>, <, <=, >, >=, LIKE, ILIKE, IN)")
        }
        try advance()
        return op
    }

    private mutating func parseList() throws -> [FilterLiteral] {
        guard current.kind == .leftParen else { throw unexpected(expecting: "\"(\" after IN") }
        try advance()
        var items: [FilterLiteral] = []
        if current.kind == .rightParen {
            try advance()
            return items
        }
        while true {
            if items.count == limits.maxListItems {
                throw FilterError.syntax("IN list has more than \(limits.maxListItems) values", at: current.position)
            }
            items.append(try parseLiteral())
            switch current.kind {
            case .comma: try advance()
            case .rightParen: try advance(); return items
            default: throw unexpected(expecting: "\",\" or \")\"")
            }
        }
    }

    private mutating func parseLiteral() throws -> FilterLiteral {
        let literal: FilterLiteral
        switch current.kind {
        case .string(let s): literal = .string(s)
        case .integer(let v): literal = .int(v)
        case .float(let v): literal = .double(v)
        case .word(let w) where w.lowercased() == "true": literal = .bool(true)
        case .word(let w) where w.lowercased() == "false": literal = .bool(false)
        case .word:
            throw unexpected(expecting: "a value", hint: FilterError.quotingHint)
        case .leftParen:
            throw unexpected(expecting: "a value (a parenthesised list is only allowed after IN)")
        default:
            throw unexpected(expecting: "a value")
        }
        try advance()
        return literal
    }

    // MARK: errors

    private func unexpected(expecting: String, hint: String? = nil) -> FilterError {
        let token = current
        let found: String
        switch token.kind {
        case .end:
            found = "unexpected end of input"
        case .word:
            found = "unexpected word " + FilterLexer.show(text(of: token))
        default:
            found = "unexpected " + FilterLexer.show(text(of: token))
        }
        return FilterError.syntax(found, at: token.position, expected: expecting, hint: hint)
    }

    private func text(of token: FilterToken) -> String {
        let start = token.position - 1
        var view = String.UnicodeScalarView()
        view.append(contentsOf: source[start..<min(source.count, start + token.length)])
        return String(view)
    }
}
