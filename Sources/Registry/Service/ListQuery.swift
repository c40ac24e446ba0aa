import Foundation

/// Which column a list is ordered by (REST `orderBy`).
public enum OrderField: String, Sendable {
    case id = "ID"
    case createTime = "CREATE_TIME"
    case lastUpdateTime = "LAST_UPDATE_TIME"

    var column: String {
        switch self {
        case .id: return "id"
        case .createTime: return "create_time_since_epoch"
        case .lastUpdateTime: return "last_update_time_since_epoch"
        }
    }
}

/// How a listed node hangs off its owner context.
public enum OwnerLink: Sendable {
    /// Child contexts (`ParentContext`): versions of a model, runs of an experiment, …
    case parentContext
    /// Artifacts attributed to the context (`Attribution`).
    case attribution
    /// Executions associated with the context (`Association`).
    case association
}

public struct ListQuery: Sendable {
    public var kinds: [EntityKind]
    public var owner: (id: Int64, link: OwnerLink)?
    public var filterQuery: String?
    /// Conditions the endpoint adds (e.g. metric-history `stepIds`), ANDed with `filterQuery`.
    public var extraFilter: FilterExpression?
    /// Exact-match conditions some endpoints take as query parameters, ANDed with the filter.
    public var name: String?
    public var externalID: String?
    public var pageSize: Int
    public var orderBy: OrderField
    public var descending: Bool
    public var pageToken: String?

    public init(kinds: [EntityKind], owner: (id: Int64, link: OwnerLink)? = nil, filterQuery: String? = nil,
                name: String? = nil, externalID: String? = nil, pageSize: Int = 0, orderBy: OrderField = .id, descending: Bool = false, pageToken: String? = nil) {
        self.kinds = kinds
        self.owner = owner
        self.filterQuery = filterQuery
        self.name = name
        self.externalID = externalID
        self.pageSize = pageSize
        self.orderBy = orderBy
        self.descending = descending
        self.pageToken = pageToken
    }
}

public struct Page: Sendable {
    public var items: [Entity]
    /// `""` at the end of the list.
    public var nextPageToken: String
    /// The page size the client asked for (0 when it did not ask), as upstream echoes it.
    public var pageSize: Int
    public var size: Int { items.count }
}

/// Upstream's cursor: base64 of `"<lastId>:<order value>"`. Deterministic, so the Python pager
/// can tell the first page from a later one by its token.
struct PageToken: Equatable {
    var lastID: Int64
    var orderValue: Int64

    var encoded: String {
        Data("\(lastID):\(orderValue)".utf8).base64EncodedString()
    }

    init(lastID: Int64, orderValue: Int64) {
        self.lastID = lastID
        self.orderValue = orderValue
    }

    init(decoding token: String) throws {
        guard token.utf8.count <= 1024 else {
            throw RegistryError.badRequest("invalid nextPageToken: token too long")
        }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":"),
              let id = Int64(text[..<colon]), let value = Int64(text[text.index(after: colon)...]) else {
            throw RegistryError.badRequest("invalid nextPageToken: \(token.prefix(64))")
        }
        self.lastID = id
        self.orderValue = value
    }
}
