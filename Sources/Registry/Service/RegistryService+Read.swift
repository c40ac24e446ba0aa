import MLMD

extension RegistryService {
    /// The entity with this id if it exists and is of this kind.
    func load(_ kind: EntityKind, id: Int64) throws -> Entity? {
        guard let node = try store.node(kind.node, id: id), node.typeID == (try typeID(kind)) else { return nil }
        let properties = try store.properties(kind.node, of: [id])[id] ?? []
        return EntityMapping.entity(kind: kind, node: node, properties: properties)
    }

    public func get(_ kind: EntityKind, id: Int64) throws -> Entity {
        try read {
            guard let entity = try load(kind, id: id) else {
                throw RegistryError.notFound("no \(kind.displayName) found for id \(id)")
            }
            return entity
        }
    }

    /// An artifact of any of the given kinds (the polymorphic `/artifacts/{id}`).
    public func getArtifact(id: Int64, kinds: [EntityKind] = EntityKind.publicArtifacts) throws -> Entity {
        try read {
            guard let node = try store.node(.artifact, id: id), let kind = try kind(forTypeID: node.typeID, among: kinds) else {
                throw RegistryError.notFound("no artifact found for id \(id)")
            }
            let properties = try store.properties(.artifact, of: [id])[id] ?? []
            return EntityMapping.entity(kind: kind, node: node, properties: properties)
        }
    }

    /// The kind of an existing artifact, or nil if there is none with this id.
    public func artifactKind(id: Int64) throws -> EntityKind? {
        try read {
            guard let node = try store.node(.artifact, id: id) else { return nil }
            return try kind(forTypeID: node.typeID, among: EntityKind.publicArtifacts)
        }
    }
}
