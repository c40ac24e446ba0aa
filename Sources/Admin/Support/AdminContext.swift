/// Where an operation sends its log lines and progress. The command line wires these to stderr
/// (a logger and, on a terminal, a progress bar); tests leave them silent.
public struct AdminContext {
    public var log: (String) -> Void
    public var progress: ProgressSink?

    public init(log: @escaping (String) -> Void = { _ in }, progress: ProgressSink? = nil) {
        self.log = log
        self.progress = progress
    }

    public static var silent: AdminContext { AdminContext() }

    func startProgress(_ label: String, total: Int64) { progress?.start(label, total: total) }
    func advanceProgress(to completed: Int64) { progress?.advance(to: completed) }
    func finishProgress() { progress?.finish() }
}

/// Receives progress of long work (pages copied, records written, …).
public protocol ProgressSink: AnyObject {
    func start(_ label: String, total: Int64)
    func advance(to completed: Int64)
    /// Ends the current bar (and clears it from the terminal).
    func finish()
}
