/// How the prefork pool runs.
public struct WorkerPoolConfiguration: Sendable {
    public static let defaultMaxBodyBytes = 16 * 1024 * 1024

    /// The unix socket nginx connects to.
    public var socketPath: String
    public var workerCount: Int
    /// When set, one more worker, the writer, listens here, and nginx sends it every request
    /// that is not a GET or HEAD: a single writer keeps its page cache warm (each commit by
    /// another connection empties it) and acknowledges writes after a shared disk sync (group
    /// commit, `GroupCommitQueue`). The other workers still take writes sent to `socketPath`.
    public var writerSocketPath: String?
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
        writerSocketPath: String? = nil,
        maxBodyBytes: Int = WorkerPoolConfiguration.defaultMaxBodyBytes,
        listenBacklog: Int32 = 1024,
        drainTimeout: Double = 30,
        restartBurstLimit: Int = 5,
        restartBurstWindow: Double = 10,
        restartPause: Double = 10
    ) {
        self.socketPath = socketPath
        self.workerCount = workerCount
        self.writerSocketPath = writerSocketPath
        self.maxBodyBytes = maxBodyBytes
        self.listenBacklog = listenBacklog
        self.drainTimeout = drainTimeout
        self.restartBurstLimit = restartBurstLimit
        self.restartBurstWindow = restartBurstWindow
        self.restartPause = restartPause
    }
}

/// What a worker process serves.
public enum WorkerRole: Sendable, Equatable, CustomStringConvertible {
    /// One of `workerCount` workers on the pool's socket: any request.
    case general
    /// The one worker on `writerSocketPath`: the writes nginx routes to it, answered after a
    /// shared sync.
    case writer

    public var description: String {
        switch self {
        case .general: return "worker"
        case .writer: return "writer"
        }
    }
}
