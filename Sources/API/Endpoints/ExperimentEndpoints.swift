import JSON
import Registry

/// Experiments, their runs, the artifacts logged to runs and metric history.
extension Endpoints {
    var experimentRoutes: [Route] {
        let entities = EntityOperations(service: service)
        let artifacts = ArtifactOperations(service: service)
        let experiment = EntityKind.experiment
        let run = EntityKind.experimentRun
        return [
            Route("experiments", [
                "GET": entities.list([experiment]),
                "POST": entities.create(experiment),
            ]),
            Route("experiments/{id}", [
                "GET": entities.get(experiment),
                "PATCH": entities.update(experiment),
            ]),
            Route("experiments/{id}/experiment_runs", [
                "GET": runsOfExperiment(),
                "POST": createRun(underExperiment: true),
            ]),
            Route("experiment", ["GET": entities.find([experiment])]),

            // Literal paths before `experiment_runs/{id}`.
            Route("experiment_runs/metric_history", ["GET": metricHistory(ofRun: false)]),
            Route("experiment_runs", [
                "GET": entities.list([run]),
                "POST": createRun(underExperiment: false),
            ]),
            Route("experiment_runs/{id}", [
                "GET": entities.get(run),
                "PATCH": updateRun(),
            ]),
            Route("experiment_runs/{id}/artifacts", [
                "GET": artifacts.list(owner: Self.owner(run, .attribution), acceptsNameFilters: true),
                "POST": artifacts.upsertUnderOwner(run),
            ]),
            Route("experiment_runs/{id}/metric_history", ["GET": metricHistory(ofRun: true)]),
            Route("experiment_run", ["GET": entities.find([run], parentLink: .parentContext)]),
        ]
    }

    /// `GET /experiments/{id}/experiment_runs`: 404 for an unknown experiment, as upstream.
    private func runsOfExperiment() -> Handler {
        let list = EntityOperations(service: service).list([.experimentRun], owner: Self.owner(.experiment, .parentContext),
                                                             acceptsNameFilters: true)
        return { context in
            _ = try service.get(.experiment, id: try EntityOperations.pathID(context.pathParameters[0], of: .experiment))
            return try list(context)
        }
    }

    private func createRun(underExperiment: Bool) -> Handler {
        let entities = EntityOperations(service: service)
        let create = underExperiment
            ? entities.createUnderParent(.experimentRun, parentKind: .experiment, schema: .full)
            : entities.create(.experimentRun)
        return { context in
            let object = try EntityCoding.parseObject(context.body)
            try Self.checkRunTimes(start: object["startTimeSinceEpoch"], end: object["endTimeSinceEpoch"])
            return try create(context)
        }
    }

    private func updateRun() -> Handler {
        let update = EntityOperations(service: service).update(.experimentRun)
        return { context in
            let object = try EntityCoding.parseObject(context.body)
            let id = try EntityOperations.pathID(context.pathParameters[0], of: .experimentRun)
            let stored = try service.get(.experimentRun, id: id)
            let start = object["startTimeSinceEpoch"] ?? stored.int("startTimeSinceEpoch").map { .string(String($0)) }
            let end = object["endTimeSinceEpoch"] ?? stored.int("endTimeSinceEpoch").map { .string(String($0)) }
            try Self.checkRunTimes(start: start, end: end)
            return try update(context)
        }
    }

    static func checkRunTimes(start: JSON?, end: JSON?) throws {
        guard case .string(let startText)? = start, case .string(let endText)? = end,
              let startTime = Int64(startText), let endTime = Int64(endText) else { return }
        if endTime < startTime {
            throw RegistryError.badRequest("endTimeSinceEpoch \(endTime) is before startTimeSinceEpoch \(startTime)")
        }
    }

    /// `GET /experiment_runs[/{id}]/metric_history`: every logged value of metrics, read as
    /// `Metric`s; `name` matches a substring (LIKE wildcards in it stay active, as upstream),
    /// `stepIds` a comma list of steps.
    private func metricHistory(ofRun: Bool) -> Handler {
        { context in
            var owner: (id: Int64, link: OwnerLink)?
            if ofRun {
                let runID = try EntityOperations.pathID(context.pathParameters[0], of: .experimentRun)
                _ = try service.get(.experimentRun, id: runID)
                owner = (runID, .attribution)
            }
            var query = try EntityOperations.listQuery(context, kinds: [.metricHistory], owner: owner)
            var conditions: [FilterExpression] = []
            if let name = context.query.nonEmpty("name") {
                conditions.append(.comparison(FilterComparison(
                    property: FilterProperty(name: "name"), op: .like, value: .single(.string("%\(name)%")), position: 0)))
            }
            if let stepIDs = context.query.nonEmpty("stepIds") {
                let steps = try stepIDs.split(separator: ",", omittingEmptySubsequences: false).map { text -> FilterLiteral in
                    guard text.count <= 9, let step = Int64(text), step >= 0 else {
                        throw RegistryError.badRequest("invalid step ID '\(text.prefix(32))': must be a valid integer")
                    }
                    return .int(step)
                }
                conditions.append(.comparison(FilterComparison(
                    property: FilterProperty(name: "step"), op: .in, value: .list(steps), position: 0)))
            }
            query.extraFilter = conditions.reduce(nil) { partial, next in partial.map { .and($0, next) } ?? next }
            var page = try service.list(query)
            page.items = page.items.map(RegistryService.metricFromHistory)
            return EntityOperations.pageResponse(page, version: context.version)
        }
    }
}
