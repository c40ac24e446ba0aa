/// A decoded URL query string. Later duplicates win for single values, like Go's `Query().Get`
/// takes the first: we keep the first as well.
public struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    public init(_ raw: String) {
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentDecoding.decode(parts[0], plusAsSpace: true)
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: true) : ""
            if values[key] == nil { values[key] = value }
        }
    }

    public subscript(name: String) -> String? { values[name] }

    /// The value, or nil when absent or empty (upstream treats empty as absent).
    public func nonEmpty(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public var all: [String: String] { values }
}
