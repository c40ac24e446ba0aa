import MLMD

extension RegistryService {
    /// One page of entities, ordered by `orderBy` with the id as tie-breaker so that the
    /// cursor never skips or repeats rows that share a timestamp.
    public func list(_ query: ListQuery) throws -> Page {
        let limit = query.pageSize > 0 ? min(query.pageSize, maxPageSize) : maxPageSize
        let token = try query.pageToken.flatMap { $0.isEmpty ? nil : try PageToken(decoding: $0) }
        let filter = try compiledFilter(query)
        return try read {
            let node = query.kinds[0].node
            let orderColumn = "e.\(query.orderBy.column)"
            let direction = query.descending ? "DESC" : "ASC"
            var bindings: [SQLValue] = []
            // Without a filter the text depends only on the query's shape: it is built once per
            // shape and reused, and the statement cache then finds it by address. Finds by name
            // and plain pages built (and hashed) it per request.
            let shape = filter == nil ? ListShape(query) : nil
            let cachedSQL = shape.flatMap { listSQL[$0] }
            var sql = ""
            func set(_ text: @autoclosure () -> String) { if cachedSQL == nil { sql = text() } }
            func add(_ text: @autoclosure () -> String) { if cachedSQL == nil { sql += text() } }
            set("SELECT \(MetadataStore.nodeColumns(of: node, alias: "e")) FROM \(node.table) e")
            // A filtered list in id order over all entities of a kind starts from the property
            // index of one equality the filter requires (RegistryIndexes): it visits matching
            // entities only, in id order, so a page costs the same whether the value matches 10%
            // of a million entities or 100 of them. Testing the filter on each entity in id
            // order instead costs a scan of every entity when few match. The full filter is
            // still applied; GROUP BY drops a second row of the same entity (a typed and a custom
            // property may share a name), and keeps the index order.
            var driver = (query.orderBy == .id && query.owner == nil && query.name == nil && query.externalID == nil)
                ? filter?.driver : nil
            if let either = driver, let alternative = either.alternative {
                // `x = 5` on a custom property matches int 5 or double 5.0: one range suffices if
                // the property has values in only one of the two columns (one index probe each).
                func used(_ column: String) throws -> Bool {
                    try connection.first("SELECT 1 FROM \(node.propertyTable) WHERE name = ? AND \(column) IS NOT NULL LIMIT 1",
                                         [.text(either.propertyName)]) { _ in true } ?? false
                }
                if try !used(alternative.column) {
                    driver?.alternative = nil
                } else if try !used(either.valueColumn) {
                    driver = FilterIndexDriver(propertyName: either.propertyName, valueColumn: alternative.column,
                                               value: alternative.value)
                } else {
                    driver = nil
                }
            }
            if let driver {
                let owner = node.propertyOwnerColumn
                set("SELECT \(MetadataStore.nodeColumns(of: node, alias: "e")) FROM \(node.propertyTable) d"
                    + " JOIN \(node.table) e ON e.id = d.\(owner)"
                    + " WHERE d.name = ? AND d.\(driver.valueColumn) = ?")
                bindings += [.text(driver.propertyName), driver.value]
            } else if let owner = query.owner {
                // The owner's links come first, whatever SQLite would pick: CROSS JOIN keeps this
                // join order. Left to itself, SQLite walks every entity of the type in id order
                // (RegistryIndexes' (type_id) index spares it the sort) and probes the link of
                // each: one model's versions, or one version's artifacts, would cost a scan of
                // them all. An owner's few children are found by its link index and then sorted.
                let table = "\(node.table) e"
                switch owner.link {
                case .parentContext:
                    set("SELECT \(MetadataStore.nodeColumns(of: node, alias: "e")) FROM ParentContext l"
                        + " CROSS JOIN \(table) ON e.id = l.context_id WHERE l.parent_context_id = ?")
                case .attribution:
                    set("SELECT \(MetadataStore.nodeColumns(of: node, alias: "e")) FROM Attribution l"
                        + " CROSS JOIN \(table) ON e.id = l.artifact_id WHERE l.context_id = ?")
                case .association:
                    set("SELECT \(MetadataStore.nodeColumns(of: node, alias: "e")) FROM Association l"
                        + " CROSS JOIN \(table) ON e.id = l.execution_id WHERE l.context_id = ?")
                }
                bindings.append(.integer(owner.id))
            }
            let typeIDs = try query.kinds.map { SQLValue.integer(try typeID($0)) }
            add(driver == nil && query.owner == nil ? " WHERE" : " AND")
            add(" e.type_id IN (\(Array(repeating: "?", count: typeIDs.count).joined(separator: ", ")))")
            bindings += typeIDs
            if let name = query.name {
                add(query.kinds[0].naming == .topLevel
                    ? " AND e.name = ?"
                    : " AND substr(e.name, instr(e.name, ':') + 1) = ?")
                bindings.append(.text(name))
            } else if let externalID = query.externalID {
                add(" AND e.external_id = ?")
                bindings.append(.text(externalID))
            }
            if let filter {
                add(" AND (\(filter.sql))")
                bindings += filter.bindings
            }
            if let token {
                // After the token's row: `column > v OR (column = v AND id > lastId)`, written as
                // `column >= v AND (column > v OR id > lastId)`. With bound values SQLite cannot
                // turn the first form into an index range and walked the list from its start
                // (a page from the middle of 1M versions took 80 ms); `column >= v` is a range.
                // A filtered list driven by a property index is ordered by that index's owner id.
                let comparison = query.descending ? "<" : ">"
                let column = driver != nil ? "d.\(node.propertyOwnerColumn)" : orderColumn
                let id = driver != nil ? column : "e.id"
                add(" AND \(column) \(comparison)= ? AND (\(column) \(comparison) ? OR \(id) \(comparison) ?)")
                bindings += [.integer(token.orderValue), .integer(token.orderValue), .integer(token.lastID)]
            }
            if driver != nil {
                let owner = "d.\(node.propertyOwnerColumn)"
                add(" GROUP BY \(owner) ORDER BY \(owner) \(direction) LIMIT ?")
            } else {
                add(" ORDER BY \(orderColumn) \(direction), e.id \(direction) LIMIT ?")
            }
            bindings.append(.integer(Int64(limit) + 1))
            if let cachedSQL {
                sql = cachedSQL
            } else if let shape {
                listSQL[shape] = sql
            }

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

    /// Loads the properties of a page of rows in one query and builds the entities.
    func entities(from rows: [NodeRow], kinds: [EntityKind]) throws -> [Entity] {
        guard let node = kinds.first?.node else { return [] }
        let properties = try store.properties(node, of: rows.map(\.id))
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
        let description = findDescription(kind: kind, name: name, externalID: externalID, parent: parent)
        var query = ListQuery(kinds: kinds, pageSize: 2)
        if let name {
            query.name = name
            query.owner = kind.naming == .topLevel ? nil : parent
        } else if let externalID {
            query.externalID = externalID
        }
        let page = try list(query)
        guard let first = page.items.first else {
            throw RegistryError.notFound("no \(kind.displayName)s found for \(description)")
        }
        guard page.items.count == 1 else {
            throw RegistryError.notFound("multiple \(kind.displayName)s found for \(description)")
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
