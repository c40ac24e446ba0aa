import MLMD

extension RegistryService {
    /// Logs an artifact under an owner (a model version or an experiment run) without an id:
    /// metrics and parameters with a name already logged there are updated, anything else is
    /// created. Under a run the artifact records the run and its experiment, and every metric
    /// value is also kept as a metric-history row. Returns the artifact and whether it is new.
    public func logArtifact(_ entity: Entity, owner: Owner) throws -> (entity: Entity, created: Bool) {
        try write {
            var entity = entity
            if owner.kind == .experimentRun {
                guard let run = try load(owner.kind, id: owner.id) else {
                    throw RegistryError.notFound("no \(owner.kind.displayName) found for id \(owner.id)")
                }
                entity.fields["experimentRunId"] = .int(owner.id)
                if let experimentID = run.int("experimentId") { entity.fields["experimentId"] = .int(experimentID) }
            } else if try !exists(owner.kind, id: owner.id) {
                // Only a run's fields are needed; anything else just has to be there.
                throw RegistryError.notFound("no \(owner.kind.displayName) found for id \(owner.id)")
            }
            let kind = entity.kind
            var result: Entity
            var created = false
            if (kind == .metric || kind == .parameter), let name = entity.name,
               let existing = try artifactNamed(name, kind: kind, attributedTo: owner.id) {
                guard var node = try store.node(.artifact, id: existing) else {
                    throw RegistryError.notFound("no \(kind.displayName) found for id \(existing)")
                }
                try applyUpdate(kind: kind, node: &node, patch: entity)
                try setRunLinks(of: entity, artifact: existing)
                result = try load(kind, id: existing)!
            } else {
                result = try create(entity, owner: owner, ownerChecked: true)
                created = true
            }
            if kind == .metric, owner.kind == .experimentRun {
                try recordMetricHistory(result, run: owner.id)
            }
            return (result, created)
        }
    }

    /// The id of the artifact of this kind and client name attributed to a context.
    func artifactNamed(_ name: String, kind: EntityKind, attributedTo context: Int64) throws -> Int64? {
        try connection.scalarInt("""
            SELECT e.id FROM Artifact e JOIN Attribution a ON a.artifact_id = e.id AND a.context_id = ?
            WHERE e.type_id = ? AND substr(e.name, instr(e.name, ':') + 1) = ? ORDER BY e.id LIMIT 1
            """, [.integer(context), .integer(try typeID(kind)), .text(name)])
    }

    private func setRunLinks(of entity: Entity, artifact id: Int64) throws {
        for field in entity.kind.fields {
            if case .customProperty = field.storage, let value = entity.fields[field.json],
               let row = EntityMapping.propertyRow(for: field, value: value) {
                try store.setProperty(.artifact, owner: id, row)
            }
        }
    }

    /// One `kf.MetricHistory` row per logged value, named `"<runId>:<metric>__<update ms>"`
    /// (update times strictly increase per metric, so names never collide).
    private func recordMetricHistory(_ metric: Entity, run: Int64) throws {
        var history = metric
        history.kind = .metricHistory
        history.id = nil
        history.externalID = nil
        history.name = "\(metric.name ?? "")__\(metric.updateTime ?? Self.now())"
        _ = try create(history, owner: Owner(kind: .experimentRun, id: run, link: .attribution))
    }

    /// Strips the `__<timestamp>` suffix of a metric-history row so it reads as the metric.
    public static func metricFromHistory(_ entity: Entity) -> Entity {
        var metric = entity
        if let name = entity.name, let separator = name.range(of: "__", options: .backwards) {
            metric.name = String(name[..<separator.lowerBound])
        }
        metric.kind = .metric
        return metric
    }
}
