import JSON

/// One thing wrong with a store, found by a named check.
public struct CheckProblem: Equatable, Sendable {
    /// The check that found it: integrity, schema, types, links, hierarchy, references, properties.
    public var check: String
    public var message: String

    public init(check: String, message: String) {
        self.check = check
        self.message = message
    }

    var json: JSON { .object(["check": .string(check), "message": .string(message)]) }
}

/// Collects problems, keeping at most `limit` per check but counting them all.
final class ProblemCollector {
    let limit: Int
    private(set) var problems: [CheckProblem] = []
    private(set) var counts: [String: Int] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    func add(_ check: String, _ message: String) {
        let count = counts[check, default: 0]
        counts[check] = count + 1
        if count < limit { problems.append(CheckProblem(check: check, message: message)) }
    }

    var total: Int { counts.values.reduce(0, +) }

    /// Problems found but not listed, per check.
    var omitted: [String: Int] {
        counts.compactMapValues { $0 > limit ? $0 - limit : nil }
    }
}
