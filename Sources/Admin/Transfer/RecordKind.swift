import Registry

/// The `kind` of an export record: the REST schema name, except that metric-history rows (which
/// the API shows as `Metric`s) are `MetricHistory`.
enum RecordKind: String, CaseIterable, Sendable {
    case registeredModel = "RegisteredModel"
    case modelVersion = "ModelVersion"
    case servingEnvironment = "ServingEnvironment"
    case inferenceService = "InferenceService"
    case serveModel = "ServeModel"
    case experiment = "Experiment"
    case experimentRun = "ExperimentRun"
    case modelArtifact = "ModelArtifact"
    case docArtifact = "DocArtifact"
    case dataSet = "DataSet"
    case metric = "Metric"
    case parameter = "Parameter"
    case metricHistory = "MetricHistory"

    var entityKind: EntityKind {
        switch self {
        case .registeredModel: return .registeredModel
        case .modelVersion: return .modelVersion
        case .servingEnvironment: return .servingEnvironment
        case .inferenceService: return .inferenceService
        case .serveModel: return .serveModel
        case .experiment: return .experiment
        case .experimentRun: return .experimentRun
        case .modelArtifact: return .modelArtifact
        case .docArtifact: return .docArtifact
        case .dataSet: return .dataSet
        case .metric: return .metric
        case .parameter: return .parameter
        case .metricHistory: return .metricHistory
        }
    }

    init?(_ kind: EntityKind) {
        guard let match = RecordKind.allCases.first(where: { $0.entityKind == kind }) else { return nil }
        self = match
    }

    /// Stored verbatim and unique per type, so an import can clash with existing names.
    var isTopLevel: Bool { entityKind.naming == .topLevel }
}

/// The export file format (JSON Lines), version 1. See Docs/admin.md.
enum ExportFormat {
    static let name = "model-registry-export"
    static let version: Int64 = 1
    static let headerKind = "Header"
    static let footerKind = "Footer"
    /// The API version whose shapes the entities have.
    static let apiVersion = "v1alpha3"
}
