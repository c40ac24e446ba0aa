import MLMD
import Registry

/// What a purge removes and what it keeps, and the rules both the plan and each delete
/// transaction check (the store may change between the plan and the deletes).
struct PurgeRules {
    let connection: Connection
    let cutoff: Int64
    let modelType: Int64
    let versionType: Int64
    let serviceType: Int64
    let serveModelType: Int64

    init?(connection: Connection, cutoff: Int64) throws {
        func id(_ kind: EntityKind) throws -> Int64? { try EntityCounts.typeID(connection, kind) }
        guard let model = try id(.registeredModel), let version = try id(.modelVersion) else { return nil }
        self.connection = connection
        self.cutoff = cutoff
        modelType = model
        versionType = version
        serviceType = try id(.inferenceService) ?? -1
        serveModelType = try id(.serveModel) ?? -1
    }

    /// Archived contexts of a type last updated before the cutoff: (id, stored name, update time).
    func archived(type: Int64) throws -> [(id: Int64, name: String, updated: Int64)] {
        try connection.all("""
            SELECT c.id, c.name, c.last_update_time_since_epoch FROM Context c
            JOIN ContextProperty p ON p.context_id = c.id AND p.name = 'state' AND p.is_custom_property = 0
            WHERE c.type_id = ? AND p.string_value = 'ARCHIVED' AND c.last_update_time_since_epoch < ?
            ORDER BY c.id
            """, [.integer(type), .integer(cutoff)]) { ($0.int64(0), $0.string(1), $0.int64(2)) }
    }

    /// True when the context is (still) of `type`, ARCHIVED and last updated before the cutoff.
    func isPurgeable(_ id: Int64, type: Int64) throws -> Bool {
        try connection.scalarInt("""
            SELECT COUNT(*) FROM Context c
            JOIN ContextProperty p ON p.context_id = c.id AND p.name = 'state' AND p.is_custom_property = 0
            WHERE c.id = ? AND c.type_id = ? AND p.string_value = 'ARCHIVED' AND c.last_update_time_since_epoch < ?
            """, [.integer(id), .integer(type), .integer(cutoff)]) ?? 0 > 0
    }

    func versions(of model: Int64) throws -> [Int64] {
        try connection.all("""
            SELECT pc.context_id FROM ParentContext pc JOIN Context v ON v.id = pc.context_id AND v.type_id = ?
            WHERE pc.parent_context_id = ? ORDER BY pc.context_id
            """, [.integer(versionType), .integer(model)]) { $0.int64(0) }
    }

    /// Why a registered model must stay: an inference service serves it.
    func modelInUse(_ id: Int64) throws -> String? {
        if let service = try connection.scalarInt("""
            SELECT c.id FROM Context c JOIN ContextProperty p ON p.context_id = c.id
            WHERE p.name = 'registered_model_id' AND p.is_custom_property = 0 AND p.int_value = ? AND c.type_id = ? LIMIT 1
            """, [.integer(id), .integer(serviceType)]) {
            return "inference service \(service) refers to it"
        }
        return nil
    }

    /// Why a model version must stay: an inference service or serve model refers to it.
    func versionInUse(_ id: Int64) throws -> String? {
        if let service = try connection.scalarInt("""
            SELECT c.id FROM Context c JOIN ContextProperty p ON p.context_id = c.id
            WHERE p.name = 'model_version_id' AND p.is_custom_property = 0 AND p.int_value = ? AND c.type_id = ? LIMIT 1
            """, [.integer(id), .integer(serviceType)]) {
            return "inference service \(service) refers to it"
        }
        if let serve = try connection.scalarInt("""
            SELECT e.id FROM Execution e JOIN ExecutionProperty p ON p.execution_id = e.id
            WHERE p.name = 'model_version_id' AND p.is_custom_property = 0 AND p.int_value = ? AND e.type_id = ? LIMIT 1
            """, [.integer(id), .integer(serveModelType)]) {
            return "serve model \(serve) refers to it"
        }
        return nil
    }

    /// Why a model (with all its versions) must stay, or nil.
    func modelBlocked(_ id: Int64, versions: [Int64]) throws -> String? {
        if let reason = try modelInUse(id) { return reason }
        for version in versions {
            if let reason = try versionInUse(version) { return "its version \(version) is in use: \(reason)" }
        }
        return nil
    }
}

/// The purge plan, made in one read snapshot.
public struct PurgePlan: Sendable {
    public struct Model: Sendable {
        public var id: Int64
        public var name: String
        public var updated: Int64
        public var versions: [Int64]
        public var artifacts: Int
    }

    public struct Version: Sendable {
        public var id: Int64
        public var name: String
        public var updated: Int64
        public var artifacts: Int
    }

    public struct Kept: Sendable, Equatable {
        public var kind: String
        public var id: Int64
        public var name: String
        public var reason: String
    }

    public var models: [Model] = []
    public var versions: [Version] = []
    public var kept: [Kept] = []

    static func make(_ rules: PurgeRules) throws -> PurgePlan {
        var plan = PurgePlan()
        let deleter = NodeDeleter(connection: rules.connection)
        var covered: Set<Int64> = []
        for model in try rules.archived(type: rules.modelType) {
            let versions = try rules.versions(of: model.id)
            if let reason = try rules.modelBlocked(model.id, versions: versions) {
                plan.kept.append(Kept(kind: "RegisteredModel", id: model.id, name: model.name, reason: reason))
                continue
            }
            let artifacts = try deleter.artifactsAttributedOnly(to: versions + [model.id]).count
            plan.models.append(Model(id: model.id, name: model.name, updated: model.updated, versions: versions, artifacts: artifacts))
            covered.formUnion(versions)
        }
        for version in try rules.archived(type: rules.versionType) where !covered.contains(version.id) {
            if let reason = try rules.versionInUse(version.id) {
                plan.kept.append(Kept(kind: "ModelVersion", id: version.id, name: version.name, reason: reason))
                continue
            }
            let artifacts = try deleter.artifactsAttributedOnly(to: [version.id]).count
            plan.versions.append(Version(id: version.id, name: version.name, updated: version.updated, artifacts: artifacts))
        }
        return plan
    }
}
