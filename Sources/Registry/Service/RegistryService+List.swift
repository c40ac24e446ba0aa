import MLMD

extension RegistryService {
    /// One page of entities, ordered by `orderBy` with the id as tie-breaker so that the
    /// cursor never skips or repeats rows that share a timestamp.
    public func list(_ query: ListQuery) throws -> Page {
        let limit = query.pageSize > 0 ? min(query.pageSize, maxPageSize) : maxPageSize
        let token = try query.pageToken.flatMap { $0.isEmpty ? nil : try PageToken(decoding: $0) }
        let filter = try compiledFilter(query)
        return try read {
            let driver = try indexDriver(for: query, filter: filter)
            let sql: String
            if filter == nil {
                // Without a filter the text depends only on the query's shape: built once per
                // shape, and the statement cache then finds it by address instead of hashing it.
                let shape = ListShape(query)
                if let cached = listSQL[shape] {
                    sql = cached
                } else {
                    sql = Self.listSQL(query, driver: nil, filterSQL: nil)
                    listSQL[shape] = sql
                }
            } else {
                sql = Self.listSQL(query, driver: driver, filterSQL: filter?.sql)
            }
            // The values of the placeholders, in the order `listSQL` writes them.
            var bindings: [SQLValue] = []
            if let driver {
                bindings += [.text(driver.propertyName), driver.value]
            } else if let owner = query.owner {
                bindings.append(.integer(owner.id))
            }
            bindings += try query.kinds.map { SQLValue.integer(try typeID($0)) }
            if let name = query.name {
                bindings.append(.text(name))
            } else if let externalID = query.externalID {
                bindings.append(.text(externalID))
            }
            if let filter { bindings += filter.bindings }
            if let token { bindings += [.integer(token.orderValue), .integer(token.orderValue), .integer(token.lastID)] }
            bindings.append(.integer(Int64(limit) + 1))

            var rows = try connection.all(sql, bindings, MetadataStore.readNode)
            var nextToken = ""
            if rows.count > limit {
                rows.removeLast()
                let last = rows[rows.count - 1]
                let value: Int64
                switch query.orderBy {
                case .id: value = last.id
                case .createTime: value = last.createTime
                case .lastUpdateTime: value = last.updateTime
                }
                nextToken = PageToken(lastID: last.id, orderValue: value).encoded
            }
            let items = try entities(from: rows, kinds: query.kinds)
            return Page(items: items, nextPageToken: nextToken, pageSize: max(query.pageSize, 0))
        }
    }

    /// A filtered list in id order over all entities of a kind starts from the property index
    /// of one equality the filter requires (RegistryIndexes): it visits matching entities only,
    /// in id order, so a page costs the same whether the value matches 10% of a million
    /// entities or 100 of them. Testing the filter on each entity in id order instead costs a
    /// scan of every entity when few match.
    private func indexDriver(for query: ListQuery,
                             filter: (sql: String, bindings: [SQLValue], driver: FilterIndexDriver?)?) throws -> FilterIndexDriver? {
        guard query.orderBy == .id, query.owner == nil, query.name == nil, query.externalID == nil,
              var driver = filter?.driver else { return nil }
        guard let alternative = driver.alternative else { return driver }
        // `x = 5` on a custom property matches int 5 or double 5.0: one range suffices if the
        // property has values in only one of the two columns (one index probe each).
        let table = query.kinds[0].node.propertyTable
        func used(_ column: String) throws -> Bool {
            try connection.first("SELECT 1 FROM \(table) WHERE name = ? AND \(column) IS NOT NULL LIMIT 1",
                                 [.text(driver.propertyName)]) { _ in true } ?? false
        }
        if try !used(alternative.column) {
            driver.alternative = nil
            return driver
        }
        if try !used(driver.valueColumn) {
            return FilterIndexDriver(propertyName: driver.propertyName, valueColumn: alternative.column,
                                     value: alternative.value)
        }
        return nil
    }

    /// The SELECT of a list; `list` binds its placeholders in the order they appear here.
    static func listSQL(_ query: ListQuery, driver: FilterIndexDriver?, filterSQL: String?) -> String {
        let node = query.kinds[0].node
        let columns = MetadataStore.nodeColumns(of: node, alias: "e")
        var sql: String
        if let driver {
            // The full filter is still applied; GROUP BY (below) drops a second row of the same
            // entity (a typed and a custom property may share a name) and keeps the index order.
            sql = "SELECT \(columns) FROM \(node.propertyTable) d JOIN \(node.table) e ON e.id = d.\(node.propertyOwnerColumn)"
                + " WHERE d.name = ? AND d.\(driver.valueColumn) = ?"
        } else if let owner = query.owner {
            // The owner's links come first, whatever SQLite would pick: CROSS JOIN keeps this
            // join order. Left to itself, SQLite walks every entity of the type in id order
            // (RegistryIndexes' (type_id) index spares it the sort) and probes the link of
            // each: one model's versions, or one version's artifacts, would cost a scan of
            // them all. An owner's few children are found by its link index and then sorted.
            switch owner.link {
            case .parentContext:
                sql = "SELECT \(columns) FROM ParentContext l CROSS JOIN \(node.table) e ON e.id = l.context_id"
                    + " WHERE l.parent_context_id = ?"
            case .attribution:
                sql = "SELECT \(columns) FROM Attribution l CROSS JOIN \(node.table) e ON e.id = l.artifact_id"
                    + " WHERE l.context_id = ?"
            case .association:
                sql = "SELECT \(columns) FROM Association l CROSS JOIN \(node.table) e ON e.id = l.execution_id"
                    + " WHERE l.context_id = ?"
            }
        } else {
            sql = "SELECT \(columns) FROM \(node.table) e"
        }
        sql += driver == nil && query.owner == nil ? " WHERE" : " AND"
        sql += " e.type_id IN (\(Array(repeating: "?", count: query.kinds.count).joined(separator: ", ")))"
        if query.name != nil {
            sql += query.kinds[0].naming == .topLevel ? " AND e.name = ?" : " AND substr(e.name, instr(e.name, ':') + 1) = ?"
        } else if query.externalID != nil {
            sql += " AND e.external_id = ?"
        }
        if let filterSQL { sql += " AND (\(filterSQL))" }
        let direction = query.descending ? "DESC" : "ASC"
        let orderColumn = "e.\(query.orderBy.column)"
        if query.pageToken.map({ !$0.isEmpty }) ?? false {
            // After the token's row: `column > v OR (column = v AND id > lastId)`, written as
            // `column >= v AND (column > v OR id > lastId)`. With bound values SQLite cannot turn
            // the first form into an index range and walked the list from its start (a page from
            // the middle of 1M versions took 80 ms); `column >= v` is a range. A list driven by a
            // property index is ordered by that index's owner id.
            let comparison = query.descending ? "<" : ">"
            let column = driver != nil ? "d.\(node.propertyOwnerColumn)" : orderColumn
            let id = driver != nil ? column : "e.id"
            sql += " AND \(column) \(comparison)= ? AND (\(column) \(comparison) ? OR \(id) \(comparison) ?)"
        }
        if driver != nil {
            let owner = "d.\(node.propertyOwnerColumn)"
            sql += " GROUP BY \(owner) ORDER BY \(owner) \(direction) LIMIT ?"
        } else {
            sql += " ORDER BY \(orderColumn) \(direction), e.id \(direction) LIMIT ?"
        }
        return sql
    }

    /// Loads the properties of a page of rows in one query and builds the entities.
    func entities(from rows: [NodeRow], kinds: [EntityKind]) throws -> [Entity] {
        guard let node = kinds.first?.node else { return [] }
        let properties = try store.properties(node, of: rows.map(\.id))
        if kinds.count == 1 {
            // One kind (all lists but the polymorphic artifact ones): no lookup table needed.
            let kind = kinds[0], typeID = try typeID(kind)
            return rows.compactMap { row in
                row.typeID == typeID ? EntityMapping.entity(kind: kind, node: row, properties: properties[row.id] ?? []) : nil
            }
        }
        var kindByType: [Int64: EntityKind] = [:]
        for kind in kinds { kindByType[try typeID(kind)] = kind }
        return rows.compactMap { row in
            guard let kind = kindByType[row.typeID] else { return nil }
            return EntityMapping.entity(kind: kind, node: row, properties: properties[row.id] ?? [])
        }
    }

    func compiledFilter(_ query: ListQuery) throws -> (sql: String, bindings: [SQLValue], driver: FilterIndexDriver?)? {
        do {
            var expression: FilterExpression?
            if let text = query.filterQuery {
                expression = try FilterParser.parse(text)
            }
            if let extra = query.extraFilter {
                expression = expression.map { .and($0, extra) } ?? extra
            }
            guard let expression else { return nil }
            let target = FilterTarget.forKinds(query.kinds)
            let compiled = try FilterCompiler.compile(expression, for: target)
            return (compiled.sql, compiled.bindings, FilterCompiler.indexDriver(expression, for: target))
        } catch let error as FilterError {
            // FilterError messages already carry upstream's wording.
            throw RegistryError.badRequest(error.message)
        }
    }

    /// Finds the single entity with this name (under `parent` for child kinds) or external id.
    /// A name wins over an external id, as upstream. Names match exactly (upstream used LIKE).
    public func find(_ kinds: [EntityKind], name: String?, externalID: String?,
                     parent: (id: Int64, link: OwnerLink)?) throws -> Entity {
        let kind = kinds[0]
        let name = name?.isEmpty == true ? nil : name
        let externalID = externalID?.isEmpty == true ? nil : externalID
        var query = ListQuery(kinds: kinds, pageSize: 2)
        if let name {
            query.name = name
            query.owner = kind.naming == .topLevel ? nil : parent
        } else if let externalID {
            query.externalID = externalID
        }
        let page = try list(query)
        // The description is built only for an error: a point read must not pay for it.
        guard let first = page.items.first else {
            throw RegistryError.notFound("no \(kind.displayName)s found for \(findDescription(kind: kind, name: name, externalID: externalID, parent: parent))")
        }
        guard page.items.count == 1 else {
            throw RegistryError.notFound("multiple \(kind.displayName)s found for \(findDescription(kind: kind, name: name, externalID: externalID, parent: parent))")
        }
        return first
    }

    private func findDescription(kind: EntityKind, name: String?, externalID: String?,
                                 parent: (id: Int64, link: OwnerLink)?) -> String {
        var parts = ["name=\(name ?? "")"]
        if kind.naming != .topLevel { parts.append("parentResourceId=\(parent.map { String($0.id) } ?? "")") }
        parts.append("externalId=\(externalID ?? "")")
        return parts.joined(separator: ", ")
    }
}

/// What the SQL text of an unfiltered list depends on (see `RegistryService.list`).
struct ListShape: Hashable {
    var node: Int
    var typeCount: Int
    var owner: Int
    var nameMatch: Int
    var token: Bool
    var orderBy: String
    var descending: Bool

    init(_ query: ListQuery) {
        node = query.kinds[0].node.index
        typeCount = query.kinds.count
        switch query.owner?.link {
        case nil: owner = 0
        case .parentContext?: owner = 1
        case .attribution?: owner = 2
        case .association?: owner = 3
        }
        if query.name != nil {
            nameMatch = query.kinds[0].naming == .topLevel ? 1 : 2
        } else {
            nameMatch = query.externalID != nil ? 3 : 0
        }
        token = query.pageToken.map { !$0.isEmpty } ?? false
        orderBy = query.orderBy.rawValue
        descending = query.descending
    }
}
