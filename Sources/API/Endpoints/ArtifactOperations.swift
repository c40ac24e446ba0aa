import JSON
import Registry

/// The polymorphic artifact operations: bodies and lists discriminated by `artifactType`.
struct ArtifactOperations {
    let service: RegistryService

    static func kind(forArtifactType value: JSON?) throws -> EntityKind {
        guard case .string(let type)? = value, let kind = EntityKind.artifactKind(forType: type) else {
            throw RegistryError.badRequest(
                "invalid artifact type, must be either ModelArtifact, DocArtifact, DataSet, Metric, or Parameter")
        }
        return kind
    }

    /// The kinds an `artifactType` query parameter selects (all public kinds when absent).
    static func kinds(forQuery context: RequestContext) throws -> [EntityKind] {
        guard let type = context.query.nonEmpty("artifactType") else { return EntityKind.publicArtifacts }
        guard let kind = EntityKind.artifactKind(forType: type) else {
            throw RegistryError.badRequest("invalid artifact type \(type.prefix(64))")
        }
        return [kind]
    }

    func list(owner: ((RequestContext) throws -> (id: Int64, link: OwnerLink))?, acceptsNameFilters: Bool) -> Handler {
        return { context in
            var query = try EntityOperations.listQuery(context, kinds: try Self.kinds(forQuery: context),
                                                       owner: try owner?(context))
            if acceptsNameFilters {
                query.name = context.query.nonEmpty("name")
                query.externalID = query.name == nil ? context.query.nonEmpty("externalId") : nil
            }
            return EntityOperations.pageResponse(try service.list(query), version: context.version)
        }
    }

    /// `POST /artifacts`: a standalone artifact of the body's type.
    func create() -> Handler {
        return { context in
            let object = try EntityCoding.parseObject(context.body)
            let kind = try Self.kind(forArtifactType: object["artifactType"])
            let entity = try EntityCoding.decode(object, as: kind, schema: .create)
            return EntityOperations.entityResponse(try service.create(entity), status: 201, version: context.version)
        }
    }

    func get() -> Handler {
        return { context in
            let id = try EntityOperations.pathID(context.pathParameters[0], of: EntityKind.modelArtifact)
            return EntityOperations.entityResponse(try service.getArtifact(id: id), version: context.version)
        }
    }

    /// `PATCH /artifacts/{id}`: the body must name the stored type; types never change.
    func update() -> Handler {
        return { context in
            let id = try EntityOperations.pathID(context.pathParameters[0], of: EntityKind.modelArtifact)
            var object = try EntityCoding.parseObject(context.body)
            guard let kind = try service.artifactKind(id: id) else {
                throw RegistryError.notFound("no artifact found for id \(id)")
            }
            try EntityOperations.checkArtifactType(object["artifactType"], expected: kind, required: true)
            object["artifactType"] = nil
            let patch = try EntityCoding.decode(object, as: kind, schema: .update)
            return EntityOperations.entityResponse(try service.update(kind, id: id, with: patch), version: context.version)
        }
    }

    /// `POST /<owners>/{id}/artifacts`: without `id` logs an artifact under the owner (see
    /// `RegistryService.logArtifact`); with `id` updates that artifact and attributes it (how
    /// standalone artifacts are linked). 201 only when a model or doc artifact is created, as
    /// upstream.
    func upsertUnderOwner(_ ownerKind: EntityKind) -> Handler {
        return { context in
            let ownerID = try EntityOperations.pathID(context.pathParameters[0], of: ownerKind)
            let object = try EntityCoding.parseObject(context.body)
            let kind = try Self.kind(forArtifactType: object["artifactType"])
            let owner = Owner(kind: ownerKind, id: ownerID, link: .attribution)
            let entity = try EntityCoding.decode(object, as: kind, schema: .full)
            if let idValue = object["id"], idValue != .null {
                guard case .string(let text) = idValue else {
                    throw EntityCoding.typeError("id", expected: "string", got: idValue)
                }
                let id = try EntityOperations.pathID(text, of: kind)
                let updated = try service.updateAndAttach(kind, id: id, with: entity, owner: owner)
                return EntityOperations.entityResponse(updated, status: 200, version: context.version)
            }
            let (logged, created) = try service.logArtifact(entity, owner: owner)
            let status = created && (kind == .modelArtifact || kind == .docArtifact) ? 201 : 200
            return EntityOperations.entityResponse(logged, status: status, version: context.version)
        }
    }
}
