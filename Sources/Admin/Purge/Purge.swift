import JSON
import MLMD
import Registry

/// `purge --archived-before DATE`: permanently removes ARCHIVED registered models (with all
/// their versions) and ARCHIVED model versions last updated before DATE, with the artifacts
/// attributed only to them, their properties and every link row. Artifacts shared with
/// something that stays keep existing (only the link goes). Models and versions an inference
/// service or serve model refers to are kept and listed.
///
/// The plan is made in one read snapshot; the deletes run in batches of `batchSize` versions,
/// one short `BEGIN IMMEDIATE` transaction each, and every batch re-checks its rules under the
/// write lock (the entity may have been un-archived, updated or put to use since). A model is
/// deleted after its versions, so an interrupted purge leaves a smaller model, never an orphan.
public struct PurgeOperation {
    public var path: String
    /// Milliseconds since the epoch; see `PurgeDate.parse`.
    public var archivedBefore: Int64
    public var dryRun = false
    public var batchSize = 50
    public var busyTimeout: Int32 = Admin.defaultBusyTimeoutMilliseconds

    public init(path: String, archivedBefore: Int64) {
        self.path = path
        self.archivedBefore = archivedBefore
    }

    public func run(_ context: AdminContext = .silent) throws -> PurgeReport {
        guard archivedBefore >= 0 else { throw AdminError.usage("--archived-before must not be before 1970") }
        guard (1...10_000).contains(batchSize) else { throw AdminError.usage("--batch-size must be between 1 and 10000") }
        let store = dryRun ? try StoreAccess.openStoreForReading(path, busyTimeout: busyTimeout)
                           : try StoreAccess.openStoreForWriting(path, busyTimeout: busyTimeout)
        let connection = store.connection
        let started = Files.monotonicSeconds()
        do {
            guard let rules = try PurgeRules(connection: connection, cutoff: archivedBefore) else {
                return PurgeReport(path: path, cutoff: archivedBefore, dryRun: dryRun, plan: PurgePlan())
            }
            let plan = try connection.transaction(write: false) { try PurgePlan.make(rules) }
            var report = PurgeReport(path: path, cutoff: archivedBefore, dryRun: dryRun, plan: plan)
            if !dryRun {
                try execute(plan, rules: rules, report: &report, context: context)
            }
            report.seconds = Files.monotonicSeconds() - started
            return report
        } catch {
            throw AdminError.from(error, path: path, doing: "purge failed")
        }
    }

    private enum Unit {
        case version(Int64, model: Int64?)
        case model(Int64)
    }

    private func execute(_ plan: PurgePlan, rules: PurgeRules, report: inout PurgeReport, context: AdminContext) throws {
        var units: [Unit] = []
        for model in plan.models {
            units += model.versions.map { Unit.version($0, model: model.id) }
            units.append(.model(model.id))
        }
        units += plan.versions.map { Unit.version($0.id, model: nil) }
        let deleter = NodeDeleter(connection: rules.connection)
        var abandonedModels: Set<Int64> = []
        var done = 0
        context.startProgress("purge", total: Int64(units.count))
        defer { context.finishProgress() }
        var index = 0
        while index < units.count {
            let batch = units[index..<min(index + batchSize, units.count)]
            index += batch.count
            try rules.connection.transaction(write: true) {
                var versions: [(id: Int64, model: Int64?)] = []
                func flush() throws {
                    let ids = versions.filter { $0.model.map { !abandonedModels.contains($0) } ?? true }.map(\.id)
                    let counts = try deleter.deleteContexts(ids)
                    report.removedVersions += counts.contexts
                    report.removedArtifacts += counts.artifacts
                    versions = []
                }
                for unit in batch {
                    switch unit {
                    case .version(let id, let model):
                        if let model {
                            if abandonedModels.contains(model) { continue }
                            if let reason = try modelNoLongerPurgeable(model, rules: rules) {
                                abandonedModels.insert(model)
                                report.changedDuringPurge.append(PurgePlan.Kept(kind: "RegisteredModel", id: model, name: "", reason: reason))
                                continue
                            }
                        } else if !(try rules.isPurgeable(id, type: rules.versionType)) {
                            report.changedDuringPurge.append(PurgePlan.Kept(kind: "ModelVersion", id: id, name: "",
                                                                            reason: "no longer archived before the cutoff"))
                            continue
                        }
                        if let reason = try rules.versionInUse(id) {
                            if let model { abandonedModels.insert(model) }
                            report.changedDuringPurge.append(PurgePlan.Kept(kind: "ModelVersion", id: id, name: "", reason: reason))
                            continue
                        }
                        versions.append((id, model))
                    case .model(let id):
                        // Its versions in this batch go first.
                        try flush()
                        if abandonedModels.contains(id) { continue }
                        if let reason = try modelNoLongerPurgeable(id, rules: rules) {
                            report.changedDuringPurge.append(PurgePlan.Kept(kind: "RegisteredModel", id: id, name: "", reason: reason))
                            continue
                        }
                        let remaining = try rules.versions(of: id)
                        if !remaining.isEmpty {
                            report.changedDuringPurge.append(PurgePlan.Kept(kind: "RegisteredModel", id: id, name: "",
                                                                            reason: "it gained \(remaining.count) version(s) during the purge"))
                            continue
                        }
                        let removed = try deleter.deleteContexts([id])
                        report.removedModels += removed.contexts
                        report.removedArtifacts += removed.artifacts
                    }
                }
                try flush()
            }
            report.batches += 1
            done += batch.count
            context.advanceProgress(to: Int64(done))
        }
        context.log("purge: removed \(report.removedModels) model(s), \(report.removedVersions) version(s), \(report.removedArtifacts) artifact(s) in \(report.batches) batch(es)")
    }

    private func modelNoLongerPurgeable(_ id: Int64, rules: PurgeRules) throws -> String? {
        guard try rules.isPurgeable(id, type: rules.modelType) else { return "no longer archived before the cutoff" }
        return try rules.modelInUse(id)
    }
}

public struct PurgeReport: AdminReport {
    public var path: String
    public var cutoff: Int64
    public var dryRun: Bool
    public var plan: PurgePlan
    public var removedModels = 0
    public var removedVersions = 0
    public var removedArtifacts = 0
    public var batches = 0
    /// Planned entities that were kept because they changed between the plan and their batch.
    public var changedDuringPurge: [PurgePlan.Kept] = []
    public var seconds: Double = 0

    init(path: String, cutoff: Int64, dryRun: Bool, plan: PurgePlan) {
        self.path = path
        self.cutoff = cutoff
        self.dryRun = dryRun
        self.plan = plan
    }

    public var problemsFound: Bool { false }

    public var json: JSON {
        let planned: JSON = .object([
            "registeredModels": .array(plan.models.map {
                .object(["id": .string(String($0.id)), "name": .string($0.name), "lastUpdateTimeSinceEpoch": .string(String($0.updated)),
                         "versions": .int(Int64($0.versions.count)), "artifacts": .int(Int64($0.artifacts))])
            }),
            "modelVersions": .array(plan.versions.map {
                .object(["id": .string(String($0.id)), "name": .string($0.name), "lastUpdateTimeSinceEpoch": .string(String($0.updated)),
                         "artifacts": .int(Int64($0.artifacts))])
            }),
        ])
        func kept(_ list: [PurgePlan.Kept]) -> JSON {
            .array(list.map { .object(["kind": .string($0.kind), "id": .string(String($0.id)), "name": .string($0.name), "reason": .string($0.reason)]) })
        }
        var object: [String: JSON] = [
            "ok": .bool(true),
            "command": .string("purge"),
            "database": .string(path),
            "archivedBefore": .string(Files.iso8601(milliseconds: cutoff)),
            "archivedBeforeMs": .int(cutoff),
            "dryRun": .bool(dryRun),
            "planned": planned,
            "kept": kept(plan.kept),
            "seconds": .double((seconds * 1000).rounded() / 1000),
        ]
        if !dryRun {
            object["removed"] = .object(["registeredModels": .int(Int64(removedModels)), "modelVersions": .int(Int64(removedVersions)),
                                         "artifacts": .int(Int64(removedArtifacts))])
            object["keptBecauseChanged"] = kept(changedDuringPurge)
            object["batches"] = .int(Int64(batches))
        }
        return .object(object)
    }

    public var text: String {
        var lines: [String] = []
        let cutoffText = Files.iso8601(milliseconds: cutoff)
        let versionCount = plan.models.reduce(0) { $0 + $1.versions.count } + plan.versions.count
        let artifactCount = plan.models.reduce(0) { $0 + $1.artifacts } + plan.versions.reduce(0) { $0 + $1.artifacts }
        if dryRun {
            lines.append("\(path): would remove \(plan.models.count) archived registered model(s), \(versionCount) model version(s) and \(artifactCount) artifact(s) archived before \(cutoffText) (--dry-run)")
        } else {
            lines.append("\(path): removed \(removedModels) registered model(s), \(removedVersions) model version(s) and \(removedArtifacts) artifact(s) archived before \(cutoffText)")
        }
        for model in plan.models {
            lines.append("  registered model \(model.id) \"\(model.name)\": \(model.versions.count) version(s), \(model.artifacts) artifact(s)")
        }
        for version in plan.versions {
            lines.append("  model version \(version.id) \"\(version.name)\": \(version.artifacts) artifact(s)")
        }
        for entry in plan.kept + changedDuringPurge {
            lines.append("  kept \(entry.kind) \(entry.id)\(entry.name.isEmpty ? "" : " \"\(entry.name)\""): \(entry.reason)")
        }
        return lines.joined(separator: "\n")
    }
}
