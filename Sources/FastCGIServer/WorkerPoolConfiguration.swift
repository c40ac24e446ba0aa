/// How the prefork pool runs.
public struct WorkerPoolConfiguration: Sendable {
    public static let defaultMaxBodyBytes = 16 * 1024 * 1024

    /// The unix socket nginx connects to.
    public var socketPath: String
    public var workerCount: Int
    /// Larger request bodies are answered with 413 without being read.
    public var maxBodyBytes: Int
    public var listenBacklog: Int32
    /// How long SIGTERM waits for in-flight requests before workers are killed.
    public var drainTimeout: Double
    /// More than `restartBurstLimit` unexpected worker deaths within `restartBurstWindow`
    /// seconds pause restarts for `restartPause` seconds.
    public var restartBurstLimit: Int
    public var restartBurstWindow: Double
    public var restartPause: Double

    public init(
        socketPath: String,
        workerCount: Int,
        maxBodyBytes: Int = WorkerPoolConfiguration.defaultMaxBodyBytes,
        listenBacklog: Int32 = 1024,
        drainTimeout: Double = 30,
        restartBurstLimit: Int = 5,
        restartBurstWindow: Double = 10,
        restartPause: Double = 10
    ) {
        self.socketPath = socketPath
        self.workerCount = workerCount
        self.maxBodyBytes = maxBodyBytes
        self.listenBacklog = listenBacklog
        self.drainTimeout = drainTimeout
        self.restartBurstLimit = restartBurstLimit
        self.restartBurstWindow = restartBurstWindow
        self.restartPause = restartPause
    }
}
