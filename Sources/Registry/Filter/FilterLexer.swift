/// One lexical token. `position` is 1-based and `length` counts Unicode scalars of the source.
struct FilterToken: Equatable {
    enum Kind: Equatable {
        case word(String)             // [a-zA-Z_][a-zA-Z0-9_]*, keywords included
        case quotedIdentifier(String) // `…`, unescaped
        case string(String)           // '…' or "…", unescaped
        case integer(Int64)
        case float(Double)
        case op(String)               // = != <> < <= > >=
        case leftParen, rightParen, comma, dot
        case end
    }

    let kind: Kind
    let position: Int
    let length: Int
}

/// Splits a filter into tokens, following the upstream lexer rules (§10.1). It works on
/// Unicode scalars, not Characters, so a combining mark after a quote cannot hide the quote.
struct FilterLexer {
    private let source: [Unicode.Scalar]
    private var index = 0

    init(_ source: [Unicode.Scalar]) {
        self.source = source
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}"
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    private static func isWordStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private static func isWordPart(_ c: Unicode.Scalar) -> Bool { isWordStart(c) || isDigit(c) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = index + offset
        return i < source.count ? source[i] : nil
    }

    mutating func next() throws -> FilterToken {
        skipSpaceAndComments()
        let start = index
        guard let c = peek() else { return FilterToken(kind: .end, position: start + 1, length: 0) }

        let kind: FilterToken.Kind
        if Self.isWordStart(c) {
            while let d = peek(), Self.isWordPart(d) { index += 1 }
            kind = .word(text(start..<index))
        } else if Self.isDigit(c) || ((c == "-" || c == "+" || c == ".") && startsNumber()) {
            kind = try number()
        } else if c == "'" || c == "\"" {
            kind = .string(try quoted(c, what: "string literal"))
        } else if c == "`" {
            kind = .quotedIdentifier(try quoted(c, what: "quoted identifier"))
        } else {
            kind = try punctuation(c)
        }
        return FilterToken(kind: kind, position: start + 1, length: index - start)
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if Self.isSpace(c) {
                index += 1
            } else if c == "-" && peek(1) == "-" {
                while let d = peek(), d != "\n" && d != "\r" { index += 1 }
            } else {
                return
            }
        }
    }

    /// Whether a sign or dot at the cursor begins a number (`-5`, `+.5`, `.5`).
    private func startsNumber() -> Bool {
        var i = 0
        if peek(i) == "-" || peek(i) == "+" { i += 1 }
        if let d = peek(i), Self.isDigit(d) { return true }
        if peek(i) == ".", let d = peek(i + 1), Self.isDigit(d) { return true }
        return false
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while let d = peek(), Self.isDigit(d) { index += 1 }
        return index - start
    }

    /// Upstream rules, tried in order: Float `[-+]?\d*\.\d+([eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+`,
    /// then Int `[-+]?\d+`. A trailing `.` or `e` not followed by digits is left unconsumed.
    private mutating func number() throws -> FilterToken.Kind {
        let start = index
        if peek() == "-" || peek() == "+" { index += 1 }
        let intDigits = skipDigits()
        var isFloat = false
        if peek() == ".", let d = peek(1), Self.isDigit(d) {
            index += 1
            _ = skipDigits()
            isFloat = true
        }
        if (isFloat || intDigits > 0), peek() == "e" || peek() == "E" {
            var i = 1
            if peek(i) == "-" || peek(i) == "+" { i += 1 }
            if let d = peek(i), Self.isDigit(d) {
                index += i
                _ = skipDigits()
                isFloat = true
            }
        }
        let literal = text(start..<index)
        if isFloat {
            guard let value = Double(literal), value.isFinite else {
                throw FilterError.syntax("number \(Self.show(literal)) is out of range", at: start + 1)
            }
            return .float(value)
        }
        guard let value = Int64(literal) else {
            throw FilterError.syntax("integer \(Self.show(literal)) is out of range", at: start + 1)
        }
        return .integer(value)
    }

    /// A quoted run; a backslash makes the next scalar literal. In backquoted identifiers any
    /// escape unescapes; in strings (like upstream) only `\"`, `\'` and `\\` do, so `\n` or a
    /// LIKE escape such as `\%` keeps its backslash.
    private mutating func quoted(_ quote: Unicode.Scalar, what: String) throws -> String {
        let start = index
        index += 1
        var value = String.UnicodeScalarView()
        while let c = peek() {
            index += 1
            if c == quote { return String(value) }
            if c == "\\" {
                guard let escaped = peek() else { break }
                index += 1
                let unescapes = quote == "`" || escaped == "\"" || escaped == "'" || escaped == "\\"
                if !unescapes { value.append(c) }
                value.append(escaped)
            } else {
                value.append(c)
            }
        }
        throw FilterError.syntax("unterminated \(what)", at: start + 1)
    }

    private mutating func punctuation(_ c: Unicode.Scalar) throws -> FilterToken.Kind {
        let two = peek(1).map { String(c) + String($0) }
        if let two, two == ">=" || two == "<=" || two == "!=" || two == "<>" {
            index += 2
            return .op(two)
        }
        index += 1
        switch c {
        case "=", "<", ">": return .op(String(c))
        case "(": return .leftParen
        case ")": return .rightParen
        case ",": return .comma
        case ".": return .dot
        default:
            throw FilterError.syntax("unexpected character \(Self.show(String(c)))", at: index)
        }
    }

    private func text(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: source[range])
        return String(view)
    }

    /// Quotes source text for an error message: ASCII-escaped (no raw control, bidi or NUL
    /// characters reach a client) and cut to a readable length.
    static func show(_ text: String, limit: Int = 40) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { out += "..."; break }
            out += scalar.escaped(asASCII: true)
            count += 1
        }
        return "\"" + out + "\""
    }
}
