/// A user LIKE pattern: `%` any run, `_` any one character, and — as on MySQL and
/// PostgreSQL, where upstream runs — a backslash makes the next character literal.
/// It renders to a SQLite GLOB pattern (case-sensitive LIKE) or to a SQLite LIKE pattern
/// for `LIKE ? ESCAPE '\'` (ILIKE, ASCII case-insensitive).
struct FilterPattern: Equatable {
    enum Element: Equatable {
        case anyRun
        case anyOne
        case literal(Unicode.Scalar)
    }

    var elements: [Element]

    init(_ pattern: String) {
        elements = []
        var escaping = false
        for scalar in pattern.unicodeScalars {
            if escaping {
                elements.append(.literal(scalar))
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else if scalar == "%" {
                elements.append(.anyRun)
            } else if scalar == "_" {
                elements.append(.anyOne)
            } else {
                elements.append(.literal(scalar))
            }
        }
        if escaping { elements.append(.literal("\\")) }  // a trailing backslash is literal
    }

    /// `%:` + pattern: matches the pattern against a child name after its parent prefix.
    func afterAnyPrefix() -> FilterPattern {
        var copy = self
        copy.elements = [.anyRun, .literal(":")] + elements
        return copy
    }

    /// GLOB has no escape character; a one-character class `[x]` matches `x` literally.
    var glob: String {
        var out = String.UnicodeScalarView()
        for element in elements {
            switch element {
            case .anyRun: out.append("*")
            case .anyOne: out.append("?")
            case .literal(let c) where c == "*" || c == "?" || c == "[":
                out.append(contentsOf: ["[", c, "]"])
            case .literal(let c): out.append(c)
            }
        }
        return String(out)
    }

    /// For `LIKE ? ESCAPE '\'`.
    var like: String {
        var out = String.UnicodeScalarView()
        for element in elements {
            switch element {
            case .anyRun: out.append("%")
            case .anyOne: out.append("_")
            case .literal(let c) where c == "%" || c == "_" || c == "\\":
                out.append(contentsOf: ["\\", c])
            case .literal(let c): out.append(c)
            }
        }
        return String(out)
    }
}
