/// A rejected `filterQuery`. Upstream answers both kinds with HTTP 400; `message` is the
/// client-facing text (`invalid filter query syntax: …` or the fixed type-mismatch text).
public struct FilterError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The text does not follow the grammar, or exceeds a limit.
        case syntax
        /// A comparison whose value cannot be compared with the property.
        case typeMismatch
    }

    public let kind: Kind
    /// 1-based position, counted in Unicode scalars, of the offending token (syntax errors)
    /// or of the comparison's property (type mismatches).
    public let position: Int
    public let message: String

    public init(kind: Kind, position: Int, message: String) {
        self.kind = kind
        self.position = position
        self.message = message
    }

    public var description: String { message }

    public static let syntaxPrefix = "invalid filter query syntax: "
    public static let typeMismatchMessage =
        "invalid filter query, type mismatch or invalid value in comparison"
    public static let quotingHint = "String values must be quoted (e.g. name = \"value\")"

    /// `invalid filter query syntax: <problem> at position <n>[, expected <what>][. <hint>]`
    static func syntax(_ problem: String, at position: Int, expected: String? = nil,
                       hint: String? = nil) -> FilterError {
        var message = syntaxPrefix + problem + " at position \(position)"
        if let expected { message += ", expected " + expected }
        if let hint { message += ". " + hint }
        return FilterError(kind: .syntax, position: position, message: message)
    }

    static func typeMismatch(at position: Int) -> FilterError {
        FilterError(kind: .typeMismatch, position: position, message: typeMismatchMessage)
    }
}

/// Bounds that keep hostile filters cheap to reject. The length bound also keeps the number
/// of SQL bind parameters far below SQLite's limit (each list item costs at most 2 binds).
public struct FilterLimits: Equatable, Sendable {
    public var maxLength: Int
    public var maxDepth: Int
    public var maxComparisons: Int
    public var maxListItems: Int

    public init(maxLength: Int = 4096, maxDepth: Int = 32, maxComparisons: Int = 64,
                maxListItems: Int = 1000) {
        self.maxLength = maxLength
        self.maxDepth = maxDepth
        self.maxComparisons = maxComparisons
        self.maxListItems = maxListItems
    }
}
