import ArgumentParser
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--log-level`, shared by every subcommand that logs.
struct LoggingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Log level [env: MODEL_REGISTRY_LOG_LEVEL] (default: info)",
        valueName: "level"))
    var logLevel: Logger.Level?

    func resolvedLevel() throws -> Logger.Level {
        if let logLevel { return logLevel }
        guard let text = EnvironmentFallback.string("MODEL_REGISTRY_LOG_LEVEL") else { return .info }
        guard let level = Logger.Level(rawValue: text) else {
            throw EnvironmentError(name: "MODEL_REGISTRY_LOG_LEVEL", value: text, expected: "a log level")
        }
        return level
    }

    /// Logs go to stderr, one line each; the pool adds the pid of each process.
    func makeLogger(label: String) throws -> Logger {
        let level = try resolvedLevel()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger[metadataKey: "pid"] = "\(getpid())"
        return logger
    }
}
