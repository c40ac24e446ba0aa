/// Ready-made targets for every REST entity, derived from the entity descriptors in
/// `Kinds/Kinds.swift` (see `FilterTarget.forKinds`), so a filter sees each well-known field
/// exactly where the registry stores it.
extension FilterTarget {
    public static let registeredModel = forKinds([.registeredModel])
    public static let modelVersion = forKinds([.modelVersion])
    public static let servingEnvironment = forKinds([.servingEnvironment])
    public static let inferenceService = forKinds([.inferenceService])
    public static let experiment = forKinds([.experiment])
    public static let experimentRun = forKinds([.experimentRun])
    public static let serveModel = forKinds([.serveModel])
    public static let modelArtifact = forKinds([.modelArtifact])
    public static let docArtifact = forKinds([.docArtifact])
    public static let dataSet = forKinds([.dataSet])
    public static let metric = forKinds([.metric])
    public static let parameter = forKinds([.parameter])

    /// Artifact lists without `artifactType` see the fields of every public artifact kind.
    public static let allArtifacts = forKinds(EntityKind.publicArtifacts)

    /// Metric history rows are filtered like metrics.
    public static let metricHistory = forKinds([.metricHistory])

    /// The target for an `artifactType` query value; nil or empty selects `allArtifacts`.
    /// Returns nil for any other value.
    public static func forArtifactType(_ artifactType: String?) -> FilterTarget? {
        guard let artifactType, !artifactType.isEmpty else { return allArtifacts }
        return EntityKind.artifactKind(forType: artifactType).map { forKinds([$0]) }
    }
}
