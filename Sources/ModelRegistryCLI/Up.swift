import ArgumentParser
import FastCGIServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `model-registry up`: the whole server on one HTTP port: nginx in front, the worker pool
/// (`model-registry serve`) behind it, both supervised by this process.
struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run nginx and the worker pool: the registry on one HTTP port.",
        discussion: """
            nginx's config is rendered from nginx/model-registry.conf.template into the run \
            directory. SIGINT or SIGTERM stops nginx gracefully, then drains the pool; SIGHUP \
            restarts the workers one at a time. If nginx or the pool dies, the other is stopped \
            and the command exits non-zero.
            """
    )

    @Option(help: ArgumentHelp("Address to listen on [env: MODEL_REGISTRY_HOST] (default: 127.0.0.1)", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("HTTP port [env: MODEL_REGISTRY_PORT] (default: 8080)", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("Directory for the database and the run directory [env: MODEL_REGISTRY_DATA_DIR] (default: ./data)", valueName: "path"))
    var dataDir: String?

    @Option(help: ArgumentHelp("SQLite database file [env: MODEL_REGISTRY_DB] (default: <data-dir>/model-registry.db)", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("Directory for the socket, nginx's config, pid and temp files [env: MODEL_REGISTRY_RUN_DIR] (default: <data-dir>/run)", valueName: "path"))
    var runDir: String?

    @Option(help: ArgumentHelp("nginx executable [env: MODEL_REGISTRY_NGINX] (default: nginx on PATH, else /usr/sbin/nginx)", valueName: "path"))
    var nginx: String?

    @Option(help: ArgumentHelp("nginx config template [env: MODEL_REGISTRY_NGINX_TEMPLATE] (default: nginx/model-registry.conf.template near the executable or in the current directory, else the built-in copy)", valueName: "path"))
    var nginxTemplate: String?

    @OptionGroup var pool: PoolOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let logger = try logging.makeLogger(label: "model-registry")
        let host = host ?? EnvironmentFallback.string("MODEL_REGISTRY_HOST") ?? "127.0.0.1"
        let port = try port ?? EnvironmentFallback.int("MODEL_REGISTRY_PORT") ?? 8080
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        let dataDirectory = FilePaths.absolute(dataDir ?? EnvironmentFallback.string("MODEL_REGISTRY_DATA_DIR") ?? "data")
        let database = FilePaths.absolute(db ?? EnvironmentFallback.string("MODEL_REGISTRY_DB") ?? dataDirectory + "/model-registry.db")
        let runDirectory = FilePaths.absolute(runDir ?? EnvironmentFallback.string("MODEL_REGISTRY_RUN_DIR") ?? dataDirectory + "/run")
        let workers = try pool.resolvedWorkers()
        let maxBodyBytes = try pool.resolvedMaxBodyBytes()
        let drainTimeout = try pool.resolvedDrainTimeout()
        let logLevel = try logging.resolvedLevel()

        guard let nginxExecutable = (nginx ?? EnvironmentFallback.string("MODEL_REGISTRY_NGINX")).map(FilePaths.absolute) ?? ExecutableLookup.nginx(),
              FilePaths.isExecutable(nginxExecutable) else {
            throw ValidationError("nginx not found or not executable; install it or pass --nginx")
        }
        guard let executable = ExecutableLookup.current() else {
            throw ValidationError("cannot find this executable's path to start the worker pool")
        }

        try FilePaths.createDirectory(dataDirectory, mode: 0o755)
        try FilePaths.createDirectory(FilePaths.parent(of: database), mode: 0o755)
        // Private: the socket inside is connectable by any local user that can reach it.
        try FilePaths.createDirectory(runDirectory, mode: 0o700)

        let socketPath = runDirectory + "/fcgi.sock"
        let writerSocketPath = runDirectory + "/fcgi-writer.sock"
        let template = try NginxTemplateLocator.locate(
            explicitPath: nginxTemplate ?? EnvironmentFallback.string("MODEL_REGISTRY_NGINX_TEMPLATE"),
            executable: executable
        )
        let nginxConfig = NginxConfig(host: host, port: port, socketPath: socketPath, writerSocketPath: writerSocketPath,
                                      runDirectory: runDirectory, maxBodyBytes: maxBodyBytes)
        let configPath = runDirectory + "/nginx.conf"
        try FilePaths.writeFile(configPath, try nginxConfig.render(template: template.text))

        logger.info("""
            up: http=\(host):\(port) db=\(database) run-dir=\(runDirectory) workers=\(workers) \
            max-body-bytes=\(maxBodyBytes) drain-timeout=\(drainTimeout)s nginx=\(nginxExecutable) \
            template=\(template.source) log-level=\(logLevel)
            """)

        let plan = UpPlan(
            host: host,
            port: port,
            socketPath: socketPath,
            drainTimeout: drainTimeout,
            pool: .init(name: "worker pool", executable: executable, arguments: [
                "serve", "--socket", socketPath, "--writer-socket", writerSocketPath, "--db", database,
                "--workers", String(workers), "--max-body-bytes", String(maxBodyBytes),
                "--drain-timeout", String(drainTimeout), "--max-page-size", String(try pool.resolvedMaxPageSize()),
                "--log-level", logLevel.rawValue,
            ] + (pool.resolvedAuthTokens().map { ["--auth-tokens", $0] } ?? [])
              + (try pool.resolvedCachesResponses() ? [] : ["--no-response-cache"])),
            nginx: .init(name: "nginx", executable: nginxExecutable, arguments: nginxConfig.commandLine(configPath: configPath))
        )
        let status = try UpSupervisor(plan: plan, logger: logger).run()
        if status != 0 { throw ExitCode(status) }
    }
}
