/// Every entity the registry stores, with the MLMD type and properties upstream uses (see
/// Docs/architecture.md for where we deliberately differ). Type ids on a fresh store follow
/// `all`'s order, the fixed order of upstream v0.3.0 (10 = kf.RegisteredModel, …).
extension EntityKind {
    private static let description = FieldSpec("description", .property("description", .string), .string)
    private static func liveState(_ name: String) -> FieldSpec {
        FieldSpec("state", .property("state", .string), .enumeration(name: name, values: Enumerations.liveArchived),
                  default: .string("LIVE"))
    }
    private static let artifactCommon: [FieldSpec] = [
        description,
        FieldSpec("uri", .uriColumn, .string),
        FieldSpec("state", .stateColumn, .enumeration(name: "ArtifactState", values: Enumerations.artifactState)),
        FieldSpec("experimentId", .customProperty("experiment_id"), .id, .readOnly),
        FieldSpec("experimentRunId", .customProperty("experiment_run_id"), .id, .readOnly),
    ]

    public static let registeredModel = EntityKind(
        typeName: "kf.RegisteredModel", displayName: "registered model", schemaName: "RegisteredModel", node: .context,
        fields: [
            description,
            FieldSpec("owner", .property("owner", .string), .string),
            liveState("RegisteredModelState"),
            FieldSpec("language", .property("language", .struct), .stringList),
            FieldSpec("libraryName", .property("library_name", .string), .string),
            FieldSpec("licenseLink", .property("license_link", .string), .string),
            FieldSpec("license", .property("license", .string), .string),
            FieldSpec("logo", .property("logo", .string), .string),
            FieldSpec("maturity", .property("maturity", .string), .string),
            FieldSpec("provider", .property("provider", .string), .string),
            FieldSpec("readme", .property("readme", .string), .string),
            FieldSpec("tasks", .property("tasks", .struct), .stringList),
        ],
        naming: .topLevel, nameRequired: true)

    public static let modelVersion = EntityKind(
        typeName: "kf.ModelVersion", displayName: "model version", schemaName: "ModelVersion", node: .context,
        fields: [
            description,
            FieldSpec("author", .property("author", .string), .string),
            liveState("ModelVersionState"),
            FieldSpec("registeredModelId", .property("registered_model_id", .int), .id, .createOnly, required: true,
                      references: "kf.RegisteredModel"),
        ],
        otherDeclaredProperties: [("model_name", .string), ("version", .string)],
        naming: .prefixedByParent, parentField: "registeredModelId", nameRequired: true)

    public static let docArtifact = EntityKind(
        typeName: "kf.DocArtifact", displayName: "doc artifact", schemaName: "DocArtifact", node: .artifact,
        fields: artifactCommon, artifactType: "doc-artifact", naming: .prefixedByOwner, nameRequired: false)

    public static let modelArtifact = EntityKind(
        typeName: "kf.ModelArtifact", displayName: "model artifact", schemaName: "ModelArtifact", node: .artifact,
        fields: artifactCommon + [
            FieldSpec("modelFormatName", .property("model_format_name", .string), .string),
            FieldSpec("modelFormatVersion", .property("model_format_version", .string), .string),
            FieldSpec("serviceAccountName", .property("service_account_name", .string), .string),
            FieldSpec("storageKey", .property("storage_key", .string), .string),
            FieldSpec("storagePath", .property("storage_path", .string), .string),
            FieldSpec("modelSourceKind", .property("model_source_kind", .string), .string),
            FieldSpec("modelSourceClass", .property("model_source_class", .string), .string),
            FieldSpec("modelSourceGroup", .property("model_source_group", .string), .string),
            FieldSpec("modelSourceId", .property("model_source_id", .string), .string),
            FieldSpec("modelSourceName", .property("model_source_name", .string), .string),
        ],
        artifactType: "model-artifact", naming: .prefixedByOwner, nameRequired: false)

    public static let servingEnvironment = EntityKind(
        typeName: "kf.ServingEnvironment", displayName: "serving environment", schemaName: "ServingEnvironment",
        node: .context, fields: [description], naming: .topLevel, nameRequired: true)

    public static let inferenceService = EntityKind(
        typeName: "kf.InferenceService", displayName: "inference service", schemaName: "InferenceService", node: .context,
        fields: [
            description,
            FieldSpec("desiredState", .property("desired_state", .string),
                      .enumeration(name: "InferenceServiceState", values: Enumerations.inferenceServiceState),
                      default: .string("DEPLOYED")),
            FieldSpec("modelVersionId", .property("model_version_id", .int), .id, references: "kf.ModelVersion"),
            FieldSpec("registeredModelId", .property("registered_model_id", .int), .id, .createOnly, required: true,
                      references: "kf.RegisteredModel"),
            FieldSpec("runtime", .property("runtime", .string), .string),
            FieldSpec("servingEnvironmentId", .property("serving_environment_id", .int), .id, .createOnly, required: true,
                      references: "kf.ServingEnvironment"),
        ],
        naming: .prefixedByParent, parentField: "servingEnvironmentId",
        nameRequired: false)

    public static let serveModel = EntityKind(
        typeName: "kf.ServeModel", displayName: "serve model", schemaName: "ServeModel", node: .execution,
        fields: [
            description,
            FieldSpec("lastKnownState", .stateColumn, .enumeration(name: "ExecutionState", values: Enumerations.executionState),
                      default: .string("UNKNOWN")),
            FieldSpec("modelVersionId", .property("model_version_id", .int), .id, .createOnly, required: true,
                      references: "kf.ModelVersion"),
        ],
        naming: .prefixedByOwner, nameRequired: false)

    private static let metricFields: [FieldSpec] = artifactCommon + [
        FieldSpec("value", .property("value", .double), .double),
        FieldSpec("timestamp", .property("timestamp", .string), .numericString),
        FieldSpec("step", .property("step", .int), .integer),
    ]

    /// Internal: one row per logged metric value, read through the metric_history endpoints.
    public static let metricHistory = EntityKind(
        typeName: "kf.MetricHistory", displayName: "metric history", schemaName: "Metric", node: .artifact,
        fields: metricFields, artifactType: "metric", naming: .prefixedByOwner, nameRequired: false)

    public static let experiment = EntityKind(
        typeName: "kf.Experiment", displayName: "experiment", schemaName: "Experiment", node: .context,
        fields: [description, FieldSpec("owner", .property("owner", .string), .string), liveState("ExperimentState")],
        naming: .topLevel, nameRequired: true)

    public static let experimentRun = EntityKind(
        typeName: "kf.ExperimentRun", displayName: "experiment run", schemaName: "ExperimentRun", node: .context,
        fields: [
            description,
            FieldSpec("owner", .property("owner", .string), .string),
            liveState("ExperimentRunState"),
            FieldSpec("status", .property("status", .string),
                      .enumeration(name: "ExperimentRunStatus", values: Enumerations.experimentRunStatus),
                      default: .string("RUNNING")),
            FieldSpec("startTimeSinceEpoch", .property("start_time_since_epoch", .int), .int64String),
            FieldSpec("endTimeSinceEpoch", .property("end_time_since_epoch", .int), .int64String),
            FieldSpec("experimentId", .property("experiment_id", .int), .id, .createOnly, required: true,
                      references: "kf.Experiment"),
        ],
        naming: .prefixedByParent, parentField: "experimentId", nameRequired: false)

    public static let dataSet = EntityKind(
        typeName: "kf.DataSet", displayName: "dataset artifact", schemaName: "DataSet", node: .artifact,
        fields: artifactCommon + [
            FieldSpec("digest", .property("digest", .string), .string),
            FieldSpec("sourceType", .property("source_type", .string), .string),
            FieldSpec("source", .property("source", .string), .string),
            FieldSpec("schema", .property("schema", .string), .string),
            FieldSpec("profile", .property("profile", .string), .string),
        ],
        artifactType: "dataset-artifact", naming: .prefixedByOwner, nameRequired: false)

    public static let metric = EntityKind(
        typeName: "kf.Metric", displayName: "metric artifact", schemaName: "Metric", node: .artifact,
        fields: metricFields, artifactType: "metric", naming: .prefixedByOwner, nameRequired: false)

    public static let parameter = EntityKind(
        typeName: "kf.Parameter", displayName: "parameter artifact", schemaName: "Parameter", node: .artifact,
        fields: artifactCommon + [
            FieldSpec("value", .property("value", .string), .string),
            FieldSpec("parameterType", .property("parameter_type", .string),
                      .enumeration(name: "ParameterType", values: Enumerations.parameterType)),
        ],
        artifactType: "parameter", naming: .prefixedByOwner, nameRequired: false)

    /// Every kind, in upstream v0.3.0's type-id order.
    public static let all: [EntityKind] = [
        registeredModel, modelVersion, docArtifact, modelArtifact, servingEnvironment, inferenceService,
        serveModel, metricHistory, experiment, experimentRun, dataSet, metric, parameter,
    ]

    /// The artifact kinds clients see through the polymorphic `/artifacts` endpoints.
    public static let publicArtifacts: [EntityKind] = [modelArtifact, docArtifact, dataSet, metric, parameter]

    public static func named(_ typeName: String) -> EntityKind? {
        all.first { $0.typeName == typeName }
    }

    public static func artifactKind(forType artifactType: String) -> EntityKind? {
        publicArtifacts.first { $0.artifactType == artifactType }
    }
}
