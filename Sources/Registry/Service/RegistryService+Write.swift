import MLMD

/// The context (or execution owner) a new entity is created under, e.g. the model version an
/// artifact is attributed to.
public struct Owner: Sendable {
    public var kind: EntityKind
    public var id: Int64
    public var link: OwnerLink

    public init(kind: EntityKind, id: Int64, link: OwnerLink) {
        self.kind = kind
        self.id = id
        self.link = link
    }
}

extension RegistryService {
    /// The longest stored name MLMD's `VARCHAR(255)` columns hold. SQLite does not enforce it,
    /// MySQL and PostgreSQL do; we check it so a store stays portable.
    static let maxStoredNameLength = 255

    /// Creates an entity (and its parent/owner link) in one transaction and returns it as stored.
    public func create(_ entity: Entity, owner: Owner? = nil) throws -> Entity {
        try create(entity, owner: owner, ownerChecked: false)
    }

    /// `ownerChecked`: the caller has found the owner in this transaction already.
    func create(_ entity: Entity, owner: Owner?, ownerChecked: Bool) throws -> Entity {
        let kind = entity.kind
        try checkStructDepth(entity.customProperties)
        return try write {
            var fields = entity.fields
            for field in kind.fields where fields[field.json] == nil {
                if let value = field.defaultValue { fields[field.json] = value }
            }
            try checkReferences(kind: kind, fields: fields)
            var prefixOwner = owner?.id
            var parentID: Int64?
            if let parentField = kind.parentField {
                guard case .int(let id)? = fields[parentField] else {
                    throw RegistryError.missingRequiredField(parentField)
                }
                parentID = id
                prefixOwner = id
            }
            if let owner, !ownerChecked, try !exists(owner.kind, id: owner.id) {
                throw RegistryError.notFound("no \(owner.kind.displayName) found for id \(owner.id)")
            }

            let storedName = EntityMapping.storedName(for: kind, name: entity.name, ownerID: prefixOwner)
            try checkNameLength(storedName, kind: kind)
            try checkColumnLengths(entity)
            let now = Self.now()
            var node = NodeRow(typeID: try typeID(kind), name: storedName, externalID: entity.externalID,
                               createTime: now, updateTime: now)
            var withDefaults = entity
            withDefaults.fields = fields
            EntityMapping.applyColumns(of: withDefaults, to: &node)
            let id = try insertingUnique(kind: kind, name: entity.name ?? storedName, externalID: entity.externalID) {
                try store.insertNode(kind.node, node)
            }
            // Read-only fields reach here only when the server sets them (run links on artifacts).
            var written: [PropertyRow] = []
            for field in kind.fields {
                if let value = fields[field.json], let row = EntityMapping.propertyRow(for: field, value: value) {
                    try store.setProperty(kind.node, owner: id, row)
                    written.append(row)
                }
            }
            for (name, value) in entity.customProperties ?? [:] {
                let row = PropertyRow(name: name, isCustom: true, value: EntityMapping.propertyValue(from: value))
                try store.setProperty(kind.node, owner: id, row)
                written.append(row)
            }
            if let parentID {
                try store.addParentContext(child: id, parent: parentID)
            }
            if let owner {
                try link(kind: kind, id: id, to: owner)
            }
            // The node is new, so the rows just written are all of its rows: build the entity
            // from them rather than reading them back (a tenth of a create's instructions).
            node.id = id
            return EntityMapping.entity(kind: kind, node: node, properties: Self.asStored(written))
        }
    }

    /// The property rows SQLite holds after writing `rows` in order with INSERT OR REPLACE: one
    /// per (name, custom flag), the last written, names compared as bytes as SQLite does.
    static func asStored(_ rows: [PropertyRow]) -> [PropertyRow] {
        var kept: [PropertyRow] = []
        for row in rows.reversed() where !kept.contains(where: { $0.isCustom == row.isCustom && $0.name.utf8.elementsEqual(row.name.utf8) }) {
            kept.append(row)
        }
        return kept.reversed()
    }

    /// Whether an entity of this kind exists: what `load(kind, id:) != nil` answers, without
    /// reading its properties.
    func exists(_ kind: EntityKind, id: Int64) throws -> Bool {
        guard let node = try store.node(kind.node, id: id) else { return false }
        return node.typeID == (try typeID(kind))
    }

    /// Applies a PATCH: present mutable fields overwrite, absent ones keep their value;
    /// `customProperties`, when present, replaces the whole custom set.
    public func update(_ kind: EntityKind, id: Int64, with patch: Entity) throws -> Entity {
        try write {
            guard var node = try store.node(kind.node, id: id), node.typeID == (try typeID(kind)) else {
                throw RegistryError.notFound("no \(kind.displayName) found for id \(id)")
            }
            try applyUpdate(kind: kind, node: &node, patch: patch)
            return try load(kind, id: id)!
        }
    }

    func applyUpdate(kind: EntityKind, node: inout NodeRow, patch: Entity) throws {
        try checkColumnLengths(patch)
        try checkStructDepth(patch.customProperties)
        if let externalID = patch.externalID { node.externalID = externalID }
        // Strictly increasing, so a client always sees an update move the time forward.
        node.updateTime = max(Self.now(), node.updateTime + 1)
        var mutable = patch
        mutable.fields = patch.fields.filter { kind.field($0.key)?.mutability == .mutable }
        try checkReferences(kind: kind, fields: mutable.fields)
        EntityMapping.applyColumns(of: mutable, to: &node)
        let current = node
        try insertingUnique(kind: kind, name: EntityMapping.clientName(for: kind, stored: node.name) ?? "",
                            externalID: patch.externalID) {
            try store.updateNode(kind.node, current)
        }
        for field in kind.fields where field.mutability == .mutable {
            if let value = mutable.fields[field.json], let row = EntityMapping.propertyRow(for: field, value: value) {
                // An unchanged value (e.g. the state a client sends back) is not rewritten.
                try store.setPropertyIfChanged(kind.node, owner: node.id, row)
            }
        }
        if let custom = patch.customProperties {
            // Custom rows the API shows as fields (experiment ids on artifacts) are not the client's to drop.
            let preserved = try store.properties(kind.node, of: [node.id])[node.id, default: []].filter { row in
                row.isCustom && kind.fields.contains { field in
                    if case .customProperty(let name) = field.storage { return name == row.name }
                    return false
                }
            }
            let rows = custom.map { PropertyRow(name: $0.key, isCustom: true, value: EntityMapping.propertyValue(from: $0.value)) }
            try store.replaceCustomProperties(kind.node, owner: node.id, with: preserved + rows)
        }
    }

    /// Every id field that names another entity must point at an existing one of its type.
    func checkReferences(kind: EntityKind, fields: [String: FieldValue]) throws {
        for field in kind.fields {
            guard let typeName = field.references, case .int(let id)? = fields[field.json],
                  let target = EntityKind.named(typeName) else { continue }
            guard try exists(target, id: id) else {
                throw RegistryError.notFound("no \(target.displayName) found for id \(id)")
            }
        }
    }

    func link(kind: EntityKind, id: Int64, to owner: Owner) throws {
        switch owner.link {
        case .parentContext: try store.addParentContext(child: id, parent: owner.id)
        case .attribution: try store.addAttribution(context: owner.id, artifact: id)
        case .association: try store.addAssociation(context: owner.id, execution: id)
        }
    }

    func checkStructDepth(_ properties: [String: MetadataValue]?) throws {
        for (key, value) in properties ?? [:] {
            if case .structValue(let object) = value, !StructCodec.fits(object) {
                throw RegistryError.badRequest(
                    "custom property '\(key)': struct values may nest at most \(StructCodec.maxNesting) levels")
            }
        }
    }

    func checkNameLength(_ storedName: String, kind: EntityKind) throws {
        // VARCHAR(255) counts code points, not Swift's grapheme clusters.
        let length = storedName.unicodeScalars.count
        guard length <= Self.maxStoredNameLength else {
            throw RegistryError.badRequest(
                "\(kind.displayName) name is too long: stored as \(length) characters, the limit is \(Self.maxStoredNameLength)")
        }
    }

    /// `external_id` and property `name` are `VARCHAR(255)` columns too.
    func checkColumnLengths(_ entity: Entity) throws {
        let limit = Self.maxStoredNameLength
        if let externalID = entity.externalID, externalID.unicodeScalars.count > limit {
            throw RegistryError.badRequest(
                "externalId is too long: \(externalID.unicodeScalars.count) characters, the limit is \(limit)")
        }
        for key in (entity.customProperties ?? [:]).keys where key.unicodeScalars.count > limit {
            throw RegistryError.badRequest(
                "custom property name is too long: \(key.unicodeScalars.count) characters, the limit is \(limit)")
        }
    }

    /// Runs an insert or update, turning a UNIQUE violation into a 409 that says which value clashed.
    @discardableResult
    func insertingUnique<T>(kind: EntityKind, name: String, externalID: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError where error.isConstraintViolation {
            if error.message.contains("external_id") {
                throw RegistryError.conflict("\(kind.displayName) with externalId \(externalID ?? "") already exists")
            }
            throw RegistryError.conflict("\(kind.displayName) with name \(name) already exists")
        }
    }
}

extension RegistryService {
    /// Updates an existing artifact (or other node) and links it to `owner`, in one transaction.
    public func updateAndAttach(_ kind: EntityKind, id: Int64, with patch: Entity, owner: Owner) throws -> Entity {
        try write {
            guard var node = try store.node(kind.node, id: id) else {
                throw RegistryError.notFound("no \(kind.displayName) found for id \(id)")
            }
            guard node.typeID == (try typeID(kind)) else {
                let actual = try store.typeName(id: node.typeID) ?? "unknown"
                throw RegistryError.badRequest("\(kind.displayName) id \(id) refers to a \(actual), not a \(kind.typeName)")
            }
            guard try exists(owner.kind, id: owner.id) else {
                throw RegistryError.notFound("no \(owner.kind.displayName) found for id \(owner.id)")
            }
            try applyUpdate(kind: kind, node: &node, patch: patch)
            try link(kind: kind, id: id, to: owner)
            return try load(kind, id: id)!
        }
    }
}
