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
            var sql = "SELECT \(MetadataStore.nodeColumns(of: node, alias: "e")) FROM \(node.table) e"
            var bindings: [SQLValue] = []
            if let owner = query.owner {
                switch owner.link {
                case .parentContext: sql += " JOIN ParentContext l ON l.context_id = e.id AND l.parent_context_id = ?"
                case .attribution: sql += " JOIN Attribution l ON l.artifact_id = e.id AND l.context_id = ?"
                case .association: sql += " JOIN Association l ON l.execution_id = e.id AND l.context_id = ?"
                }
                bindings.append(.integer(owner.id))
            }
            let typeIDs = try query.kinds.map { SQLValue.integer(try typeID($0)) }
            sql += " WHERE e.type_id IN (\(Array(repeating: "?", count: typeIDs.count).joined(separator: ", ")))"
            bindings += typeIDs
            if let name = query.name {
                sql += query.kinds[0].naming == .topLevel
                    ? " AND e.name = ?"
                    : " AND substr(e.name, instr(e.name, ':') + 1) = ?"
                bindings.append(.text(name))
            } else if let externalID = query.externalID {
                sql += " AND e.external_id = ?"
                bindings.append(.text(externalID))
            }
            if let filter {
                sql += " AND (\(filter.sql))"
                bindings += filter.bindings
            }
            if let token {
                let comparison = query.descending ? "<" : ">"
                sql += " AND (\(orderColumn) \(comparison) ? OR (\(orderColumn) = ? AND e.id \(comparison) ?))"
                bindings += [.integer(token.orderValue), .integer(token.orderValue), .integer(token.lastID)]
            }
            sql += " ORDER BY \(orderColumn) \(direction), e.id \(direction) LIMIT ?"
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

    func compiledFilter(_ query: ListQuery) throws -> (sql: String, bindings: [SQLValue])? {
        do {
            var expression: FilterExpression?
            if let text = query.filterQuery {
                expression = try FilterParser.parse(text)
            }
            if let extra = query.extraFilter {
                expression = expression.map { .and($0, extra) } ?? extra
            }
            guard let expression else { return nil }
            return try FilterCompiler.compile(expression, for: FilterTarget.forKinds(query.kinds))
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
