import API
import ArgumentParser
import FastCGIServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `model-registry serve`: the FastCGI worker pool on a unix socket, for an nginx (or other
/// FastCGI web server) configured separately.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the FastCGI worker pool on a unix socket.",
        discussion: """
            SIGTERM or SIGINT drains the pool (in-flight requests finish) and removes the socket; \
            SIGHUP replaces the workers one at a time.
            """
    )

    @Option(help: ArgumentHelp("FastCGI unix socket to listen on [env: MODEL_REGISTRY_SOCKET]", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("SQLite database file, created if missing [env: MODEL_REGISTRY_DB]", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("Also run one writer worker on this unix socket, for the web server to send every request but GET and HEAD to: it keeps its cache warm and acknowledges writes after a shared disk sync (`up` always does) [env: MODEL_REGISTRY_WRITER_SOCKET]", valueName: "path"))
    var writerSocket: String?

    @OptionGroup var pool: PoolOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let logger = try logging.makeLogger(label: "model-registry")
        guard let socketPath = socket ?? EnvironmentFallback.string("MODEL_REGISTRY_SOCKET") else {
            throw ValidationError("--socket (or MODEL_REGISTRY_SOCKET) is required")
        }
        guard let databasePath = db ?? EnvironmentFallback.string("MODEL_REGISTRY_DB") else {
            throw ValidationError("--db (or MODEL_REGISTRY_DB) is required")
        }
        let configuration = WorkerPoolConfiguration(
            socketPath: FilePaths.absolute(socketPath),
            workerCount: try pool.resolvedWorkers(),
            writerSocketPath: (writerSocket ?? EnvironmentFallback.string("MODEL_REGISTRY_WRITER_SOCKET")).map(FilePaths.absolute),
            maxBodyBytes: try pool.resolvedMaxBodyBytes(),
            drainTimeout: try pool.resolvedDrainTimeout()
        )
        let database = FilePaths.absolute(databasePath)
        let maxPageSize = try pool.resolvedMaxPageSize()
        let cachesResponses = try pool.resolvedCachesResponses()
        let logLevel = try logging.resolvedLevel()
        // Read once here so a missing or invalid file stops start-up; each worker keeps a copy
        // and re-reads the file when it changes. Only the path and the count are logged.
        let authenticator = try pool.resolvedAuthTokens().map { path in
            do {
                return try BearerTokenAuthenticator(tokenFile: path)
            } catch {
                throw FileError("--auth-tokens: \(error)")
            }
        }
        logger.info("""
            serve: socket=\(configuration.socketPath) writer-socket=\(configuration.writerSocketPath ?? "none") \
            db=\(database) workers=\(configuration.workerCount) \
            max-body-bytes=\(configuration.maxBodyBytes) drain-timeout=\(configuration.drainTimeout)s \
            max-page-size=\(maxPageSize) response-cache=\(cachesResponses ? "on" : "off") log-level=\(logLevel) \
            auth=\(authenticator.map { "bearer tokens from \($0.path) (\($0.tokenCount))" } ?? "off")
            """)
        // Create or migrate the schema once, before forking, so workers never race on it.
        do {
            try Router.prepareStore(databasePath: database)
        } catch {
            throw FileError("cannot open or prepare the store \(database): \(error)")
        }
        let workerPool = WorkerPool(configuration: configuration, logger: logger) { role in
            // A worker that cannot open the store answers 503 and retries instead of exiting.
            StoreOpeningHandler(open: {
                let router = try Router.open(databasePath: database, maxPageSize: maxPageSize)
                router.authenticator = authenticator
                router.cachesResponses = cachesResponses
                // The writer's FastCGI connection runs the sync before it answers.
                if role == .writer { try router.deferCommitSyncs() }
                return router
            }, report: { event in
                switch event {
                case let .failed(error): logger.error("worker \(getpid()): cannot open the store, answering 503 until it opens: \(error)")
                case .recovered: logger.info("worker \(getpid()): the store opened again")
                }
            })
        }
        try workerPool.run()
    }
}
