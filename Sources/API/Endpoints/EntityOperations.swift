import JSON
import Registry

/// The generic REST operations every entity shares: list, create, get, update, find.
struct EntityOperations {
    let service: RegistryService

    // MARK: Parameters

    /// Parses a path id: upstream takes 32-bit ids; anything else is a 400, not a 404.
    static func pathID(_ text: String, of kind: EntityKind) throws -> Int64 {
        guard let id = Int32(text), id > 0 else {
            throw RegistryError.badRequest("invalid \(kind.displayName) id \"\(text.prefix(64))\": must be a positive 32-bit integer")
        }
        return Int64(id)
    }

    static func listQuery(_ context: RequestContext, kinds: [EntityKind], owner: (id: Int64, link: OwnerLink)? = nil) throws -> ListQuery {
        var query = ListQuery(kinds: kinds, owner: owner)
        let parameters = context.query
        if let pageSize = parameters.nonEmpty("pageSize") {
            guard let size = Int32(pageSize) else {
                throw RegistryError.badRequest("invalid numeric string: pageSize \"\(pageSize.prefix(64))\"")
            }
            query.pageSize = Int(size)
        }
        // Unknown values fall back to the defaults, as upstream.
        query.orderBy = parameters.nonEmpty("orderBy").flatMap(OrderField.init(rawValue:)) ?? .id
        query.descending = parameters.nonEmpty("sortOrder") == "DESC"
        query.pageToken = parameters.nonEmpty("nextPageToken")
        query.filterQuery = parameters.nonEmpty("filterQuery")
        return query
    }

    /// `{"items": [...], "nextPageToken", "pageSize", "size"}`, written straight into the body
    /// (EntityWriter: the bytes `EntityCoding.encode` + `JSONResponse.make` would produce).
    static func pageResponse(_ page: Page, version: APIVersion) -> Response {
        Response(status: 200, headers: [("Content-Type", Response.jsonContentType)],
                 body: EntityWriter.pageBody(page, version: version))
    }

    static func entityResponse(_ entity: Entity, status: Int = 200, version: APIVersion) -> Response {
        Response(status: status, headers: [("Content-Type", Response.jsonContentType)],
                 body: EntityWriter.entityBody(entity, version: version))
    }

    // MARK: Operations

    func list(_ kinds: [EntityKind], owner: ((RequestContext) throws -> (id: Int64, link: OwnerLink))? = nil,
              acceptsNameFilters: Bool = false) -> Handler {
        return { context in
            var query = try Self.listQuery(context, kinds: kinds, owner: try owner?(context))
            if acceptsNameFilters {
                query.name = context.query.nonEmpty("name")
                query.externalID = query.name == nil ? context.query.nonEmpty("externalId") : nil
            }
            return Self.pageResponse(try service.list(query), version: context.version)
        }
    }

    func create(_ kind: EntityKind, defaults: [String: FieldValue] = [:]) -> Handler {
        return { context in
            var entity = try EntityCoding.decode(context.body, as: kind, schema: .create)
            for (field, value) in defaults where entity.fields[field] == nil { entity.fields[field] = value }
            return Self.entityResponse(try service.create(entity), status: 201, version: context.version)
        }
    }

    func get(_ kind: EntityKind) -> Handler {
        return { context in
            let id = try Self.pathID(context.pathParameters[0], of: kind)
            return Self.entityResponse(try service.get(kind, id: id), version: context.version)
        }
    }

    func update(_ kind: EntityKind) -> Handler {
        return { context in
            let id = try Self.pathID(context.pathParameters[0], of: kind)
            var object = try EntityCoding.parseObject(context.body)
            if kind.artifactType != nil {
                try Self.checkArtifactType(object["artifactType"], expected: kind, required: false)
                object["artifactType"] = nil
            }
            let patch = try EntityCoding.decode(object, as: kind, schema: .update)
            return Self.entityResponse(try service.update(kind, id: id, with: patch), version: context.version)
        }
    }

    /// `POST /<parents>/{id}/<children>`: the path names the parent, so the body's parent id
    /// may be omitted but must agree when given. A body with an `id` updates that child (as
    /// upstream does for versions).
    func createUnderParent(_ kind: EntityKind, parentKind: EntityKind, schema: BodySchema) -> Handler {
        let parentField = kind.parentField!
        return { context in
            let parentID = try Self.pathID(context.pathParameters[0], of: parentKind)
            var object = try EntityCoding.parseObject(context.body)
            if case .string(let given)? = object[parentField], given != String(parentID) {
                throw RegistryError.badRequest("\(parentField) \(given.prefix(32)) does not match the \(parentKind.displayName) id \(parentID) of the path")
            }
            object[parentField] = .string(String(parentID))
            let idValue = object["id"]
            object["id"] = nil
            let entity = try EntityCoding.decode(object, as: kind, schema: schema)
            if let idValue, idValue != .null {
                guard case .string(let text) = idValue else { throw EntityCoding.typeError("id", expected: "string", got: idValue) }
                let id = try Self.pathID(text, of: kind)
                guard try service.get(kind, id: id).int(parentField) == parentID else {
                    throw RegistryError.badRequest("\(kind.displayName) \(id) does not belong to \(parentKind.displayName) \(parentID)")
                }
                return Self.entityResponse(try service.update(kind, id: id, with: entity), version: context.version)
            }
            return Self.entityResponse(try service.create(entity), status: 201, version: context.version)
        }
    }

    /// `GET /<singular>?name=&externalId=&parentResourceId=`.
    func find(_ kinds: [EntityKind], parentLink: OwnerLink? = nil) -> Handler {
        return { context in
            let name = context.query.nonEmpty("name")
            let externalID = context.query.nonEmpty("externalId")
            var parent: (id: Int64, link: OwnerLink)?
            if let parentLink, let text = context.query.nonEmpty("parentResourceId") {
                guard let id = Int32(text), id > 0 else {
                    throw RegistryError.badRequest("invalid parentResourceId \"\(text.prefix(64))\": must be a positive 32-bit integer")
                }
                parent = (Int64(id), parentLink)
            }
            if parentLink == nil {
                guard name != nil || externalID != nil else {
                    throw RegistryError.badRequest("invalid parameters call, supply either name or externalId")
                }
            } else {
                guard (name != nil && parent != nil) || externalID != nil else {
                    throw RegistryError.badRequest("invalid parameters call, supply either (name and parentResourceId), or externalId")
                }
            }
            let entity = try service.find(kinds, name: name, externalID: name == nil ? externalID : nil, parent: parent)
            return Self.entityResponse(entity, version: context.version)
        }
    }

    /// Checks a body's `artifactType` against the kind it must be.
    static func checkArtifactType(_ value: JSON?, expected kind: EntityKind, required: Bool) throws {
        let given: String?
        switch value {
        case nil, .null?: given = nil
        case .string(let s)?: given = s
        case let other?: throw EntityCoding.typeError("artifactType", expected: "string", got: other)
        }
        if given == nil && !required { return }
        guard given == kind.artifactType else {
            throw RegistryError.badRequest(
                "cannot change artifact type from '\(kind.artifactType ?? "")' to '\(given ?? "unknown")': artifact type is immutable")
        }
    }
}
