import JSON
import Registry

/// Serving environments, inference services and the models they serve.
extension Endpoints {
    var servingRoutes: [Route] {
        let entities = EntityOperations(service: service)
        let environment = EntityKind.servingEnvironment
        let inferenceService = EntityKind.inferenceService
        let serveModel = EntityKind.serveModel
        return [
            Route("serving_environments", [
                "GET": entities.list([environment]),
                "POST": entities.create(environment),
            ]),
            Route("serving_environments/{id}", [
                "GET": entities.get(environment),
                "PATCH": entities.update(environment),
            ]),
            Route("serving_environments/{id}/inference_services", [
                "GET": entities.list([inferenceService], owner: Self.owner(environment, .parentContext), acceptsNameFilters: true),
                "POST": entities.createUnderParent(inferenceService, parentKind: environment, schema: .create),
            ]),
            Route("serving_environment", ["GET": entities.find([environment])]),

            Route("inference_services", [
                "GET": entities.list([inferenceService]),
                "POST": entities.create(inferenceService),
            ]),
            Route("inference_services/{id}", [
                "GET": entities.get(inferenceService),
                "PATCH": entities.update(inferenceService),
            ]),
            Route("inference_services/{id}/model", ["GET": servedModel()]),
            Route("inference_services/{id}/version", ["GET": servedVersion()]),
            Route("inference_services/{id}/serves", [
                "GET": entities.list([serveModel], owner: Self.owner(inferenceService, .association), acceptsNameFilters: true),
                "POST": createServeModel(),
            ]),
            Route("inference_service", ["GET": entities.find([inferenceService], parentLink: .parentContext)]),
        ]
    }

    /// `GET /inference_services/{id}/model`: the registered model it serves.
    private func servedModel() -> Handler {
        { context in
            let id = try EntityOperations.pathID(context.pathParameters[0], of: .inferenceService)
            let inference = try service.get(.inferenceService, id: id)
            guard let modelID = inference.int("registeredModelId") else {
                throw RegistryError.notFound("inference service \(id) names no registered model")
            }
            return EntityOperations.entityResponse(try service.get(.registeredModel, id: modelID), version: context.version)
        }
    }

    /// `GET /inference_services/{id}/version`: its pinned version, else the model's newest.
    private func servedVersion() -> Handler {
        { context in
            let id = try EntityOperations.pathID(context.pathParameters[0], of: .inferenceService)
            let inference = try service.get(.inferenceService, id: id)
            if let versionID = inference.int("modelVersionId") {
                return EntityOperations.entityResponse(try service.get(.modelVersion, id: versionID), version: context.version)
            }
            guard let modelID = inference.int("registeredModelId") else {
                throw RegistryError.notFound("inference service \(id) names no registered model")
            }
            let newest = try service.list(ListQuery(kinds: [.modelVersion], owner: (modelID, .parentContext),
                                                    pageSize: 1, orderBy: .createTime, descending: true))
            guard let version = newest.items.first else {
                throw RegistryError.notFound("no model version found for registered model \(modelID)")
            }
            return EntityOperations.entityResponse(version, version: context.version)
        }
    }

    /// `POST /inference_services/{id}/serves`: refuses versions of gated or private Hugging
    /// Face models, which a cluster cannot pull without credentials.
    private func createServeModel() -> Handler {
        { context in
            let inferenceID = try EntityOperations.pathID(context.pathParameters[0], of: .inferenceService)
            let entity = try EntityCoding.decode(context.body, as: .serveModel, schema: .create)
            _ = try service.get(.inferenceService, id: inferenceID)
            if let versionID = entity.int("modelVersionId") {
                let version = try service.get(.modelVersion, id: versionID)
                try Self.refuseGatedModel(version)
            }
            let owner = Owner(kind: .inferenceService, id: inferenceID, link: .association)
            return EntityOperations.entityResponse(try service.create(entity, owner: owner), status: 201, version: context.version)
        }
    }

    static func refuseGatedModel(_ version: Entity) throws {
        func text(_ key: String) -> String? {
            switch version.customProperties?[key] {
            case .string(let s)?: return s
            case .bool(let b)?: return b ? "true" : "false"
            default: return nil
            }
        }
        let gated = text("hf_gated").map { !$0.isEmpty && $0.lowercased() != "false" } ?? false
        let privateModel = text("hf_private")?.lowercased() == "true"
        if gated || privateModel {
            throw RegistryError.badRequest(
                "model version \(version.id ?? 0) is a gated or private Hugging Face model and cannot be served without credentials")
        }
    }
}
