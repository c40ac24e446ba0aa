import JSON
import Registry

/// `register_model` as one write transaction: the registered model found by name (or created),
/// a new version under it and the version's model artifact, with the validation and JSON
/// shapes of `POST /registered_models`, `POST /model_versions` and
/// `POST /model_versions/{id}/artifacts`.
///
/// Upstream's client sends those requests one by one: a failure in the last one leaves a
/// version without its artifact, and each step is its own commit. This is not a route (the
/// REST API stays upstream's); the embedded SDK calls it through `mr_register_model`.
///
/// Body: `{"registeredModel": {...}, "modelVersion": {...}, "modelArtifact": {...}}` in the
/// create shapes (the version's `registeredModelId` is filled in). Answer: 201 with the three
/// entities under the same keys, or the Error of the step that failed, with nothing written.
struct ModelRegistration {
    let service: RegistryService

    func handle(body: [UInt8], version: APIVersion) -> Response {
        do {
            let request = try EntityCoding.parseObject(body)
            let modelObject = try Self.member(request, "registeredModel")
            var versionObject = try Self.member(request, "modelVersion")
            var artifactObject = try Self.member(request, "modelArtifact")
            if artifactObject["artifactType"] == nil { artifactObject["artifactType"] = .string("model-artifact") }
            try EntityOperations.checkArtifactType(artifactObject["artifactType"], expected: .modelArtifact, required: true)

            let newModel = try EntityCoding.decode(modelObject, as: .registeredModel, schema: .create)
            let (model, modelVersion, artifact) = try service.atomically {
                let model = try existingModel(named: newModel.name) ?? service.create(newModel)
                versionObject["registeredModelId"] = .string(String(model.id ?? 0))
                let modelVersion = try service.create(
                    try EntityCoding.decode(versionObject, as: .modelVersion, schema: .create))
                let owner = Owner(kind: .modelVersion, id: modelVersion.id ?? 0, link: .attribution)
                let (artifact, _) = try service.logArtifact(
                    try EntityCoding.decode(artifactObject, as: .modelArtifact, schema: .create), owner: owner)
                return (model, modelVersion, artifact)
            }

            var out: [UInt8] = []
            out.reserveCapacity(2048)
            JSON.writeRaw(#"{"modelArtifact":"#, to: &out)
            EntityWriter.write(artifact, version: version, to: &out)
            JSON.writeRaw(#","modelVersion":"#, to: &out)
            EntityWriter.write(modelVersion, version: version, to: &out)
            JSON.writeRaw(#","registeredModel":"#, to: &out)
            EntityWriter.write(model, version: version, to: &out)
            JSON.writeRaw("}\n", to: &out)
            return Response(status: 201, headers: [("Content-Type", Response.jsonContentType)], body: out)
        } catch {
            return ErrorResponse.make(for: error)
        }
    }

    private func existingModel(named name: String?) throws -> Entity? {
        guard let name else { return nil }  // create() reports the missing name
        do {
            return try service.find([.registeredModel], name: name, externalID: nil, parent: nil)
        } catch RegistryError.notFound {
            return nil
        }
    }

    private static func member(_ object: [String: JSON], _ key: String) throws -> [String: JSON] {
        guard case .object(let member)? = object[key] else {
            throw RegistryError.badRequest("\(key) is required and must be an object")
        }
        return member
    }
}
