#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import API
import Logging

/// A prefork pool of FastCGI workers behind one unix socket.
///
/// The calling process becomes the supervisor: it opens the listening socket once, forks
/// `workerCount` workers, and then only watches them: a worker that dies is replaced
/// (with a pause if workers crash-loop); SIGHUP replaces workers one at a time so some
/// worker always accepts; SIGTERM or SIGINT drains (in-flight requests finish, stragglers
/// are killed after `drainTimeout`), removes the socket and returns.
///
/// Each worker calls `makeHandler` after the fork, so per-process resources (the SQLite
/// connection) are never shared across fork, then serves requests single-threaded.
///
/// The supervisor must be single-threaded when `run()` is called: it forks without exec.
public final class WorkerPool {
    public let configuration: WorkerPoolConfiguration
    private let logger: Logger
    private let makeHandler: (WorkerRole) throws -> any RequestHandler

    public init(
        configuration: WorkerPoolConfiguration,
        logger: Logger = Logger(label: "model-registry.fastcgi"),
        makeHandler: @escaping (WorkerRole) throws -> any RequestHandler
    ) {
        precondition(configuration.workerCount > 0, "a worker pool needs at least one worker")
        self.configuration = configuration
        self.logger = logger
        self.makeHandler = makeHandler
    }

    /// Runs until SIGTERM or SIGINT has drained the pool. Throws if the socket cannot be
    /// opened or no worker ever manages to start.
    public func run() throws {
        var logger = logger
        logger[metadataKey: "pid"] = "\(getpid())"
        logger[metadataKey: "role"] = "supervisor"

        let events = try ProcessEvents(signals: [SIGTERM, SIGINT, SIGHUP])
        defer { events.close() }
        let socket = try UnixListeningSocket.open(path: configuration.socketPath, backlog: configuration.listenBacklog)
        defer { socket.close() }
        let writerSocket = try configuration.writerSocketPath.map {
            try UnixListeningSocket.open(path: $0, backlog: configuration.listenBacklog)
        }
        defer { writerSocket?.close() }
        let readiness = try ReadinessPipe()
        defer { readiness.close() }

        logger.info("listening on \(configuration.socketPath) with \(configuration.workerCount == 1 ? "1 worker" : "\(configuration.workerCount) workers")")
        if let writerSocket {
            logger.info("listening on \(writerSocket.path) with the writer")
        }
        let supervisor = PoolSupervisor(
            configuration: configuration,
            logger: logger,
            events: events,
            readiness: readiness,
            listenFDs: [.general: socket.fd, .writer: writerSocket?.fd].compactMapValues { $0 },
            makeHandler: makeHandler
        )
        try supervisor.run()
        logger.info("stopped; removing \([configuration.socketPath, configuration.writerSocketPath].compactMap { $0 }.joined(separator: " and "))")
    }
}
