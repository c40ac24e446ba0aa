import JSON
import Registry

/// The v1alpha3 route table, relative to the API prefix. Each line names a path and which
/// generic operation serves each method.
struct Endpoints {
    let service: RegistryService

    var routes: [Route] {
        modelRoutes + servingRoutes + experimentRoutes + openAPIRoutes
    }

    /// Resolves the owner named by the first path parameter.
    static func owner(_ kind: EntityKind, _ link: OwnerLink) -> (RequestContext) throws -> (id: Int64, link: OwnerLink) {
        { context in (try EntityOperations.pathID(context.pathParameters[0], of: kind), link) }
    }

    private var modelRoutes: [Route] {
        let entities = EntityOperations(service: service)
        let artifacts = ArtifactOperations(service: service)
        let registeredModel = EntityKind.registeredModel
        let modelVersion = EntityKind.modelVersion
        let modelArtifact = EntityKind.modelArtifact

        let owner = Self.owner
        return [
            // Registered models
            Route("registered_models", [
                "GET": entities.list([registeredModel]),
                "POST": entities.create(registeredModel),
            ]),
            Route("registered_models/{id}", [
                "GET": entities.get(registeredModel),
                "PATCH": entities.update(registeredModel),
            ]),
            Route("registered_models/{id}/versions", [
                "GET": entities.list([modelVersion], owner: owner(registeredModel, .parentContext), acceptsNameFilters: true),
                "POST": entities.createUnderParent(modelVersion, parentKind: registeredModel, schema: .full),
            ]),
            Route("registered_model", ["GET": entities.find([registeredModel])]),

            // Model versions
            Route("model_versions", [
                "GET": entities.list([modelVersion]),
                "POST": entities.create(modelVersion),
            ]),
            Route("model_versions/{id}", [
                "GET": entities.get(modelVersion),
                "PATCH": entities.update(modelVersion),
            ]),
            Route("model_versions/{id}/artifacts", [
                "GET": artifacts.list(owner: owner(modelVersion, .attribution), acceptsNameFilters: true),
                "POST": artifacts.upsertUnderOwner(modelVersion),
            ]),
            Route("model_version", ["GET": entities.find([modelVersion], parentLink: .parentContext)]),

            // Model artifacts
            Route("model_artifacts", [
                "GET": entities.list([modelArtifact]),
                "POST": createModelArtifact(),
            ]),
            Route("model_artifacts/{id}", [
                "GET": entities.get(modelArtifact),
                "PATCH": entities.update(modelArtifact),
            ]),
            Route("model_artifact", ["GET": entities.find([modelArtifact], parentLink: .attribution)]),

            // All artifacts
            Route("artifacts", [
                "GET": artifacts.list(owner: nil, acceptsNameFilters: false),
                "POST": artifacts.create(),
            ]),
            Route("artifacts/{id}", [
                "GET": artifacts.get(),
                "PATCH": artifacts.update(),
            ]),
            Route("artifact", ["GET": entities.find(EntityKind.publicArtifacts, parentLink: .attribution)]),
        ]
    }

    /// `POST /model_artifacts`: `artifactType` may be given but must be model-artifact; the
    /// state defaults to UNKNOWN as upstream.
    private func createModelArtifact() -> Handler {
        { context in
            var object = try EntityCoding.parseObject(context.body)
            try EntityOperations.checkArtifactType(object["artifactType"], expected: .modelArtifact, required: false)
            object["artifactType"] = nil
            var entity = try EntityCoding.decode(object, as: .modelArtifact, schema: .create)
            if entity.fields["state"] == nil { entity.fields["state"] = .string("UNKNOWN") }
            return EntityOperations.entityResponse(try service.create(entity), status: 201, version: context.version)
        }
    }
}
