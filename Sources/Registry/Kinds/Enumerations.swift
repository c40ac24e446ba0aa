/// The REST enums. For enums stored in an integer column the index is the stored code, which
/// matches MLMD's proto enums.
public enum Enumerations {
    public static let liveArchived = ["LIVE", "ARCHIVED"]
    public static let artifactState = ["UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE"]
    public static let executionState = ["UNKNOWN", "NEW", "RUNNING", "COMPLETE", "FAILED", "CACHED", "CANCELED"]
    public static let inferenceServiceState = ["DEPLOYED", "UNDEPLOYED"]
    public static let experimentRunStatus = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]
    public static let parameterType = ["string", "number", "boolean", "object"]
}
